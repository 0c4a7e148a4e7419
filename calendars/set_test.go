package calendars

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

func TestSet(t *testing.T) {
	co, _ := Holidays("CO", 2025)
	extra := []Holiday{
		{d(2024, 12, 31), "Cierre de fin de año"},
		{d(2026, 2, 28), "Cierre"},
		{d(2025, 1, 1), "Año Nuevo"}, // a repeat on one date is kept once
	}
	s := NewSet(append(co, extra...))
	tests := []struct {
		date domain.Date
		want []string
	}{
		{d(2025, 1, 1), []string{"Año Nuevo"}},
		{d(2025, 6, 30), []string{"Sagrado Corazón", "San Pedro y San Pablo"}},
		{d(2025, 7, 20), []string{"Independencia"}},
		{d(2025, 7, 21), nil},
		{d(2024, 12, 31), []string{"Cierre de fin de año"}},
		{d(2026, 2, 28), []string{"Cierre"}},
		{d(2026, 3, 1), nil},
		{d(2023, 1, 1), nil}, // before the first year
		{d(2027, 1, 1), nil}, // after the last
		{d(2025, 2, 31), nil},
		{domain.Date{}, nil},
		{domain.Date{Year: 2025, Month: 13, Day: 1}, nil},
		{domain.Date{Year: 2025, Month: 1, Day: 0}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, s.Names(tt.date)); diff != "" {
			t.Errorf("Names(%s) mismatch (-want +got):\n%s", tt.date, diff)
		}
		if got := s.Has(tt.date); got != (tt.want != nil) {
			t.Errorf("Has(%s) = %v", tt.date, got)
		}
	}
	if s.Len() != 17+2 {
		t.Errorf("Len = %d, want 19 distinct dates", s.Len())
	}
	// A caller's append must not reach the set.
	names := s.Names(d(2025, 6, 30))
	_ = append(names, "x")
	if got := s.Names(d(2025, 6, 30)); len(got) != 2 {
		t.Errorf("Names changed after a caller's append: %v", got)
	}
	for _, empty := range []*Set{NewSet(nil), {}} {
		if empty.Names(d(2025, 1, 1)) != nil || empty.Len() != 0 {
			t.Error("an empty Set has a holiday")
		}
	}
}

// TestSetMatchesList checks the Set against a plain scan for every day.
func TestSetMatchesList(t *testing.T) {
	var hs []Holiday
	for y := 2020; y <= 2030; y++ {
		co, _ := Holidays("CO", y)
		jp, _ := Holidays("JP", y)
		hs = append(append(hs, co...), jp...)
	}
	s := NewSet(hs)
	for day := time.Date(2019, 12, 1, 12, 0, 0, 0, time.UTC); day.Year() <= 2031; day = day.AddDate(0, 0, 1) {
		dd := domain.DateOf(day)
		var want []string
		for _, h := range hs {
			if h.Date == dd {
				want = append(want, h.Name)
			}
		}
		if diff := cmp.Diff(want, s.Names(dd)); diff != "" {
			t.Fatalf("Names(%s) mismatch (-want +got):\n%s", dd, diff)
		}
	}
}

func BenchmarkSetNames(b *testing.B) {
	co, _ := Holidays("CO", 2026)
	s := NewSet(co)
	dates := []domain.Date{d(2026, 1, 1), d(2026, 7, 21), d(2026, 6, 29), d(2026, 11, 30)}
	b.ResetTimer()
	n := 0
	for i := 0; b.Loop(); i++ {
		n += len(s.Names(dates[i&3]))
	}
	if n == 0 {
		b.Fatal("no holiday found")
	}
}

func BenchmarkMapLookup(b *testing.B) { // the alternative, for comparison
	co, _ := Holidays("CO", 2026)
	m := map[domain.Date][]string{}
	for _, h := range co {
		m[h.Date] = append(m[h.Date], h.Name)
	}
	dates := []domain.Date{d(2026, 1, 1), d(2026, 7, 21), d(2026, 6, 29), d(2026, 11, 30)}
	n := 0
	for i := 0; b.Loop(); i++ {
		n += len(m[dates[i&3]])
	}
	if n == 0 {
		b.Fatal("no holiday found")
	}
}

func BenchmarkHolidaysCached(b *testing.B) {
	for b.Loop() {
		if _, err := Holidays("CO", 2026); err != nil {
			b.Fatal(err)
		}
	}
}
