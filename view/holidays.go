package view

import (
	"sync/atomic"

	"franja/calendars"
	"franja/domain"
)

// Years outside [firstYear, firstYear+yearSpan) have no holidays in the view.
const (
	firstYear = 1900
	yearSpan  = 301
)

// Holidays is a post's effective holidays, computed once per year on first
// use and then answered in nanoseconds. A new Holidays is built whenever the
// post, its closures or a base calendar change, so a computed year is never
// stale.
type Holidays struct {
	compute func(year int) *holidayYear
	years   [yearSpan]atomic.Pointer[holidayYear]
}

// holidayYear is one computed year: the lookup the engine asks, each date's
// entries with their sources and names, and the calendars (whole or picked
// from) that do not know the year.
type holidayYear struct {
	set       *calendars.Set
	byDate    map[domain.Date][]calendars.Effective
	uncovered []string
}

// newHolidays returns the holidays of a post with rules, over the stored
// calendar data.
func newHolidays(stored *calendars.Stored, rules calendars.PostRules) *Holidays {
	return &Holidays{compute: func(year int) *holidayYear {
		covered := stored.Covered(rules, year)
		eff, err := stored.PostYear(covered, year)
		if err != nil {
			// Cannot happen (every calendar left covers year): the
			// post's own closures still hold.
			eff, _ = stored.PostYear(calendars.PostRules{Closures: rules.Closures, Exclusions: rules.Exclusions}, year)
		}
		y := &holidayYear{set: calendars.EffectiveSet(eff), byDate: map[domain.Date][]calendars.Effective{}, uncovered: stored.Uncovered(rules, year)}
		for _, e := range eff {
			y.byDate[e.Date] = append(y.byDate[e.Date], e)
		}
		return y
	}}
}

// year returns year's computation, or nil outside the view's years.
func (h *Holidays) year(year int) *holidayYear {
	i := year - firstYear
	if i < 0 || i >= yearSpan {
		return nil
	}
	y := h.years[i].Load()
	if y == nil {
		// Two goroutines may compute the same year at once; both results are
		// equal, and either may win.
		y = h.compute(year)
		h.years[i].Store(y)
	}
	return y
}

// Names returns the names of the holidays on d (nil on a working date). It
// is the engine's HolidayFunc.
func (h *Holidays) Names(d domain.Date) []string {
	if y := h.year(d.Year); y != nil {
		return y.set.Names(d)
	}
	return nil
}

// Details returns the holidays on d with their sources and their names in
// English and Spanish where known (nil on a working date). The slice is
// shared: read it, never modify it.
func (h *Holidays) Details(d domain.Date) []calendars.Effective {
	if y := h.year(d.Year); y != nil {
		return y.byDate[d]
	}
	return nil
}

// Unknown reports whether d's holidays cannot be known: a calendar the post
// takes (whole or picked from) has no data for d's year. A calendar whose
// data ends (LK's in 2026, most in 2040) does not take the others with it: a
// post on ["LK","CO"] still closes on Colombia's holidays in 2027; its
// decisions say the rest is unknown. It is the engine's UnknownFunc.
func (h *Holidays) Unknown(d domain.Date) bool {
	y := h.year(d.Year)
	return y == nil || len(y.uncovered) > 0
}

// Uncovered returns the calendars the post takes that do not know year.
func (h *Holidays) Uncovered(year int) []string {
	if y := h.year(year); y != nil {
		return y.uncovered
	}
	return nil
}
