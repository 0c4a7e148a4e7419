package calendars

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"franja/domain"
)

// The Effective.Source labels of holidays that do not come from a base
// calendar's computed list (see CalendarSource and SourceClosure for those).

// UploadSource returns the source of a holiday from an uploaded list of base
// calendar code: "upload:" + code, e.g. "upload:CO".
func UploadSource(code string) string { return "upload:" + code }

// CalendarClosureSource returns the source of a one-off closure declared on
// base calendar code: "calendar-closure:" + code, e.g.
// "calendar-closure:CO" for a national día cívico.
func CalendarClosureSource(code string) string { return "calendar-closure:" + code }

// Stored is what the database adds to the computed base calendars: uploaded
// yearly lists and one-off closures declared on a calendar. Build one per
// load and never modify it once shared: its methods only read it, so any
// number of goroutines may call them. A nil *Stored adds nothing.
type Stored struct {
	// Uploads holds, by calendar code and year, an uploaded list that
	// replaces the computed one for that year (a correction, or a year
	// beyond the computed range, which the upload then covers). An empty,
	// non-nil list means "no holidays that year".
	Uploads map[string]map[int][]Holiday
	// Closures holds, by calendar code, the one-off closures declared on
	// that calendar (any year): they apply to every post using it.
	Closures map[string][]Holiday
}

// Base returns calendar code's holidays in year, in date order: the uploaded
// list when there is one, else the computed one, plus the calendar's closures
// in that year. Sources are UploadSource(code), CalendarSource(code) and
// CalendarClosureSource(code). An unknown code is an ENotFound error; a year
// neither computed nor uploaded is an EOutOfRange error naming the range.
func (st *Stored) Base(code string, year int) ([]Effective, error) {
	code = strings.ToUpper(code)
	hs, source, err := st.list(code, year)
	if err != nil {
		return nil, err
	}
	out := make([]Effective, 0, len(hs)+1)
	for _, h := range hs {
		out = append(out, Effective{Date: h.Date, Name: h.Name, Source: source})
	}
	for _, h := range st.closures(code, year) {
		out = append(out, Effective{Date: h.Date, Name: h.Name, Source: CalendarClosureSource(code)})
	}
	// Stable: a closure sorts after the list's holidays on its date.
	slices.SortStableFunc(out, func(a, b Effective) int { return a.Date.Compare(b.Date) })
	return out, nil
}

// list returns the uploaded or computed list of code in year, and its source.
func (st *Stored) list(code string, year int) ([]Holiday, string, error) {
	if st != nil {
		if hs, ok := st.Uploads[code][year]; ok {
			return hs, UploadSource(code), nil
		}
	}
	hs, err := Holidays(code, year)
	if err == nil {
		return hs, CalendarSource(code), nil
	}
	if up := st.uploadedYears(code); len(up) > 0 && domain.ErrorCodeOf(err) == domain.EOutOfRange {
		info, _ := Lookup(code)
		return nil, "", domain.Errorf(domain.EOutOfRange,
			"calendar %s covers %d–%d and the uploaded years %s; %d is in neither: upload that year's list first",
			code, info.FromYear, info.ToYear, joinYears(up), year)
	}
	return nil, "", err
}

// closures returns the closures declared on code in year.
func (st *Stored) closures(code string, year int) []Holiday {
	if st == nil {
		return nil
	}
	var out []Holiday
	for _, h := range st.Closures[code] {
		if h.Date.Year == year {
			out = append(out, h)
		}
	}
	return out
}

// UploadedYears returns the years for which calendar code has an uploaded
// list, in order (nil when none).
func (st *Stored) UploadedYears(code string) []int {
	return st.uploadedYears(strings.ToUpper(code))
}

func (st *Stored) uploadedYears(code string) []int {
	if st == nil || len(st.Uploads[code]) == 0 {
		return nil
	}
	years := make([]int, 0, len(st.Uploads[code]))
	for y := range st.Uploads[code] {
		years = append(years, y)
	}
	slices.Sort(years)
	return years
}

func joinYears(ys []int) string {
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = fmt.Sprint(y)
	}
	return strings.Join(s, ", ")
}

// PostHolidays returns a post's effective holidays in year: the holidays of
// its base calendars (Base: uploads, computed lists and calendar closures)
// plus its own closures in that year, minus every base holiday on an
// exclusion date, by the rules of Layer. A calendar closure counts as a base
// holiday, so a post that stayed open on a national día cívico excludes its
// date. closures and exclusions may span any years; only year's are used.
//
// Every calendar that does not cover year is reported in one EOutOfRange
// error naming each calendar and its range; an unknown code is ENotFound.
// PostHolidays is pure and allocates only its result and scratch maps:
// cheap enough to precompute every post's year (tens of microseconds).
func (st *Stored) PostHolidays(calendarCodes []string, year int, closures []Holiday, exclusions []domain.Date) ([]Effective, error) {
	base := make(map[string][]Holiday, len(calendarCodes))
	// relabel gives the entries Layer labels CalendarSource(code) their
	// real source (an upload, a calendar closure) where it is not that.
	relabel := map[Effective]string{}
	var outOfRange *domain.Error
	for _, code := range calendarCodes {
		code = strings.ToUpper(code)
		es, err := st.Base(code, year)
		var de *domain.Error
		switch {
		case errors.As(err, &de) && de.Code == domain.EOutOfRange:
			if outOfRange == nil {
				outOfRange = de
			} else {
				outOfRange = domain.Errorf(domain.EOutOfRange, "%s; %s", outOfRange, de)
			}
			continue
		case err != nil:
			return nil, err
		}
		hs := make([]Holiday, len(es))
		for i, e := range es {
			hs[i] = Holiday{Date: e.Date, Name: e.Name}
			if e.Source != CalendarSource(code) {
				relabel[Effective{Date: e.Date, Name: e.Name, Source: CalendarSource(code)}] = e.Source
			}
		}
		base[code] = hs
	}
	if outOfRange != nil {
		return nil, outOfRange
	}
	var own []Holiday
	for _, h := range closures {
		if h.Date.Year == year {
			own = append(own, h)
		}
	}
	out := Layer(base, own, exclusions)
	for i, e := range out {
		if s, ok := relabel[e]; ok {
			out[i].Source = s
		}
	}
	return out, nil
}

// EffectiveSet builds the nanosecond lookup of a post's effective holidays
// (the result of PostHolidays, for one or more years appended together).
func EffectiveSet(es []Effective) *Set {
	hs := make([]Holiday, len(es))
	for i, e := range es {
		hs[i] = Holiday{Date: e.Date, Name: e.Name}
	}
	return NewSet(hs)
}
