package calendars

import (
	"errors"
	"slices"
	"strings"

	"franja/domain"
)

// Pick is a named day a post takes from a calendar it does not take whole:
// Colombia's Independencia at a consulate in Madrid. It is chosen by
// holiday, not by date, so it follows the holiday every year (a moved
// holiday's Monday, an Easter-based date).
type Pick struct {
	// Calendar is the calendar's code, e.g. "CO".
	Calendar string `json:"calendar"`
	// Holiday is the holiday's name as the calendar writes it, e.g.
	// "Independencia".
	Holiday string `json:"holiday"`
}

// PickSource returns the Effective.Source of a day picked from calendar
// code: "pick:" + code, e.g. "pick:CO".
func PickSource(code string) string { return "pick:" + code }

// Matches reports whether a holiday named name is p's: the same name, or
// that name followed by a qualifier in brackets, as the data marks a
// substitute or an estimated date ("Independence Day (observed)", "Eid
// al-Fitr (estimated)").
func (p Pick) Matches(name string) bool {
	rest, ok := strings.CutPrefix(name, p.Holiday)
	return ok && (rest == "" || strings.HasPrefix(rest, " (") && strings.HasSuffix(rest, ")"))
}

// pickedCalendars returns the calendars picks name, upper-case and sorted.
func pickedCalendars(picks []Pick) []string {
	codes := make([]string, len(picks))
	for i, p := range picks {
		codes[i] = p.Calendar
	}
	return sortedUpper(codes)
}

// pickedName reports whether one of picks takes the holiday name from code.
func pickedName(picks []Pick, code, name string) bool {
	return slices.ContainsFunc(picks, func(p Pick) bool { return strings.EqualFold(p.Calendar, code) && p.Matches(name) })
}

// pickYears are the years searched for a holiday's name: wide enough for
// every calendar's data (2020–2040) and for a holiday Colombia added in 2026.
const (
	pickFromYear = 2020
	pickToYear   = 2040
)

// ResolvePick returns p with its calendar's code upper-case and its holiday
// named as the calendar writes it, accepting the name in the calendar's own
// language, in English or in Spanish ("Independence Day" picks CO's
// "Independencia"; "Culture Day" picks JP's 文化の日). The name must be one
// the calendar has in some year of 2020–2040. The error is an EInvalid
// *domain.Error whose message says what to send instead.
func ResolvePick(p Pick) (Pick, error) {
	info, ok := Lookup(p.Calendar)
	if !ok {
		return p, domain.Errorf(domain.EInvalid, "%q is not a calendar code; see GET /v1/calendars", p.Calendar)
	}
	p.Calendar = info.Code
	name := strings.TrimSpace(p.Holiday)
	if name == "" {
		return p, domain.Errorf(domain.EInvalid, "name the holiday to pick from %s, e.g. as GET /v1/calendars/%s/holidays lists it", info.Code, info.Code)
	}
	for y := max(info.FromYear, pickFromYear); y <= min(info.ToYear, pickToYear); y++ {
		es, err := entries(info.Code, y)
		if err != nil {
			continue
		}
		for _, e := range es {
			if e.Name == name || e.NameEN == name || e.NameES == name {
				p.Holiday = e.Name
				return p, nil
			}
		}
	}
	return p, domain.Errorf(domain.EInvalid, "calendar %s has no holiday named %q in %d–%d; use a name GET /v1/calendars/%s/holidays lists, or pick by date",
		info.Code, name, max(info.FromYear, pickFromYear), min(info.ToYear, pickToYear), info.Code)
}

// PickOn returns the pick of the holiday calendar code has on date d (a
// "2026-07-20-type" day: the holiday that falls then, every year). A date
// with no holiday, or with two (30 Jun 2025 in CO), is an EInvalid error
// saying what to send instead.
func PickOn(code string, d domain.Date) (Pick, error) {
	info, ok := Lookup(code)
	if !ok {
		return Pick{}, domain.Errorf(domain.EInvalid, "%q is not a calendar code; see GET /v1/calendars", code)
	}
	es, err := entries(info.Code, d.Year)
	var de *domain.Error
	if errors.As(err, &de) {
		return Pick{}, domain.Errorf(domain.EInvalid, "%s", de)
	}
	var names []string
	for _, e := range es {
		if e.Date == d {
			names = append(names, e.Name)
		}
	}
	switch len(names) {
	case 0:
		return Pick{}, domain.Errorf(domain.EInvalid, "%s is not a holiday of calendar %s", d, info.Code)
	case 1:
		return Pick{Calendar: info.Code, Holiday: names[0]}, nil
	}
	return Pick{}, domain.Errorf(domain.EInvalid, "%s has %d holidays in calendar %s (%s): pick one by name", d, len(names), info.Code, strings.Join(names, ", "))
}
