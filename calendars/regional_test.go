package calendars

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fileRows returns every row of calendar code (a country, or
// country-subdivision) in year, as "date|name|name_en|name_es" sorted, read
// from the embedded file the plain way, without the registry's sharing of
// national rows.
func fileRows(t *testing.T, code string, year int) []string {
	t.Helper()
	fileOnce.Do(func() { fileIndex, fileErr = readFileRows() })
	if fileErr != nil {
		t.Fatal(fileErr)
	}
	return fileIndex[code+"|"+strconv.Itoa(year)]
}

var (
	fileOnce  sync.Once
	fileIndex map[string][]string
	fileErr   error
)

func readFileRows() (map[string][]string, error) {
	gz, err := datasetFS.ReadFile(datasetPath)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(zr)
	out := map[string][]string{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		code := rec[0]
		if rec[1] != "" {
			code += "-" + rec[1]
		}
		en := rec[4]
		if en == rec[3] {
			en = ""
		}
		key := code + "|" + rec[2][:4]
		out[key] = append(out[key], strings.Join([]string{rec[2], rec[3], en, rec[5]}, "|"))
	}
	for _, rows := range out {
		slices.Sort(rows)
	}
	return out, nil
}

func entryRows(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = strings.Join([]string{e.Date.String(), e.Name, e.NameEN, e.NameES}, "|")
	}
	slices.Sort(out)
	return out
}

// TestRegionalCalendarsMatchTheFile compares subdivision years, rebuilt from
// their country's rows and their own, with the file's rows: the named ones
// a post abroad is likely to use, and a fixed random sample of the rest.
func TestRegionalCalendarsMatchTheFile(t *testing.T) {
	type sample struct {
		code string
		year int
	}
	samples := []sample{{"ES-MD", 2026}, {"US-FL", 2030}, {"DE-BY", 2025}, {"CH-ZH", 2040}, {"IN-DL", 2035}, {"AU-NSW", 2021}}
	var regional []string
	for _, info := range List() {
		if info.Subdivision != "" {
			regional = append(regional, info.Code)
		}
	}
	r := rand.New(rand.NewPCG(14, 2026))
	for range 40 {
		samples = append(samples, sample{regional[r.IntN(len(regional))], 2020 + r.IntN(21)})
	}
	for _, s := range samples {
		info, _ := Lookup(s.code)
		if s.year > info.ToYear {
			continue
		}
		es, err := Entries(s.code, s.year)
		if err != nil {
			t.Errorf("Entries(%s, %d): %v", s.code, s.year, err)
			continue
		}
		want := fileRows(t, s.code, s.year)
		if len(want) == 0 {
			t.Errorf("%s %d: the file has no rows; the sample is no test", s.code, s.year)
		}
		if diff := cmp.Diff(want, entryRows(es)); diff != "" {
			t.Errorf("%s %d differs from the file (-file +calendar):\n%s", s.code, s.year, diff)
		}
	}
	// And a national calendar, whose rows the regional ones share.
	es, _ := Entries("ES", 2026)
	if diff := cmp.Diff(fileRows(t, "ES", 2026), entryRows(es)); diff != "" {
		t.Errorf("ES 2026 differs from the file (-file +calendar):\n%s", diff)
	}
}

func TestRegionalCalendars(t *testing.T) {
	md, err := Holidays("es-md", 2026)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(md, Holiday{d(2026, 5, 2), "Fiesta de la Comunidad de Madrid"}) {
		t.Errorf("ES-MD 2026 lacks Madrid's 2 May: %v", md)
	}
	es, _ := Holidays("ES", 2026)
	if slices.Contains(es, Holiday{d(2026, 5, 2), "Fiesta de la Comunidad de Madrid"}) {
		t.Error("Spain's national calendar has Madrid's day")
	}
	if _, err := Holidays("ES-MD", 2041); err == nil || !strings.Contains(err.Error(), "ES-MD covers 2020–2040") {
		t.Errorf("ES-MD 2041: %v, want out of range", err)
	}
	if _, ok := Lookup("CO-DC"); ok {
		t.Error("Colombia has a regional calendar from the data; its holidays are computed")
	}
}

func TestEntriesNames(t *testing.T) {
	find := func(code string, year int, name string) Entry {
		t.Helper()
		es, err := Entries(code, year)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Name == name {
				return e
			}
		}
		t.Fatalf("%s %d has no %q", code, year, name)
		return Entry{}
	}
	tests := []struct {
		got        Entry
		en, es     string
		localES    string
		localEN    string
		sourceName string
	}{
		{find("JP", 2026, "文化の日"), "Culture Day", "", "Culture Day", "Culture Day", "文化の日"},
		{find("ES", 2026, "Año Nuevo"), "New Year's Day", "Año Nuevo", "Año Nuevo", "New Year's Day", "Año Nuevo"},
		{find("CO", 2026, "Batalla de Boyacá"), "Battle of Boyacá", "Batalla de Boyacá", "Batalla de Boyacá", "Battle of Boyacá", "Batalla de Boyacá"},
		{find("US", 2026, "Independence Day"), "", "", "Independence Day", "Independence Day", "Independence Day"},
	}
	for _, tt := range tests {
		if tt.got.NameEN != tt.en || tt.got.NameES != tt.es {
			t.Errorf("%s: en %q es %q, want %q %q", tt.got.Name, tt.got.NameEN, tt.got.NameES, tt.en, tt.es)
		}
		e := Effective{Date: tt.got.Date, Name: tt.got.Name, NameEN: tt.got.NameEN, NameES: tt.got.NameES}
		if e.Localized(false) != tt.localES || e.Localized(true) != tt.localEN {
			t.Errorf("%s: localized es %q en %q, want %q %q", tt.got.Name, e.Localized(false), e.Localized(true), tt.localES, tt.localEN)
		}
	}
	for _, name := range coHolidays {
		if coEnglish[name.Name] == "" {
			t.Errorf("CO's %q has no English name", name.Name)
		}
	}
}

// BenchmarkParseDataset is the cost of reading the embedded data set
// (260,000 rows: national and regional calendars), paid once per process,
// on first use (franja serve starts it beside the view's load).
func BenchmarkParseDataset(b *testing.B) {
	raw, err := datasetFS.ReadFile(datasetPath)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := parseDataset(raw); err != nil {
			b.Fatal(err)
		}
	}
}
