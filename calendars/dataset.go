package calendars

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"time"

	"franja/domain"
)

// datasetFS holds the python-holidays data set (see data/NOTICE for its
// origin and MIT licence), gzipped: country,subdivision,date,name,name_en,
// name_es rows for 2020–2040. A row with an empty subdivision is a national
// holiday; a subdivision's rows are its complete set for the year.
//
//go:embed data/holidays-2020-2040.csv.gz data/NOTICE
var datasetFS embed.FS

const datasetPath = "data/holidays-2020-2040.csv.gz"

// dataCountry is one calendar's rows of the data set, by year: a country's
// national holidays or a subdivision's complete set.
type dataCountry struct {
	rows     map[int][]Entry
	from, to int // covered range
}

// dataRange overrides the covered range that the rows themselves suggest
// (their first and last year) where the data is known to be incomplete or
// deliberately empty at an end; a country's subdivisions share its range:
//   - FJ, GY, IN, MU, NP, SR: their Hindu lunar-calendar holidays (Holi,
//     Diwali, …) are only computed to 2035; 2036–2040 hold the solar ones
//     alone (IN drops from ~19 to 10 a year), so those years are not covered
//     rather than silently wrong.
//   - UA: martial law (since 24 Feb 2022) suspends public holidays; the data
//     has none after 8 Mar 2022, which is correct, so UA's data covers the
//     whole 2020–2040 even though its last row is in 2022.
//
// LK (Poya days to 2026 only: rows end in 2026) and GW (rows start in 2023)
// need no override: their row years are their range.
var dataRange = map[string][2]int{
	"FJ": {2020, 2035}, "GY": {2020, 2035}, "IN": {2020, 2035},
	"MU": {2020, 2035}, "NP": {2020, 2035}, "SR": {2020, 2035},
	"UA": {2020, 2040},
}

// loadDataset parses the embedded data set. It panics on a malformed file:
// the file is part of the binary and a test parses it.
func loadDataset() map[string]yearSource {
	raw, err := datasetFS.ReadFile(datasetPath)
	if err != nil {
		panic(err)
	}
	out, err := parseDataset(raw)
	if err != nil {
		panic(fmt.Sprintf("calendars: embedded %s: %v", datasetPath, err))
	}
	return out
}

// parseDataset reads the file into one calendar per country ("JP") and per
// subdivision ("ES-MD"), by code.
//
// A subdivision's rows repeat most of its country's (186,000 of the 260,000
// rows), so a subdivision keeps only which national rows it shares (by
// index) and its own: a few hundred kilobytes instead of a dozen megabytes.
// That needs a country's national rows read before its subdivisions', as
// the file is sorted; a file that is not is refused.
func parseDataset(gz []byte) (map[string]yearSource, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(zr)
	r.FieldsPerRecord = 6
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil { // header: country,subdivision,date,name,name_en,name_es
		return nil, err
	}
	nations := map[string]*dataCountry{}
	subs := map[string]*subCalendar{}
	// index finds the current country's national rows by date and name
	// (the file is sorted by country: an index per country stays small).
	index, current := map[nationalKey]uint16{}, ""
	withSubs := map[string]bool{} // countries whose subdivisions have been read
	names := map[string]string{}  // interned names: the data repeats them every year
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		d, ok := parseISODate(rec[2])
		if !ok {
			return nil, fmt.Errorf("line %d: %q is not a date in the form YYYY-MM-DD", line(r), rec[2])
		}
		e := Entry{Holiday: Holiday{Date: d, Name: intern(names, rec[3])}}
		if rec[4] != rec[3] { // the source repeats the name where it has no translation
			e.NameEN = intern(names, rec[4])
		}
		e.NameES = intern(names, rec[5])
		country := rec[0]
		if country != current {
			index, current = make(map[nationalKey]uint16, 512), country
		}
		switch {
		case rec[1] == "":
			if withSubs[country] {
				return nil, fmt.Errorf("line %d: a national row of %s after its subdivisions' (the file must be sorted)", line(r), country)
			}
			c := addRow(nations[country], e)
			nations[country] = c
			index[nationalKey{d, e.Name}] = uint16(len(c.rows[d.Year]) - 1)
		case validSubdivision(rec[1]):
			withSubs[country] = true
			code := country + "-" + rec[1]
			s := subs[code]
			if s == nil {
				s = &subCalendar{nat: nations[country], keep: map[int][]uint16{}, own: map[int][]Entry{}, from: d.Year, to: d.Year}
				if s.nat == nil {
					s.nat = &dataCountry{}
				}
				subs[code] = s
			}
			s.from, s.to = min(s.from, d.Year), max(s.to, d.Year)
			if i, ok := index[nationalKey{d, e.Name}]; ok && s.nat.rows[d.Year][i] == e {
				s.keep[d.Year] = append(s.keep[d.Year], i)
			} else {
				s.own[d.Year] = append(s.own[d.Year], e)
			}
		}
	}
	out := make(map[string]yearSource, len(nations)+len(subs))
	for code, c := range nations {
		// Not sorted: the indices the subdivisions keep point into the
		// rows as read, which the file gives in date order.
		if r, ok := dataRange[code]; ok {
			c.from, c.to = r[0], r[1]
		}
		for y, rows := range c.rows {
			c.rows[y] = slices.Clone(rows) // exactly sized: append left up to half of each unused
		}
		out[code] = c
	}
	for code, s := range subs {
		country, _, _ := cutSubdivision(code)
		if r, ok := dataRange[country]; ok {
			s.from, s.to = r[0], r[1]
		}
		for y := range s.own {
			s.own[y] = slices.Clone(s.own[y])
		}
		for y := range s.keep {
			s.keep[y] = slices.Clone(s.keep[y])
		}
		out[code] = s
	}
	return out, nil
}

// nationalKey finds a national row of a country.
type nationalKey struct {
	date domain.Date
	name string
}

// parseISODate parses a YYYY-MM-DD date of the data set without the cost
// of time.Parse (260,000 rows); it checks the form and the day's range.
func parseISODate(s string) (domain.Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return domain.Date{}, false
	}
	num := func(p string) (int, bool) {
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return 0, false
			}
			n = n*10 + int(p[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:])
	date := domain.NewDate(y, time.Month(m), d)
	if !ok1 || !ok2 || !ok3 || date != (domain.Date{Year: y, Month: time.Month(m), Day: d}) {
		return domain.Date{}, false
	}
	return date, true
}

// validSubdivision reports whether s is an ISO 3166-2 subdivision code as
// the file writes them (1 to 3 upper-case letters or digits: "MD", "FL",
// "13"). The handful of city-level lists the source names in words ("Stadt
// Zurich") are left out: a post there takes its region's calendar and adds
// its own closures.
func validSubdivision(s string) bool {
	if len(s) < 1 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// yearSource is a calendar of the data set: its covered years and each
// year's entries.
type yearSource interface {
	holidays(year int) []Entry
	years() (from, to int)
}

// addRow appends e to its year in c (created when nil).
func addRow(c *dataCountry, e Entry) *dataCountry {
	y := e.Date.Year
	if c == nil {
		c = &dataCountry{rows: map[int][]Entry{}, from: y, to: y}
	}
	c.rows[y] = append(c.rows[y], e)
	c.from, c.to = min(c.from, y), max(c.to, y)
	return c
}

// subCalendar is a subdivision's complete set, stored as the national rows
// it keeps (by index into its country's year) and its own.
type subCalendar struct {
	nat      *dataCountry
	keep     map[int][]uint16
	own      map[int][]Entry
	from, to int
}

func (s *subCalendar) years() (int, int) { return s.from, s.to }

// holidays returns year's complete set, in date order (a fresh slice).
func (s *subCalendar) holidays(year int) []Entry {
	out := make([]Entry, 0, len(s.keep[year])+len(s.own[year]))
	for _, i := range s.keep[year] {
		out = append(out, s.nat.rows[year][i])
	}
	out = append(out, s.own[year]...)
	sortEntries(out)
	return out
}

func line(r *csv.Reader) int {
	l, _ := r.FieldPos(0)
	return l
}

// intern returns one shared copy of s: every row's strings are new, and most
// names recur each of the 21 years and in every subdivision.
func intern(m map[string]string, s string) string {
	if s == "" {
		return ""
	}
	if v, ok := m[s]; ok {
		return v
	}
	m[s] = s
	return s
}

// dataCalendar is a calendar backed by the data set alone: a country (code
// "JP") or a subdivision (code "ES-MD").
func dataCalendar(code string, d yearSource) calendar {
	from, to := d.years()
	info := Info{Code: code, Name: countryName(code), Source: SourceData, FromYear: from, ToYear: to}
	if country, sub, ok := cutSubdivision(code); ok {
		info.Name = countryName(country) + " (" + sub + ")"
		info.Country, info.Subdivision = country, sub
	}
	return calendar{info: info, compute: d.holidays}
}

func (d *dataCountry) years() (int, int) { return d.from, d.to }

// holidays returns a copy of year's rows (none is a valid answer: UA under
// martial law).
func (d *dataCountry) holidays(year int) []Entry {
	return append([]Entry{}, d.rows[year]...)
}
