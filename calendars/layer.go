package calendars

import (
	"slices"

	"franja/domain"
)

// SourceClosure is the Effective.Source of a post's own closure.
const SourceClosure = "closure"

// CalendarSource returns the Effective.Source of a holiday from base
// calendar code: "calendar:" + code, e.g. "calendar:JP".
func CalendarSource(code string) string { return "calendar:" + code }

// Effective is one of a post's effective holidays: a date the post does not
// work, its name, and where it comes from (CalendarSource(code) or
// SourceClosure).
type Effective struct {
	Date   domain.Date `json:"date"`
	Name   string      `json:"name"`
	Source string      `json:"source"`
}

// Layer computes a post's effective holidays: its base calendars' holidays
// (base, by calendar code), plus its own closures, minus the base holidays on
// the exclusion dates (days the post works through a host holiday).
//
// The rules, since no norm settles them (DOMAIN.md, Holidays):
//   - An exclusion removes every base holiday on its date, from every
//     calendar, but never a closure: a closure is the post's own decision and
//     is removed by deleting it, not by excluding its date.
//   - Nothing is merged: the same date in two calendars (1 January in CO and
//     JP) gives two entries with their own sources, so a caller can show
//     both. Only an exact repeat (same date, name and source) is dropped.
//   - Order: by date; on one date, base calendars by code, then closures;
//     within one source, the input order.
//
// Layer is pure; the result is the caller's and is never nil.
func Layer(base map[string][]Holiday, closures []Holiday, exclusions []domain.Date) []Effective {
	excluded := make(map[domain.Date]bool, len(exclusions))
	for _, d := range exclusions {
		excluded[d] = true
	}
	codes := make([]string, 0, len(base))
	for code := range base {
		codes = append(codes, code)
	}
	slices.Sort(codes)

	out := make([]Effective, 0, len(closures)+8*len(base))
	seen := map[Effective]bool{}
	add := func(h Holiday, source string) {
		e := Effective{Date: h.Date, Name: h.Name, Source: source}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	for _, code := range codes {
		for _, h := range base[code] {
			if !excluded[h.Date] {
				add(h, CalendarSource(code))
			}
		}
	}
	for _, h := range closures {
		add(h, SourceClosure)
	}
	// Stable: appending in source order (codes sorted, then closures) makes
	// the tie-break by source for free.
	slices.SortStableFunc(out, func(a, b Effective) int { return a.Date.Compare(b.Date) })
	return out
}
