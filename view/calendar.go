package view

import (
	"sort"
	"time"

	"franja/domain"
	"franja/engine"
)

// Calendar is a person's allowed time across the zones they work in: their
// home timeline, and during a comisión de servicios that carries a zone,
// the same schedule in that zone (a Bogotá official on mission in Tokyo
// works Tokyo hours, and must not be reached at Tokyo midnight). Spans are
// half-open; the home timeline holds wherever no commission does.
//
// The post's holidays and the person's leave apply in every span: the
// person remains an employee of their post.
type Calendar struct {
	home  *engine.Timeline
	spans []span // sorted, disjoint
}

// span is a commission: [from, to) in the timeline of its zone.
type span struct {
	from, to time.Time
	tl       *engine.Timeline
	zoneName string
}

// newCalendar builds p's calendar from the commissions among its leaves. A
// commission's dates are dates where it happens, in its own zone; one that
// overlaps an earlier one is cut to start after it.
func newCalendar(home *engine.Timeline, build func(*time.Location) (*engine.Timeline, error), leaves []Leave) *Calendar {
	c := &Calendar{home: home}
	for _, l := range leaves {
		if l.Kind != domain.LeaveServiceCommission || l.TimeZone == "" {
			continue
		}
		zone, ok := domain.LoadZone(l.TimeZone)
		if !ok {
			continue
		}
		tl, err := build(zone)
		if err != nil {
			continue
		}
		from, to := l.Start, l.End
		if !l.StartDate.IsZero() {
			from, to = engine.Resolve(zone, l.StartDate, 0), engine.Resolve(zone, l.EndDate.AddDays(1), 0)
		}
		c.spans = append(c.spans, span{from: from, to: to, tl: tl, zoneName: l.TimeZone})
	}
	sort.Slice(c.spans, func(i, j int) bool { return c.spans[i].from.Before(c.spans[j].from) })
	kept := c.spans[:0]
	for _, s := range c.spans {
		if n := len(kept); n > 0 && s.from.Before(kept[n-1].to) {
			s.from = kept[n-1].to
		}
		if s.from.Before(s.to) {
			kept = append(kept, s)
		}
	}
	c.spans = kept
	return c
}

// at returns the timeline in force at t, the zone's name ("" = home), and
// the instant it stops being in force (zero: never).
func (c *Calendar) at(t time.Time) (*engine.Timeline, string, time.Time) {
	i := sort.Search(len(c.spans), func(i int) bool { return c.spans[i].to.After(t) })
	if i < len(c.spans) {
		if s := c.spans[i]; !t.Before(s.from) {
			return s.tl, s.zoneName, s.to
		}
		return c.home, "", c.spans[i].from
	}
	return c.home, "", time.Time{}
}

// Zone returns the zone the person is in at t and its name ("" = home).
func (c *Calendar) Zone(t time.Time) (*time.Location, string) {
	tl, name, _ := c.at(t)
	return tl.Zone(), name
}

// Check answers whether t is allowed time, in the zone in force at t; an
// allowed piece is cut where that zone stops being in force.
func (c *Calendar) Check(t time.Time) engine.Status {
	tl, _, end := c.at(t)
	st := tl.Check(t)
	if st.Allowed && !end.IsZero() && st.Until.After(end) {
		st.Until = end.In(st.Until.Location())
	}
	return st
}

// NextAllowed returns the first allowed instant at or after t within
// horizon, crossing from one zone's span to the next as needed.
func (c *Calendar) NextAllowed(t time.Time, horizon time.Duration) (time.Time, bool) {
	limit := t.Add(horizonOf(horizon))
	for u := t; u.Before(limit); {
		tl, _, end := c.at(u)
		n, ok := tl.NextAllowed(u, limit.Sub(u))
		if ok && (end.IsZero() || n.Before(end)) {
			return n, true
		}
		if end.IsZero() {
			return time.Time{}, false
		}
		u = end
	}
	return time.Time{}, false
}

// NextSlot returns the earliest slot of length d at or after after, wholly
// inside one zone's span.
func (c *Calendar) NextSlot(after time.Time, d, horizon time.Duration) (engine.Interval, bool) {
	limit := after.Add(horizonOf(horizon))
	for u := after; u.Before(limit); {
		tl, _, end := c.at(u)
		h := limit.Sub(u)
		if !end.IsZero() {
			h = min(h, end.Sub(u))
		}
		if iv, ok := tl.NextSlot(u, d, h); ok {
			return iv, true
		}
		if end.IsZero() {
			return engine.Interval{}, false
		}
		u = end
	}
	return engine.Interval{}, false
}

// Intervals returns the allowed pieces in [from, to), each from the zone in
// force then.
func (c *Calendar) Intervals(from, to time.Time) []engine.Interval {
	var out []engine.Interval
	for u := from; u.Before(to); {
		tl, _, end := c.at(u)
		stop := to
		if !end.IsZero() && end.Before(to) {
			stop = end
		}
		out = append(out, tl.Intervals(u, stop)...)
		u = stop
	}
	return out
}

// Boundaries returns the instants in (from, to) where the zone in force
// changes: meeting searches split their range there.
func (c *Calendar) Boundaries(from, to time.Time) []time.Time {
	var out []time.Time
	for _, s := range c.spans {
		for _, b := range []time.Time{s.from, s.to} {
			if b.After(from) && b.Before(to) {
				out = append(out, b)
			}
		}
	}
	return out
}

// Timeline returns the engine timeline in force at t.
func (c *Calendar) Timeline(t time.Time) *engine.Timeline {
	tl, _, _ := c.at(t)
	return tl
}

func horizonOf(h time.Duration) time.Duration {
	switch {
	case h <= 0:
		return engine.DefaultHorizon
	case h > engine.MaxHorizon:
		return engine.MaxHorizon
	}
	return h
}

// ZoneAt returns the zone the person is in at t, and its name: the home
// zone, or a service commission's while it lasts.
func (p *Person) ZoneAt(t time.Time) (*time.Location, string) {
	if p.Calendar != nil {
		if loc, name := p.Calendar.Zone(t); name != "" {
			return loc, name
		}
	}
	return p.Location(), p.ZoneName
}
