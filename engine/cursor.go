package engine

import (
	"slices"
	"sort"

	"franja/domain"
)

// cursor walks a timeline's allowed pieces in order, date by date, from the
// date before a starting instant (whose night windows may reach into it).
//
// Windows starting at or after limit are never generated, so the last piece
// may be cut short: every piece still starts where the true piece starts, and
// a piece ending before limit is exact. (If the true piece went on, a window
// not generated would touch it, and that window starts at or after limit.)
type cursor struct {
	tl    *Timeline
	limit int64

	// date generation
	day   int64 // next date to generate
	vi    int   // version in force on day (-1: none yet)
	ai    int   // first all-day leave span not wholly before day
	clock dayClock
	ws    []domain.Window
	k     int
	pend  []span // with assignments: windows generated, not yet handed out, by start

	// joining
	cur  span
	have bool
	done bool

	// partial-leave subtraction
	pi       int
	rest     span
	haveRest bool
}

func newCursor(tl *Timeline, from, limit int64) cursor {
	day := localDay(tl.zone, from) - 1 - tl.slack
	c := cursor{tl: tl, limit: limit, day: day, vi: tl.versionAt(day)}
	c.ai = sort.Search(len(tl.allDay), func(i int) bool { return tl.allDay[i].last >= day })
	c.pi = sort.Search(len(tl.partial), func(i int) bool { return tl.partial[i].e > from })
	return c
}

// next returns the next piece of allowed time (joined windows minus partial
// leaves), or false when no window starts before the limit.
func (c *cursor) next() (span, bool) {
	ps := c.tl.partial
	for {
		if !c.haveRest {
			r, ok := c.joined()
			if !ok {
				return span{}, false
			}
			c.rest, c.haveRest = r, true
		}
		for c.pi < len(ps) && ps[c.pi].e <= c.rest.s {
			c.pi++
		}
		if c.pi == len(ps) || ps[c.pi].s >= c.rest.e {
			c.haveRest = false
			return c.rest, true
		}
		l := ps[c.pi]
		out := span{c.rest.s, l.s}
		c.rest.s = l.e
		c.haveRest = c.rest.s < c.rest.e
		if out.s < out.e {
			return out, true
		}
	}
}

// joined returns the next union of touching or overlapping windows.
func (c *cursor) joined() (span, bool) {
	for {
		w, ok := c.window()
		if !ok {
			if c.have {
				c.have = false
				return c.cur, true
			}
			return span{}, false
		}
		switch {
		case w.e <= w.s: // swallowed by a clock change
		case !c.have:
			c.cur, c.have = w, true
		case w.s <= c.cur.e:
			c.cur.e = max(c.cur.e, w.e)
		default:
			out := c.cur
			c.cur = w
			return out, true
		}
	}
}

// window returns the next window's instants. Windows come out in order of
// start: within a date they are sorted, and in one zone a wall time of a
// later date never resolves before one of an earlier date. (Across zones it
// may: see windowMerged.)
func (c *cursor) window() (span, bool) {
	if c.tl.slack > 0 {
		return c.windowMerged()
	}
	for c.k >= len(c.ws) {
		if c.done || !c.loadDay() {
			c.done = true
			return span{}, false
		}
	}
	w := c.clock.window(c.ws[c.k])
	c.k++
	if w.s >= c.limit {
		c.done, c.ws = true, nil
		return span{}, false
	}
	return w, true
}

// windowMerged is window for a timeline with assignments, whose dates'
// windows may interleave: a Friday worked in Bogotá runs into Sunday in
// Sydney, past the start of Saturday at home. Windows are generated into a
// small buffer kept in order of start, and the earliest is handed out once
// no date not yet generated could start before it (no date's window starts
// before its midnight minus maxOffset).
func (c *cursor) windowMerged() (span, bool) {
	for {
		if n := len(c.pend); n > 0 && (c.done || (c.day*secPerDay-maxOffset)*nsPerSec > c.pend[0].s) {
			w := c.pend[0]
			c.pend = c.pend[1:]
			if w.s >= c.limit {
				c.done, c.pend = true, nil
				return span{}, false
			}
			return w, true
		}
		if c.done {
			return span{}, false
		}
		if !c.loadDay() {
			c.done = true
			continue
		}
		for _, w := range c.ws {
			sp := c.clock.window(w)
			i := sort.Search(len(c.pend), func(i int) bool { return c.pend[i].s > sp.s })
			c.pend = slices.Insert(c.pend, i, sp)
		}
		c.ws = nil
	}
}

// loadDay moves to the next date that contributes windows, skipping dates
// before the first version, empty versions and all-day leaves in one jump
// each. It reports false once no window could start before the limit.
func (c *cursor) loadDay() bool {
	tl := c.tl
	for {
		day := c.day
		// No wall time of day resolves earlier than its midnight minus maxOffset.
		if day > maxDay || (day*secPerDay-maxOffset)*nsPerSec >= c.limit {
			return false
		}
		for c.vi+1 < len(tl.versions) && tl.versions[c.vi+1].from <= day {
			c.vi++
		}
		switch {
		case len(tl.versions) == 0:
			return false
		case c.vi < 0:
			c.day = tl.versions[0].from
			continue
		case tl.versions[c.vi].empty:
			if c.vi+1 == len(tl.versions) {
				return false
			}
			c.day = tl.versions[c.vi+1].from
			continue
		}
		for c.ai < len(tl.allDay) && tl.allDay[c.ai].last < day {
			c.ai++
		}
		if c.ai < len(tl.allDay) && tl.allDay[c.ai].first <= day {
			c.day = tl.allDay[c.ai].last + 1
			continue
		}
		c.day++
		ws := tl.versions[c.vi].days[weekdayOf(day)]
		if len(ws) == 0 || tl.closedOn(day) {
			continue
		}
		c.ws, c.k = ws, 0
		c.clock = newDayClock(tl.zoneOf(day), day)
		return true
	}
}
