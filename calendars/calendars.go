package calendars

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rickar/cal/v2"

	"franja/domain"
)

// Holiday is one holiday: the local date on which it is not worked (after
// any move to Monday or substitution) and its name. Two holidays on one date
// are two Holidays.
type Holiday struct {
	Date domain.Date `json:"date"`
	Name string      `json:"name"`
}

// Entry is a holiday with its name in English and in Spanish where the
// source gives them ("" where it does not). Holiday.Name is always the name
// as the source writes it, in the country's own language and script.
type Entry struct {
	Holiday
	NameEN, NameES string
}

// Info describes a base calendar: its code (ISO 3166-1 alpha-2 for a
// country; country, dash and ISO 3166-2 subdivision for a regional calendar,
// e.g. "ES-MD" or "US-FL"), its English name, where its dates come from, and
// the years it covers (inclusive). Source is one of the Source… constants.
// A regional calendar is the region's complete set (the national holidays
// it keeps and its own), not a difference.
type Info struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Source   string `json:"source"`
	FromYear int    `json:"from_year"`
	ToYear   int    `json:"to_year"`
	// Country and Subdivision are set for a regional calendar.
	Country     string `json:"country,omitempty"`
	Subdivision string `json:"subdivision,omitempty"`
}

// The values of Info.Source.
const (
	// SourceColombia means computed from Ley 51 de 1983 and Ley 2578 de 2026.
	SourceColombia = "rules:ley-51-1983"
	// SourceRules means computed from rickar/cal's holiday rules.
	SourceRules = "rules:rickar/cal"
	// SourceData means looked up in the embedded python-holidays data set.
	SourceData = "data:python-holidays"
	// SourceDataRules means the python-holidays data for the years it covers
	// (2020–2040) and rickar/cal's rules for the other covered years.
	SourceDataRules = "data:python-holidays+rules:rickar/cal"
)

// calendar is one entry of the registry: its description and how to compute
// a covered year.
type calendar struct {
	info    Info
	compute func(year int) []Entry
}

// registry is built once, on first use, because it needs the embedded data
// set parsed (~150 ms for its 260,000 rows); a process that never asks for a
// calendar never pays.
var registry = sync.OnceValue(buildRegistry)

func buildRegistry() map[string]calendar {
	reg := map[string]calendar{
		"CO": {
			info:    Info{Code: "CO", Name: countryName("CO"), Source: SourceColombia, FromYear: coFromYear, ToYear: coToYear},
			compute: colombia,
		},
	}
	data := loadDataset()
	for code, d := range data {
		if country, _, _ := cutSubdivision(code); country != "CO" { // Colombia is computed, never looked up (the data omits it anyway)
			reg[code] = dataCalendar(code, d)
		}
	}
	for code, rules := range rickarCountries {
		reg[code] = withRules(reg[code], code, rules, data[code])
	}
	return reg
}

// List returns every base calendar, sorted by code. The slice is the
// caller's.
func List() []Info {
	reg := registry()
	out := make([]Info, 0, len(reg))
	for _, c := range reg {
		out = append(out, c.info)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// Lookup returns the calendar with code (case-insensitive), and whether it
// exists.
func Lookup(code string) (Info, bool) {
	c, ok := registry()[strings.ToUpper(code)]
	return c.info, ok
}

type cacheKey struct {
	code string
	year int
}

// cache holds each computed (code, year) list. Entries are never mutated
// after they are stored; Holidays and Entries hand out copies. Its size is
// bounded by the years asked for, within the registry's covered ranges.
var cache sync.Map // cacheKey → []Entry

// Holidays returns the holidays of calendar code (case-insensitive) in year,
// in date order (entries on one date keep a stable order), with their
// names as the source writes them. An unknown code is a domain.ENotFound
// error; a year outside the calendar's covered range is a
// domain.EOutOfRange error naming the range. The slice is a fresh copy: the
// caller may keep or modify it, and it is never nil (a year may have no
// holidays: UA under martial law).
func Holidays(code string, year int) ([]Holiday, error) {
	es, err := entries(code, year)
	if err != nil {
		return nil, err
	}
	out := make([]Holiday, len(es))
	for i, e := range es {
		out[i] = e.Holiday
	}
	return out, nil
}

// Entries is Holidays with each holiday's English and Spanish names, where
// the source has them.
func Entries(code string, year int) ([]Entry, error) {
	es, err := entries(code, year)
	if err != nil {
		return nil, err
	}
	return append([]Entry{}, es...), nil
}

// entries returns the cached list of code in year; never modify it.
func entries(code string, year int) ([]Entry, error) {
	code = strings.ToUpper(code)
	c, ok := registry()[code]
	if !ok {
		return nil, domain.Errorf(domain.ENotFound, "no calendar with code %q", code)
	}
	if year < c.info.FromYear || year > c.info.ToYear {
		return nil, domain.Errorf(domain.EOutOfRange, "calendar %s covers %d–%d; %d is outside it",
			code, c.info.FromYear, c.info.ToYear, year)
	}
	key := cacheKey{code, year}
	v, ok := cache.Load(key)
	if !ok {
		// Two goroutines may compute the same year at once; both results are
		// equal and LoadOrStore keeps one.
		v, _ = cache.LoadOrStore(key, c.compute(year))
	}
	return v.([]Entry), nil
}

// cutSubdivision splits a regional calendar's code ("ES-MD") into country
// and subdivision; ok is false for a country's code.
func cutSubdivision(code string) (country, sub string, ok bool) {
	return strings.Cut(code, "-")
}

// calDate returns the calendar date a rickar/cal result stands for. rickar
// builds "midnight" in cal.DefaultLoc (the process's local zone), and in a
// zone whose DST change happens at midnight time.Date may land on 23:00 of
// the previous day (seen with America/Santiago). Noon-ward rounding is immune:
// any of 23:00 the day before, 00:00 or 01:00 plus 12 h is on the right date.
func calDate(t time.Time) domain.Date {
	return domain.DateOf(t.Add(12 * time.Hour))
}

// calcDates returns h's actual date in year and the date it is observed on
// (after rickar's Observed substitution), or ok false when h is not in force
// that year. The substitution is applied here, on the corrected date, rather
// than by Calc: Calc takes the weekday of its possibly mis-dated midnight (see
// calDate), which moved 12 Oct 2008 in America/Santiago from Sunday to a
// Saturday's rule.
func calcDates(h *cal.Holiday, year int) (actual, observed domain.Date, ok bool) {
	t, _ := h.Calc(year)
	if t.IsZero() {
		return domain.Date{}, domain.Date{}, false
	}
	actual = calDate(t)
	wd := actual.Weekday()
	for _, o := range h.Observed {
		if o.Day == wd {
			return actual, actual.AddDays(o.Offset), true
		}
	}
	return actual, actual, true
}

// sortHolidays sorts hs by date, keeping the order of same-date entries.
func sortHolidays(hs []Holiday) {
	slices.SortStableFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
}

// sortEntries sorts es by date, keeping the order of same-date entries.
func sortEntries(es []Entry) {
	slices.SortStableFunc(es, func(a, b Entry) int { return a.Date.Compare(b.Date) })
}
