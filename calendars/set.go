package calendars

import (
	"slices"

	"franja/domain"
)

// slotsPerYear indexes a date as (month-1)*31 + day-1: a few slots per year
// stay unused (30 Feb, 31 Apr, …) but the lookup needs no leap-year or
// day-of-year arithmetic.
const slotsPerYear = 12 * 31

// Set is an immutable holiday lookup built once from a list of holidays
// (usually one calendar-year of a post's effective holidays) and then read
// by many goroutines. The zero Set (and a Set built from nothing) has no
// holidays. Names costs a few nanoseconds: a bounds check and two
// array reads, no hashing and no allocation.
type Set struct {
	firstYear int
	years     []*[slotsPerYear]uint32 // per year from firstYear; nil for a year without holidays; 0 = none, else names index + 1
	names     [][]string
}

// NewSet builds a Set from hs, in any order and spanning any years. Names on
// one date keep their order in hs; a name repeated on one date is kept once.
func NewSet(hs []Holiday) *Set {
	s := &Set{}
	if len(hs) == 0 {
		return s
	}
	lo, hi := hs[0].Date.Year, hs[0].Date.Year
	for _, h := range hs {
		lo, hi = min(lo, h.Date.Year), max(hi, h.Date.Year)
	}
	s.firstYear = lo
	s.years = make([]*[slotsPerYear]uint32, hi-lo+1)
	for _, h := range hs {
		s.add(h)
	}
	return s
}

func (s *Set) add(h Holiday) {
	slot, ok := slotOf(h.Date)
	if !ok {
		return // not a real date (zero Date, month 13): cannot be looked up either
	}
	y := s.years[h.Date.Year-s.firstYear]
	if y == nil {
		y = new([slotsPerYear]uint32)
		s.years[h.Date.Year-s.firstYear] = y
	}
	if y[slot] == 0 {
		s.names = append(s.names, []string{h.Name})
		y[slot] = uint32(len(s.names))
		return
	}
	i := y[slot] - 1
	if !slices.Contains(s.names[i], h.Name) {
		s.names[i] = append(s.names[i], h.Name)
	}
}

func slotOf(d domain.Date) (int, bool) {
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 {
		return 0, false
	}
	return (int(d.Month)-1)*31 + d.Day - 1, true
}

// Names returns the names of the holidays on d, or nil when d is not a
// holiday. The slice is shared by every caller: read it, never modify it.
func (s *Set) Names(d domain.Date) []string {
	i := d.Year - s.firstYear
	if i < 0 || i >= len(s.years) || s.years[i] == nil {
		return nil
	}
	slot, ok := slotOf(d)
	if !ok {
		return nil
	}
	if n := s.years[i][slot]; n != 0 {
		names := s.names[n-1]
		return names[:len(names):len(names)] // an append by the caller copies
	}
	return nil
}

// Has reports whether d is a holiday.
func (s *Set) Has(d domain.Date) bool { return s.Names(d) != nil }

// Len returns the number of distinct holiday dates in s.
func (s *Set) Len() int { return len(s.names) }
