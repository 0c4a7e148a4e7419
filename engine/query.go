package engine

import (
	"math"
	"time"
)

// Interval is the half-open span [Start, End).
type Interval struct {
	Start, End time.Time
}

// Duration returns End - Start.
func (iv Interval) Duration() time.Duration { return iv.End.Sub(iv.Start) }

// lookAhead bounds a first, cheap search for a slot before the whole horizon
// is searched: a round-the-clock piece would otherwise be followed to the
// end of the horizon just to learn where it ends.
const lookAhead = int64(14 * 24 * time.Hour)

func clampHorizon(h time.Duration) int64 {
	switch {
	case h <= 0:
		return int64(DefaultHorizon)
	case h > MaxHorizon:
		return int64(MaxHorizon)
	}
	return int64(h)
}

// NextAllowed returns the first allowed instant at or after t (t itself when
// t is allowed), in the person's zone, or false when none lies in
// [t, t+horizon). A horizon <= 0 means DefaultHorizon; it is capped at
// MaxHorizon.
func (tl *Timeline) NextAllowed(t time.Time, horizon time.Duration) (time.Time, bool) {
	u := toNS(t)
	end := u + clampHorizon(horizon)
	c := newCursor(tl, u, end)
	for {
		p, ok := c.next()
		if !ok {
			return time.Time{}, false
		}
		if p.e <= u {
			continue
		}
		if s := max(p.s, u); s < end {
			return tl.at(s), true
		}
		return time.Time{}, false
	}
}

// NextSlot returns the earliest [s, s+d) with s >= after that lies wholly
// inside one joined piece of allowed time and ends by after+horizon, in the
// person's zone; false when there is none or d <= 0. Horizon as NextAllowed.
func (tl *Timeline) NextSlot(after time.Time, d, horizon time.Duration) (Interval, bool) {
	if d <= 0 {
		return Interval{}, false
	}
	u, need := toNS(after), int64(d)
	end := u + clampHorizon(horizon)
	// A piece cut short by the look-ahead limit keeps its true start, so a
	// slot found in it is the true earliest; only a miss needs the full search.
	for _, lim := range [2]int64{min(end, u+lookAhead+need), end} {
		if s, ok := tl.firstFit(u, need, lim, end); ok {
			return Interval{tl.at(s), tl.at(s + need)}, true
		}
		if lim == end {
			break
		}
	}
	return Interval{}, false
}

// firstFit returns the earliest start s >= u of need nanoseconds inside a
// piece, with s+need <= end, looking at windows starting before lim.
func (tl *Timeline) firstFit(u, need, lim, end int64) (int64, bool) {
	c := newCursor(tl, u, lim)
	for {
		p, ok := c.next()
		if !ok {
			return 0, false
		}
		s := max(p.s, u)
		if s+need > end {
			return 0, false
		}
		if s+need <= p.e {
			return s, true
		}
	}
}

// Intervals returns the joined pieces of allowed time clipped to [from, to),
// in order, in the person's zone. Callers bound the range (it is walked date
// by date).
func (tl *Timeline) Intervals(from, to time.Time) []Interval {
	u, end := toNS(from), toNS(to)
	var out []Interval
	c := newCursor(tl, u, end)
	for {
		p, ok := c.next()
		if !ok {
			return out
		}
		if s, e := max(p.s, u), min(p.e, end); s < e {
			out = append(out, Interval{tl.at(s), tl.at(e)})
		}
	}
}

// CommonSlots returns up to limit slots [s, s+d) inside [from, to), each
// wholly inside one joined piece of every person's allowed time, earliest
// first. Starts are aligned to granularity counted from the Unix epoch in
// UTC, so a 30-minute granularity gives :00 and :30 in whole- and half-hour
// zones but :15 and :45 in Asia/Kathmandu (+05:45) or Pacific/Chatham
// (+12:45); there is no one local grid across zones. Every aligned start is
// listed, so slots may overlap (09:00-10:00, 09:30-10:30). Results are in
// UTC. Nil when d, granularity or limit is not positive or people is empty.
func CommonSlots(people []*Timeline, from, to time.Time, d, granularity time.Duration, limit int) []Interval {
	need, g := int64(d), int64(granularity)
	if need <= 0 || g <= 0 || limit <= 0 || len(people) == 0 {
		return nil
	}
	u, end := toNS(from), toNS(to)
	cs := make([]cursor, len(people))
	cur := make([]span, len(people))
	for i, tl := range people {
		cs[i] = newCursor(tl, u, end)
		cur[i] = span{math.MinInt64, math.MinInt64}
	}
	var out []Interval
	for x := alignUp(u, g); x+need <= end && len(out) < limit; {
		next, ok := fitAll(cs, cur, x, need, g)
		if !ok {
			break
		}
		if next == x {
			out = append(out, Interval{time.Unix(0, x).UTC(), time.Unix(0, x+need).UTC()})
			next += g
		}
		x = next
	}
	return out
}

// fitAll returns x when [x, x+need) fits everyone's current piece, or a later
// aligned candidate to try; false when someone has no more pieces.
func fitAll(cs []cursor, cur []span, x, need, g int64) (int64, bool) {
	for i := range cs {
		for cur[i].e <= x {
			p, ok := cs[i].next()
			if !ok {
				return 0, false
			}
			cur[i] = p
		}
		if cur[i].s > x {
			return alignUp(cur[i].s, g), true
		}
		if cur[i].e < x+need {
			return alignUp(cur[i].e, g), true
		}
	}
	return x, true
}

// alignUp returns the least multiple of g that is >= x.
func alignUp(x, g int64) int64 { return -floorDiv(-x, g) * g }
