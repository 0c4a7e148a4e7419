package calendars

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/csv"
	"fmt"
	"io"

	"franja/domain"
)

// datasetFS holds the python-holidays data set (see data/NOTICE for its
// origin and MIT licence): country,date,name rows for 2020–2040, gzipped.
//
//go:embed data/public-holidays-2020-2040.csv.gz data/NOTICE
var datasetFS embed.FS

const datasetPath = "data/public-holidays-2020-2040.csv.gz"

// dataCountry is one country's rows of the data set, by year.
type dataCountry struct {
	years    map[int][]Holiday
	from, to int // covered range
}

// dataRange overrides the covered range that the rows themselves suggest
// (their first and last year) where the data is known to be incomplete or
// deliberately empty at an end:
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
func loadDataset() map[string]*dataCountry {
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

func parseDataset(gz []byte) (map[string]*dataCountry, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(zr)
	r.FieldsPerRecord = 3
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil { // header: country,date,name
		return nil, err
	}
	out := map[string]*dataCountry{}
	names := map[string]string{} // interned names: the data repeats them every year
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		d, err := domain.ParseDate(rec[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line(r), err)
		}
		c := out[rec[0]]
		if c == nil {
			c = &dataCountry{years: map[int][]Holiday{}, from: d.Year, to: d.Year}
			out[rec[0]] = c
		}
		c.years[d.Year] = append(c.years[d.Year], Holiday{Date: d, Name: intern(names, rec[2])})
		c.from, c.to = min(c.from, d.Year), max(c.to, d.Year)
	}
	for code, c := range out {
		for _, hs := range c.years {
			sortHolidays(hs)
		}
		if r, ok := dataRange[code]; ok {
			c.from, c.to = r[0], r[1]
		}
	}
	return out, nil
}

func line(r *csv.Reader) int {
	l, _ := r.FieldPos(0)
	return l
}

// intern returns one shared copy of s: every row's strings are new, and most
// names recur each of the 21 years.
func intern(m map[string]string, s string) string {
	if v, ok := m[s]; ok {
		return v
	}
	m[s] = s
	return s
}

// dataCalendar is a calendar backed by the data set alone.
func dataCalendar(code string, d *dataCountry) calendar {
	return calendar{
		info:    Info{Code: code, Name: countryName(code), Source: SourceData, FromYear: d.from, ToYear: d.to},
		compute: d.holidays,
	}
}

// holidays returns a copy of year's rows (none is a valid answer: UA under
// martial law).
func (d *dataCountry) holidays(year int) []Holiday {
	return append([]Holiday{}, d.years[year]...)
}
