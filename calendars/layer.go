package calendars

import (
	"slices"
	"strings"

	"franja/domain"
)

// SourceClosure is the Effective.Source of a post's own closure.
const SourceClosure = "closure"

// CalendarSource returns the Effective.Source of a holiday from base
// calendar code: "calendar:" + code, e.g. "calendar:JP".
func CalendarSource(code string) string { return "calendar:" + code }

// Effective is one of a post's effective holidays: a date the post does not
// work, its name, and where it comes from (CalendarSource(code),
// PickSource(code), UploadSource(code), CalendarClosureSource(code) or
// SourceClosure). Name is the name as its source writes it; NameEN and
// NameES translate it where the source does (see Localized).
type Effective struct {
	Date   domain.Date `json:"date"`
	Name   string      `json:"name"`
	Source string      `json:"source"`
	NameEN string      `json:"name_en,omitempty"`
	NameES string      `json:"name_es,omitempty"`
}

// Localized returns e's name for a reader of Spanish (english false) or
// English: the name in that language where the data has it, else the
// English one, else the name as the source writes it. (A Japanese holiday
// in a Spanish answer is "Culture Day", not 文化の日, which callers show
// apart as the original.)
func (e Effective) Localized(english bool) string {
	switch {
	case !english && e.NameES != "":
		return e.NameES
	case e.NameEN != "":
		return e.NameEN
	}
	return e.Name
}

// Calendar returns the calendar code e comes from ("" for a post's own
// closure): "CO" for calendar:CO, pick:CO, upload:CO and
// calendar-closure:CO.
func (e Effective) Calendar() string {
	_, code, ok := strings.Cut(e.Source, ":")
	if !ok {
		return ""
	}
	return code
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
	codes := make([]string, 0, len(base))
	for code := range base {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	var es []Effective
	for _, code := range codes {
		for _, h := range base[code] {
			es = append(es, Effective{Date: h.Date, Name: h.Name, Source: CalendarSource(code)})
		}
	}
	return layer(es, closures, exclusions)
}

// layer is Layer over base entries already labelled and in source order.
func layer(base []Effective, closures []Holiday, exclusions []domain.Date) []Effective {
	excluded := make(map[domain.Date]bool, len(exclusions))
	for _, d := range exclusions {
		excluded[d] = true
	}
	out := make([]Effective, 0, len(closures)+len(base))
	seen := map[Effective]bool{}
	add := func(e Effective) {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	for _, e := range base {
		if !excluded[e.Date] {
			add(e)
		}
	}
	for _, h := range closures {
		add(Effective{Date: h.Date, Name: h.Name, Source: SourceClosure})
	}
	// Stable: appending in source order (base, then closures) makes the
	// tie-break by source for free.
	slices.SortStableFunc(out, func(a, b Effective) int { return a.Date.Compare(b.Date) })
	return out
}
