package engine

import (
	"slices"
	"sort"
	"time"

	"franja/domain"
)

// Assignment is a span of local dates worked in another zone: a comisión de
// servicios abroad. From its first to its last date the person's windows
// are wall times in Zone, and no date is worked in two zones: the working
// day of a boundary date belongs to one zone only. (A Bogotá official on
// mission in Tokyo from Monday 9 to Friday 13 November works Tokyo's Friday
// 13 and then nothing until Bogotá's Monday 16; their Bogotá Friday 13,
// which begins when Tokyo's ends, is not a second working day.)
type Assignment struct {
	From, To domain.Date // inclusive
	Zone     *time.Location
}

// assignment is an Assignment prepared: its day numbers and the instants
// [s, e) during which the person is in its zone, from its first date's
// midnight to the midnight after its last, in that zone.
type assignment struct {
	first, last int64
	zone        *time.Location
	s, e        int64
}

// setAssignments sorts as and cuts any that overlaps an earlier one to start
// after it (one zone per date); spans left empty are dropped.
func (tl *Timeline) setAssignments(as []Assignment) {
	for _, a := range as {
		if a.Zone == nil || a.From.IsZero() || a.To.Before(a.From) {
			continue
		}
		tl.assign = append(tl.assign, assignment{first: dayNumber(a.From), last: dayNumber(a.To), zone: a.Zone})
	}
	slices.SortStableFunc(tl.assign, func(a, b assignment) int { return cmpInt(a.first, b.first) })
	kept := tl.assign[:0]
	for _, a := range tl.assign {
		if n := len(kept); n > 0 && a.first <= kept[n-1].last {
			a.first = kept[n-1].last + 1
		}
		if a.first <= a.last {
			a.s = resolveWall(a.zone, a.first*secPerDay) * nsPerSec
			a.e = resolveWall(a.zone, (a.last+1)*secPerDay) * nsPerSec
			kept = append(kept, a)
		}
	}
	tl.assign = kept
	if len(kept) > 0 {
		// A window of date X can contain u only when X is u's date, or the
		// date before, in X's zone; zones differ by at most 26 hours, so
		// those dates lie within two days of u's date at home.
		tl.slack = 2
	}
}

// zoneOf returns the zone the windows of day are in.
func (tl *Timeline) zoneOf(day int64) *time.Location {
	if len(tl.assign) == 0 {
		return tl.zone
	}
	i := sort.Search(len(tl.assign), func(i int) bool { return tl.assign[i].last >= day })
	if i < len(tl.assign) && tl.assign[i].first <= day {
		return tl.assign[i].zone
	}
	return tl.zone
}

// zoneAt returns the zone the person is in at instant u: within a window
// the schedule gives a date (worked or not), that date's zone; otherwise an
// assignment's from its first date's midnight to the midnight after its
// last (in its zone), else home. (Back from Bogotá on Wednesday, a Tokyo
// official's Thursday morning is Tokyo's, though Bogotá's Wednesday has not
// ended.)
func (tl *Timeline) zoneAt(u int64) *time.Location {
	if len(tl.assign) == 0 {
		return tl.zone
	}
	c := tl.candidatesAt(u)
	for _, day := range c.list() {
		if tl.inScheduledWindow(day, u) {
			return tl.zoneOf(day)
		}
	}
	i := sort.Search(len(tl.assign), func(i int) bool { return tl.assign[i].e > u })
	if i < len(tl.assign) && tl.assign[i].s <= u {
		return tl.assign[i].zone
	}
	return tl.zone
}

// ZoneAt returns the zone the person is in at t: home, or an assignment's
// while it lasts (see zoneAt).
func (tl *Timeline) ZoneAt(t time.Time) *time.Location { return tl.zoneAt(toNS(t)) }

// Assigned reports whether the person has assignments at all.
func (tl *Timeline) Assigned() bool { return len(tl.assign) > 0 }

// Assignments returns the instants in (from, to) where the zone the person
// is in changes.
func (tl *Timeline) Assignments(from, to time.Time) []time.Time {
	var out []time.Time
	for _, a := range tl.assign {
		for _, b := range [2]int64{a.s, a.e} {
			if t := time.Unix(0, b); t.After(from) && t.Before(to) {
				out = append(out, t)
			}
		}
	}
	return out
}

// dayAt returns the local date of u in the zone the person is in then.
func (tl *Timeline) dayAt(u int64) int64 {
	if len(tl.assign) == 0 {
		return localDay(tl.zone, u)
	}
	return localDay(tl.zoneAt(u), u)
}

// candidates are the dates whose windows may contain an instant, in order:
// at most the date and the date before in each zone in play.
type candidates struct {
	days [6]int64
	n    int
}

func (c *candidates) add(day int64) {
	for i := range c.n {
		if c.days[i] == day {
			return
		}
	}
	if c.n < len(c.days) {
		c.days[c.n] = day
		c.n++
	}
}

func (c *candidates) list() []int64 {
	ds := c.days[:c.n]
	slices.Sort(ds)
	return ds
}

// candidatesAt returns the dates whose windows may contain u: u's date and
// the date before in each zone, kept only where that zone is the date's
// (d-1 and d at home when there are no assignments).
func (tl *Timeline) candidatesAt(u int64) candidates {
	var c candidates
	home := localDay(tl.zone, u)
	if len(tl.assign) == 0 {
		c.add(home - 1)
		c.add(home)
		return c
	}
	addZone := func(z *time.Location) {
		d := localDay(z, u)
		for _, day := range [2]int64{d - 1, d} {
			if tl.zoneOf(day) == z {
				c.add(day)
			}
		}
	}
	addZone(tl.zone)
	for _, a := range tl.assign {
		if a.last >= home-3 && a.first <= home+3 {
			addZone(a.zone)
		}
	}
	return c
}
