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
	compute func(year int) []calendars.Holiday
	years   [yearSpan]atomic.Pointer[calendars.Set]
}

// newHolidays returns the holidays of a post with the given base calendars,
// closures and exclusions, over the stored calendar data.
func newHolidays(stored *calendars.Stored, codes []string, closures []calendars.Holiday, exclusions []domain.Date) *Holidays {
	return &Holidays{compute: func(year int) []calendars.Holiday {
		var mine []calendars.Holiday
		for _, c := range closures {
			if c.Date.Year == year {
				mine = append(mine, c)
			}
		}
		eff, err := stored.PostHolidays(coveredCodes(stored, codes, year), year, mine, exclusions)
		if err != nil {
			eff = calendars.Layer(nil, mine, exclusions) // cannot happen: every code left covers year
		}
		hs := make([]calendars.Holiday, len(eff))
		for i, e := range eff {
			hs[i] = calendars.Holiday{Date: e.Date, Name: e.Name}
		}
		return hs
	}}
}

// Names returns the names of the holidays on d (nil on a working date). It
// is the engine's HolidayFunc.
func (h *Holidays) Names(d domain.Date) []string {
	i := d.Year - firstYear
	if i < 0 || i >= yearSpan {
		return nil
	}
	s := h.years[i].Load()
	if s == nil {
		// Two goroutines may compute the same year at once; both results are
		// equal, and either may win.
		s = calendars.NewSet(h.compute(d.Year))
		h.years[i].Store(s)
	}
	return s.Names(d)
}

// coveredCodes keeps the calendars that know year. A calendar whose data
// ends (LK's in 2026, most in 2040) must not take the others with it: a post
// on ["LK","CO"] still closes on Colombia's holidays in 2027. The calendar
// endpoints report the gap.
func coveredCodes(stored *calendars.Stored, codes []string, year int) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if _, err := stored.Base(c, year); err == nil {
			out = append(out, c)
		}
	}
	return out
}
