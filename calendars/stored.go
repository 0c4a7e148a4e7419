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
// in that year (for a regional calendar, its country's: a día cívico
// declared on ES closes Madrid too). Sources are UploadSource(code),
// CalendarSource(code) and CalendarClosureSource(code). An unknown code is
// an ENotFound error; a year neither computed nor uploaded is an
// EOutOfRange error naming the range.
func (st *Stored) Base(code string, year int) ([]Effective, error) {
	code = strings.ToUpper(code)
	es, source, err := st.list(code, year)
	if err != nil {
		return nil, err
	}
	out := make([]Effective, 0, len(es)+1)
	for _, e := range es {
		out = append(out, Effective{Date: e.Date, Name: e.Name, Source: source, NameEN: e.NameEN, NameES: e.NameES})
	}
	closed := code
	if country, _, ok := cutSubdivision(code); ok {
		closed = country
	}
	for _, h := range st.closures(closed, year) {
		out = append(out, Effective{Date: h.Date, Name: h.Name, Source: CalendarClosureSource(closed)})
	}
	// Stable: a closure sorts after the list's holidays on its date.
	slices.SortStableFunc(out, func(a, b Effective) int { return a.Date.Compare(b.Date) })
	return out, nil
}

// list returns the uploaded or computed list of code in year, and its source.
func (st *Stored) list(code string, year int) ([]Entry, string, error) {
	if st != nil {
		if hs, ok := st.Uploads[code][year]; ok {
			es := make([]Entry, len(hs))
			for i, h := range hs {
				es[i] = Entry{Holiday: h}
			}
			return es, UploadSource(code), nil
		}
	}
	es, err := entries(code, year)
	if err == nil {
		return es, CalendarSource(code), nil
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

// PostRules is what a post's holidays are made of: the base calendars it
// takes whole, the days it picks by name from others, its own closures and
// the base holidays it works through (exclusions).
type PostRules struct {
	Calendars  []string
	Picks      []Pick
	Closures   []Holiday
	Exclusions []domain.Date
}

// PostHolidays is PostYear for a post with no picked days.
func (st *Stored) PostHolidays(calendarCodes []string, year int, closures []Holiday, exclusions []domain.Date) ([]Effective, error) {
	return st.PostYear(PostRules{Calendars: calendarCodes, Closures: closures, Exclusions: exclusions}, year)
}

// PostYear returns a post's effective holidays in year: the holidays of its
// base calendars (Base: uploads, computed lists and calendar closures), the
// days it picks from other calendars (source PickSource(code)), plus its own
// closures in that year, minus every base or picked holiday on an exclusion
// date, by the rules of Layer (picks come after the whole calendars on a
// date). A calendar closure counts as a base holiday, so a post that stayed
// open on a national día cívico excludes its date. Closures and exclusions
// may span any years; only year's are used.
//
// Every calendar (taken whole or picked from) that does not cover year is
// reported in one EOutOfRange error naming each calendar and its range (see
// Uncovered to leave them out instead); an unknown code is ENotFound.
// PostYear is pure and allocates only its result and scratch maps: cheap
// enough to precompute every post's year (tens of microseconds).
func (st *Stored) PostYear(r PostRules, year int) ([]Effective, error) {
	var base []Effective
	var outOfRange []*domain.Error
	add := func(code string, keep func(Effective) (Effective, bool)) error {
		es, err := st.Base(code, year)
		var de *domain.Error
		switch {
		case errors.As(err, &de) && de.Code == domain.EOutOfRange:
			if !slices.ContainsFunc(outOfRange, func(o *domain.Error) bool { return o.Text().String() == de.Text().String() }) {
				outOfRange = append(outOfRange, de)
			}
			return nil
		case err != nil:
			return err
		}
		for _, e := range es {
			if e, ok := keep(e); ok {
				base = append(base, e)
			}
		}
		return nil
	}
	whole := func(e Effective) (Effective, bool) { return e, true }
	for _, code := range sortedUpper(r.Calendars) {
		if err := add(code, whole); err != nil {
			return nil, err
		}
	}
	for _, code := range pickedCalendars(r.Picks) {
		picked := func(e Effective) (Effective, bool) {
			if e.Source == CalendarClosureSource(code) || !pickedName(r.Picks, code, e.Name) {
				return e, false // a calendar's one-off closures are not its named days
			}
			e.Source = PickSource(code)
			return e, true
		}
		if err := add(code, picked); err != nil {
			return nil, err
		}
	}
	if len(outOfRange) > 0 {
		err := outOfRange[0]
		for _, de := range outOfRange[1:] {
			err = domain.Errorf(domain.EOutOfRange, "%s; %s", err, de)
		}
		return nil, err
	}
	var own []Holiday
	for _, h := range r.Closures {
		if h.Date.Year == year {
			own = append(own, h)
		}
	}
	return layer(base, own, r.Exclusions), nil
}

// Uncovered returns, sorted, the calendars of r (taken whole or picked
// from) that do not know year: neither computed nor uploaded. A post's
// holidays that year are then unknown in part, and decisions say so.
func (st *Stored) Uncovered(r PostRules, year int) []string {
	var out []string
	codes := append(sortedUpper(r.Calendars), pickedCalendars(r.Picks)...)
	for _, code := range codes {
		if _, _, err := st.list(code, year); domain.ErrorCodeOf(err) == domain.EOutOfRange && !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out
}

// Covered returns r without the calendars (whole or picked from) that do
// not know year: what can be known of the post's holidays that year.
func (st *Stored) Covered(r PostRules, year int) PostRules {
	missing := st.Uncovered(r, year)
	if len(missing) == 0 {
		return r
	}
	out := r
	out.Calendars = slices.DeleteFunc(slices.Clone(r.Calendars), func(c string) bool { return slices.Contains(missing, strings.ToUpper(c)) })
	out.Picks = slices.DeleteFunc(slices.Clone(r.Picks), func(p Pick) bool { return slices.Contains(missing, strings.ToUpper(p.Calendar)) })
	return out
}

func sortedUpper(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = strings.ToUpper(c)
	}
	slices.Sort(out)
	return slices.Compact(out)
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
