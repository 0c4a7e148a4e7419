package calendars

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

// storedFixture has small uploaded lists for CO and JP 2026 so that layered
// results can be compared whole, a CO upload beyond its computed range
// (2101), and CO closures in 2025 and 2026.
func storedFixture() *Stored {
	return &Stored{
		Uploads: map[string]map[int][]Holiday{
			"CO": {
				2026: {{d(2026, 1, 1), "Año Nuevo"}, {d(2026, 7, 20), "Independencia"}},
				2101: {{d(2101, 1, 1), "Año Nuevo"}},
			},
			"JP": {2026: {{d(2026, 1, 1), "元日"}, {d(2026, 2, 11), "建国記念の日"}}},
			"UA": {2041: {}},
		},
		Closures: map[string][]Holiday{
			"CO": {{d(2026, 3, 2), "Día cívico"}, {d(2025, 11, 14), "Día cívico 2025"}, {d(2026, 7, 20), "Cierre nacional"}},
		},
	}
}

func TestStoredBase(t *testing.T) {
	st := storedFixture()
	tests := []struct {
		name string
		st   *Stored
		code string
		year int
		want []Effective
	}{
		{
			name: "an upload replaces the computed list; closures of that year join it",
			st:   st, code: "co", year: 2026,
			want: []Effective{
				{Date: d(2026, 1, 1), Name: "Año Nuevo", Source: "upload:CO"},
				{Date: d(2026, 3, 2), Name: "Día cívico", Source: "calendar-closure:CO"},
				{Date: d(2026, 7, 20), Name: "Independencia", Source: "upload:CO"},
				{Date: d(2026, 7, 20), Name: "Cierre nacional", Source: "calendar-closure:CO"},
			},
		},
		{
			name: "an upload covers a year beyond the computed range",
			st:   st, code: "CO", year: 2101,
			want: []Effective{{Date: d(2101, 1, 1), Name: "Año Nuevo", Source: "upload:CO"}},
		},
		{
			name: "an empty upload means no holidays",
			st:   st, code: "UA", year: 2041,
			want: []Effective{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.st.Base(tt.code, tt.year)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Base(%s, %d) (-want +got):\n%s", tt.code, tt.year, diff)
			}
		})
	}
}

func TestStoredBaseComputed(t *testing.T) {
	// Without an upload the computed list is used, plus that year's closures
	// only (the 2026 ones must not leak into 2025, nor 2025's into 2026).
	st := &Stored{Closures: storedFixture().Closures}
	for _, tc := range []struct {
		year, closures int
	}{{2025, 1}, {2026, 2}} {
		want, err := Holidays("CO", tc.year)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.Base("CO", tc.year)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want)+tc.closures {
			t.Errorf("CO %d: %d holidays, want %d computed + %d closures", tc.year, len(got), len(want), tc.closures)
		}
		n := 0
		for _, e := range got {
			switch e.Source {
			case "calendar:CO":
			case "calendar-closure:CO":
				n++
				if e.Date.Year != tc.year {
					t.Errorf("CO %d lists the closure %v of another year", tc.year, e)
				}
			default:
				t.Errorf("CO %d: unexpected source in %v", tc.year, e)
			}
		}
		if n != tc.closures {
			t.Errorf("CO %d: %d closures, want %d", tc.year, n, tc.closures)
		}
	}
	// A nil Stored is the computed calendars alone: CO 2026 has 19 dates.
	got, err := (*Stored)(nil).Base("CO", 2026)
	if err != nil || len(got) != 19 {
		t.Errorf("nil Stored: CO 2026 = %d holidays, %v; want 19", len(got), err)
	}
}

func TestStoredBaseErrors(t *testing.T) {
	st := storedFixture()
	tests := []struct {
		name     string
		code     string
		year     int
		want     domain.ErrorCode
		contains []string
	}{
		{"unknown code", "XX", 2026, domain.ENotFound, []string{"XX"}},
		{"beyond the range, no upload of that calendar", "JP", 2200, domain.EOutOfRange, []string{"JP", "2000–2100"}},
		{"beyond the range and the uploads", "CO", 2102, domain.EOutOfRange, []string{"CO", "1984–2100", "2026, 2101", "2102"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.Base(tt.code, tt.year)
			if got := domain.ErrorCodeOf(err); got != tt.want {
				t.Fatalf("error %v, code %q; want %q", err, got, tt.want)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not name %q", err, s)
				}
			}
		})
	}
}

func TestStoredPostHolidays(t *testing.T) {
	st := storedFixture()
	own := []Holiday{{d(2026, 4, 6), "Vacancia local"}, {d(2026, 7, 20), "Cierre de la misión"}, {d(2027, 1, 4), "Otro año"}}
	tests := []struct {
		name       string
		codes      []string
		exclusions []domain.Date
		want       []Effective
	}{
		{
			name:  "JP and CO plus the post's closures, labelled by source",
			codes: []string{"JP", "CO"},
			want: []Effective{
				{Date: d(2026, 1, 1), Name: "Año Nuevo", Source: "upload:CO"}, {Date: d(2026, 1, 1), Name: "元日", Source: "upload:JP"},
				{Date: d(2026, 2, 11), Name: "建国記念の日", Source: "upload:JP"},
				{Date: d(2026, 3, 2), Name: "Día cívico", Source: "calendar-closure:CO"},
				{Date: d(2026, 4, 6), Name: "Vacancia local", Source: "closure"},
				{Date: d(2026, 7, 20), Name: "Independencia", Source: "upload:CO"},
				{Date: d(2026, 7, 20), Name: "Cierre nacional", Source: "calendar-closure:CO"},
				{Date: d(2026, 7, 20), Name: "Cierre de la misión", Source: "closure"},
			},
		},
		{
			name:       "exclusions remove base holidays and calendar closures, never the post's closures",
			codes:      []string{"JP", "CO"},
			exclusions: []domain.Date{d(2026, 1, 1), d(2026, 3, 2), d(2026, 7, 20), d(2026, 4, 6), d(2027, 1, 4)},
			want: []Effective{
				{Date: d(2026, 2, 11), Name: "建国記念の日", Source: "upload:JP"},
				{Date: d(2026, 4, 6), Name: "Vacancia local", Source: "closure"},
				{Date: d(2026, 7, 20), Name: "Cierre de la misión", Source: "closure"},
			},
		},
		{
			name:  "no calendars: the closures alone",
			codes: nil,
			want: []Effective{
				{Date: d(2026, 4, 6), Name: "Vacancia local", Source: "closure"},
				{Date: d(2026, 7, 20), Name: "Cierre de la misión", Source: "closure"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.PostHolidays(tt.codes, 2026, own, tt.exclusions)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PostHolidays (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStoredPostHolidaysComputed(t *testing.T) {
	// Real computed calendars: JP and CO 2026, one closure, one exclusion of
	// a CO holiday (Reyes Magos, 12 Jan) that JP also has on that date
	// (成人の日): both go.
	jp, _ := Holidays("JP", 2026)
	co, _ := Holidays("CO", 2026)
	got, err := (*Stored)(nil).PostHolidays([]string{"JP", "CO"}, 2026,
		[]Holiday{{d(2026, 6, 1), "Cierre"}}, []domain.Date{d(2026, 1, 12)})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range got {
		count[e.Source]++
		if e.Date == d(2026, 1, 12) {
			t.Errorf("the excluded date is still listed: %v", e)
		}
	}
	want := map[string]int{"calendar:JP": len(jp) - 1, "calendar:CO": len(co) - 1, "closure": 1}
	if diff := cmp.Diff(want, count); diff != "" {
		t.Errorf("entries per source (-want +got):\n%s", diff)
	}
}

func TestStoredPostHolidaysErrors(t *testing.T) {
	st := storedFixture()
	_, err := st.PostHolidays([]string{"JP", "CO", "LK"}, 2102, nil, nil)
	if domain.ErrorCodeOf(err) != domain.EOutOfRange {
		t.Fatalf("error %v, want out_of_range", err)
	}
	for _, s := range []string{"JP covers 2000–2100", "CO covers 1984–2100", "LK covers 2020–2026"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	if _, err := st.PostHolidays([]string{"CO", "ZZ"}, 2026, nil, nil); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("unknown calendar: error %v, want not_found", err)
	}
}

func TestEffectiveSet(t *testing.T) {
	es, err := storedFixture().PostHolidays([]string{"CO"}, 2026, []Holiday{{d(2026, 7, 20), "Cierre"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := EffectiveSet(es)
	if diff := cmp.Diff([]string{"Independencia", "Cierre nacional", "Cierre"}, s.Names(d(2026, 7, 20))); diff != "" {
		t.Errorf("names on 20 Jul (-want +got):\n%s", diff)
	}
	if s.Has(d(2026, 7, 21)) || !s.Has(d(2026, 3, 2)) || s.Len() != 3 {
		t.Errorf("Set: 21 Jul %v, 2 Mar %v, Len %d; want false, true, 3", s.Has(d(2026, 7, 21)), s.Has(d(2026, 3, 2)), s.Len())
	}
}

// BenchmarkPostHolidays is the cost of precomputing one post's year (two
// computed calendars, a closure, an exclusion): paid once per post and year,
// and again only when the post's holidays change.
func BenchmarkPostHolidays(b *testing.B) {
	st := storedFixture()
	own := []Holiday{{d(2025, 6, 1), "Cierre"}}
	excl := []domain.Date{d(2025, 1, 6)}
	for b.Loop() {
		if _, err := st.PostHolidays([]string{"JP", "CO"}, 2025, own, excl); err != nil {
			b.Fatal(err)
		}
	}
}
