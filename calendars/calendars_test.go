package calendars

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

func TestBaseCalendars(t *testing.T) {
	tests := []struct {
		code     string
		year     int
		contains []Holiday // each must be in the list
		lacks    []Holiday // none may be
	}{
		{"JP", 2026, []Holiday{{d(2026, 1, 1), "元日"}}, nil},
		{"jp", 2026, []Holiday{{d(2026, 1, 1), "元日"}}, nil}, // codes are case-insensitive
		// Rules outside the data's 2020–2040: actual and observed day.
		{"US", 2050, []Holiday{{d(2050, 12, 25), "Christmas Day"}, {d(2050, 12, 26), "Christmas Day (observed)"}}, nil},
		{"JP", 2045, []Holiday{{d(2045, 1, 1), "New Year's Day"}}, nil},
		// A substitute day crossing New Year: 1 Jan 2011 was a Saturday.
		{"US", 2010, []Holiday{{d(2010, 12, 31), "New Year's Day (observed)"}}, []Holiday{{d(2011, 1, 1), "New Year's Day"}}},
		// Data-only country.
		{"TH", 2030, []Holiday{{d(2030, 4, 13), "วันสงกรานต์"}, {d(2030, 4, 16), "ชดเชยวันสงกรานต์"}}, nil},
	}
	for _, tt := range tests {
		got, err := Holidays(tt.code, tt.year)
		if err != nil {
			t.Fatalf("Holidays(%s, %d): %v", tt.code, tt.year, err)
		}
		for _, h := range tt.contains {
			if !slices.Contains(got, h) {
				t.Errorf("Holidays(%s, %d) lacks %v; got %v", tt.code, tt.year, h, got)
			}
		}
		for _, h := range tt.lacks {
			if slices.Contains(got, h) {
				t.Errorf("Holidays(%s, %d) has %v", tt.code, tt.year, h)
			}
		}
		for _, h := range got {
			if h.Date.Year != tt.year {
				t.Errorf("Holidays(%s, %d) has %v from another year", tt.code, tt.year, h)
			}
		}
	}
}

func TestHolidaysErrors(t *testing.T) {
	tests := []struct {
		code string
		year int
		want *domain.Error
	}{
		{"XX", 2026, domain.Errorf(domain.ENotFound, `no calendar with code "XX"`)},
		{"TH", 2019, domain.Errorf(domain.EOutOfRange, "calendar TH covers 2020–2040; 2019 is outside it")},
		{"TH", 2041, domain.Errorf(domain.EOutOfRange, "calendar TH covers 2020–2040; 2041 is outside it")},
		{"IN", 2036, domain.Errorf(domain.EOutOfRange, "calendar IN covers 2020–2035; 2036 is outside it")},
		{"LK", 2027, domain.Errorf(domain.EOutOfRange, "calendar LK covers 2020–2026; 2027 is outside it")},
		{"JP", 1999, domain.Errorf(domain.EOutOfRange, "calendar JP covers 2000–2100; 1999 is outside it")},
		{"UA", 2041, domain.Errorf(domain.EOutOfRange, "calendar UA covers 2000–2040; 2041 is outside it")},
	}
	for _, tt := range tests {
		hs, err := Holidays(tt.code, tt.year)
		if diff := cmp.Diff(tt.want.InEnglish(), inEnglish(err)); diff != "" {
			t.Errorf("Holidays(%s, %d) error mismatch (-want +got):\n%s", tt.code, tt.year, diff)
		}
		if hs != nil {
			t.Errorf("Holidays(%s, %d) = %v with an error", tt.code, tt.year, hs)
		}
	}
}

// TestUkraineMartialLaw: the data has no holidays after March 2022 (martial
// law), and the rules serve only the years before the data.
func TestUkraineMartialLaw(t *testing.T) {
	for year, wantEmpty := range map[int]bool{2019: false, 2021: false, 2023: true, 2040: true} {
		hs, err := Holidays("UA", year)
		if err != nil {
			t.Fatalf("Holidays(UA, %d): %v", year, err)
		}
		if hs == nil || (len(hs) == 0) != wantEmpty {
			t.Errorf("Holidays(UA, %d) = %v, want empty %v (and never nil)", year, hs, wantEmpty)
		}
	}
}

func TestListAndLookup(t *testing.T) {
	list := List()
	if !slices.IsSortedFunc(list, func(a, b Info) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("List is not sorted by code")
	}
	national := 0
	for _, info := range list {
		if info.Subdivision == "" {
			national++
		}
	}
	if national != 248 || len(list) != 248+617 { // 247 countries with rows in the data set, and CO; 617 subdivisions
		t.Errorf("List has %d national and %d calendars in all, want 248 and 865", national, len(list))
	}
	want := map[string]Info{
		"CO": {Code: "CO", Name: "Colombia", Source: SourceColombia, FromYear: 1984, ToYear: 2100},
		"JP": {Code: "JP", Name: "Japan", Source: SourceDataRules, FromYear: 2000, ToYear: 2100},
		"AU": {Code: "AU", Name: "Australia", Source: SourceData, FromYear: 2020, ToYear: 2040},
		"GW": {Code: "GW", Name: "Guinea-Bissau", Source: SourceData, FromYear: 2023, ToYear: 2040},
		"UA": {Code: "UA", Name: "Ukraine", Source: SourceDataRules, FromYear: 2000, ToYear: 2040},
		// Regional calendars: the data's years, and the country's limits.
		"ES-MD": {Code: "ES-MD", Name: "Spain (MD)", Source: SourceData, FromYear: 2020, ToYear: 2040, Country: "ES", Subdivision: "MD"},
		"US-FL": {Code: "US-FL", Name: "United States (FL)", Source: SourceData, FromYear: 2020, ToYear: 2040, Country: "US", Subdivision: "FL"},
		"IN-DL": {Code: "IN-DL", Name: "India (DL)", Source: SourceData, FromYear: 2020, ToYear: 2035, Country: "IN", Subdivision: "DL"},
	}
	for code, w := range want {
		got, ok := Lookup(strings.ToLower(code))
		if !ok {
			t.Errorf("Lookup(%s) not found", code)
		}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("Lookup(%s) mismatch (-want +got):\n%s", code, diff)
		}
	}
	if _, ok := Lookup("XX"); ok {
		t.Error("Lookup(XX) found")
	}
	for _, info := range list {
		if info.Name == info.Code || info.Name == "" {
			t.Errorf("%s has no English name", info.Code)
		}
		if info.FromYear > info.ToYear || info.Source == "" {
			t.Errorf("%s: bad info %+v", info.Code, info)
		}
		if _, err := Holidays(info.Code, info.ToYear); err != nil {
			t.Errorf("Holidays(%s, %d): %v", info.Code, info.ToYear, err)
		}
	}
	for code := range rickarCountries {
		if info, _ := Lookup(code); info.Source != SourceDataRules {
			t.Errorf("%s: Source %q, want %q (every rickar country is in the data)", code, info.Source, SourceDataRules)
		}
	}
}

// TestDataMatchesFile checks the parsed data set against rows of the file.
func TestDataMatchesFile(t *testing.T) {
	hs, err := Holidays("AD", 2020)
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{{d(2020, 1, 1), "Cap d'Any"}, {d(2020, 1, 6), "Reis"}, {d(2020, 2, 24), "Carnaval"}, {d(2020, 3, 14), "Dia de la Constitució"}}
	if diff := cmp.Diff(want, hs[:4]); diff != "" {
		t.Errorf("AD 2020 mismatch (-want +got):\n%s", diff)
	}
	hs, _ = Holidays("AL", 2027) // a quoted name with a comma
	if !slices.Contains(hs, Holiday{d(2027, 5, 17), "Dita e Kurban Bajramit (ditë pushimi e shtyrë, e vlerësuar)"}) {
		t.Errorf("AL 2027 lacks the quoted name: %v", hs)
	}
}

func TestHolidaysReturnsACopy(t *testing.T) {
	a, _ := Holidays("CO", 2026)
	a[0].Name = "changed"
	b, _ := Holidays("CO", 2026)
	if b[0].Name != "Año Nuevo" {
		t.Errorf("a caller's change reached the cache: %q", b[0].Name)
	}
}

// TestConcurrentUse is for -race: rickar's JP rules write shared state, and
// the cache and registry are filled lazily.
func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for y := 2041; y <= 2060; y++ {
				for _, code := range []string{"JP", "US", "CO", "GB"} {
					if _, err := Holidays(code, y+i%2); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
}

// inEnglish is err with its message rendered, for comparing with cmp.
func inEnglish(err error) *domain.Error {
	var e *domain.Error
	if !errors.As(err, &e) {
		return nil
	}
	return e.InEnglish()
}
