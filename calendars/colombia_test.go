package calendars

import (
	"testing"
	"time"
	_ "time/tzdata" // America/Santiago below, with or without system zone files

	"github.com/google/go-cmp/cmp"
	"github.com/rickar/cal/v2"

	"franja/domain"
)

func d(y int, m time.Month, day int) domain.Date { return domain.Date{Year: y, Month: m, Day: day} }

// TestColombiaPublishedLists checks whole years against the lists written out
// by hand from the law (and the calendars published for them).
func TestColombiaPublishedLists(t *testing.T) {
	tests := []struct {
		year int
		want []Holiday
	}{
		{2024, []Holiday{
			{d(2024, 1, 1), "Año Nuevo"}, {d(2024, 1, 8), "Reyes Magos"}, {d(2024, 3, 25), "San José"},
			{d(2024, 3, 28), "Jueves Santo"}, {d(2024, 3, 29), "Viernes Santo"}, {d(2024, 5, 1), "Día del Trabajo"},
			{d(2024, 5, 13), "Ascensión"}, {d(2024, 6, 3), "Corpus Christi"}, {d(2024, 6, 10), "Sagrado Corazón"},
			{d(2024, 7, 1), "San Pedro y San Pablo"}, {d(2024, 7, 20), "Independencia"}, {d(2024, 8, 7), "Batalla de Boyacá"},
			{d(2024, 8, 19), "Asunción"}, {d(2024, 10, 14), "Día de la Raza"}, {d(2024, 11, 4), "Todos los Santos"},
			{d(2024, 11, 11), "Independencia de Cartagena"}, {d(2024, 12, 8), "Inmaculada Concepción"}, {d(2024, 12, 25), "Navidad"},
		}},
		{2025, []Holiday{
			{d(2025, 1, 1), "Año Nuevo"}, {d(2025, 1, 6), "Reyes Magos"}, {d(2025, 3, 24), "San José"},
			{d(2025, 4, 17), "Jueves Santo"}, {d(2025, 4, 18), "Viernes Santo"}, {d(2025, 5, 1), "Día del Trabajo"},
			{d(2025, 6, 2), "Ascensión"}, {d(2025, 6, 23), "Corpus Christi"},
			{d(2025, 6, 30), "Sagrado Corazón"}, {d(2025, 6, 30), "San Pedro y San Pablo"},
			{d(2025, 7, 20), "Independencia"}, {d(2025, 8, 7), "Batalla de Boyacá"}, {d(2025, 8, 18), "Asunción"},
			{d(2025, 10, 13), "Día de la Raza"}, {d(2025, 11, 3), "Todos los Santos"}, {d(2025, 11, 17), "Independencia de Cartagena"},
			{d(2025, 12, 8), "Inmaculada Concepción"}, {d(2025, 12, 25), "Navidad"},
		}},
		{2026, []Holiday{
			{d(2026, 1, 1), "Año Nuevo"}, {d(2026, 1, 12), "Reyes Magos"}, {d(2026, 3, 23), "San José"},
			{d(2026, 4, 2), "Jueves Santo"}, {d(2026, 4, 3), "Viernes Santo"}, {d(2026, 5, 1), "Día del Trabajo"},
			{d(2026, 5, 18), "Ascensión"}, {d(2026, 6, 8), "Corpus Christi"}, {d(2026, 6, 15), "Sagrado Corazón"},
			{d(2026, 6, 29), "San Pedro y San Pablo"}, {d(2026, 7, 13), "Virgen del Rosario de Chiquinquirá"},
			{d(2026, 7, 20), "Independencia"}, {d(2026, 8, 7), "Batalla de Boyacá"}, {d(2026, 8, 17), "Asunción"},
			{d(2026, 10, 12), "Día de la Raza"}, {d(2026, 11, 2), "Todos los Santos"}, {d(2026, 11, 16), "Independencia de Cartagena"},
			{d(2026, 12, 8), "Inmaculada Concepción"}, {d(2026, 12, 25), "Navidad"},
		}},
		{2027, []Holiday{
			{d(2027, 1, 1), "Año Nuevo"}, {d(2027, 1, 11), "Reyes Magos"}, {d(2027, 3, 22), "San José"},
			{d(2027, 3, 25), "Jueves Santo"}, {d(2027, 3, 26), "Viernes Santo"}, {d(2027, 5, 1), "Día del Trabajo"},
			{d(2027, 5, 10), "Ascensión"}, {d(2027, 5, 31), "Corpus Christi"}, {d(2027, 6, 7), "Sagrado Corazón"},
			{d(2027, 7, 5), "San Pedro y San Pablo"}, {d(2027, 7, 12), "Virgen del Rosario de Chiquinquirá"},
			{d(2027, 7, 20), "Independencia"}, {d(2027, 8, 7), "Batalla de Boyacá"}, {d(2027, 8, 16), "Asunción"},
			{d(2027, 10, 18), "Día de la Raza"}, {d(2027, 11, 1), "Todos los Santos"}, {d(2027, 11, 15), "Independencia de Cartagena"},
			{d(2027, 12, 8), "Inmaculada Concepción"}, {d(2027, 12, 25), "Navidad"},
		}},
	}
	for _, tt := range tests {
		got, err := Holidays("CO", tt.year)
		if err != nil {
			t.Fatalf("Holidays(CO, %d): %v", tt.year, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Holidays(CO, %d) mismatch (-want +got):\n%s", tt.year, diff)
		}
	}
}

// easterOudin is Oudin's 1940 Gregorian Easter algorithm (as in the Calendar
// FAQ): written independently of rickar/cal's Meeus/Jones/Butcher version.
func easterOudin(y int) domain.Date {
	g := y % 19
	c := y / 100
	h := (c - c/4 - (8*c+13)/25 + 19*g + 15) % 30
	i := h - (h/28)*(1-(h/28)*(29/(h+1))*((21-g)/11))
	j := (y + y/4 + i + 2 - c + c/4) % 7
	l := i - j
	m := 3 + (l+40)/44
	return d(y, time.Month(m), l+28-31*(m/4))
}

func TestEasterOudinKnownDates(t *testing.T) {
	for _, want := range []domain.Date{d(2000, 4, 23), d(2008, 3, 23), d(2024, 3, 31), d(2025, 4, 20), d(2026, 4, 5), d(2038, 4, 25), d(2100, 3, 28)} {
		if got := easterOudin(want.Year); got != want {
			t.Errorf("easterOudin(%d) = %s, want %s", want.Year, got, want)
		}
	}
}

// The rules of DOMAIN.md's table, written apart from the code under test.
var (
	coFixedDays = map[string]domain.Date{ // month and day; never moved
		"Año Nuevo": d(0, 1, 1), "Día del Trabajo": d(0, 5, 1), "Independencia": d(0, 7, 20),
		"Batalla de Boyacá": d(0, 8, 7), "Inmaculada Concepción": d(0, 12, 8), "Navidad": d(0, 12, 25),
	}
	coMovedDays = map[string]domain.Date{ // nominal date, moved to the next Monday
		"Reyes Magos": d(0, 1, 6), "San José": d(0, 3, 19), "San Pedro y San Pablo": d(0, 6, 29),
		"Virgen del Rosario de Chiquinquirá": d(0, 7, 9), "Asunción": d(0, 8, 15), "Día de la Raza": d(0, 10, 12),
		"Todos los Santos": d(0, 11, 1), "Independencia de Cartagena": d(0, 11, 11),
	}
	coEasterOffsets = map[string]int{"Jueves Santo": -3, "Viernes Santo": -2, "Ascensión": 43, "Corpus Christi": 64, "Sagrado Corazón": 71}
)

// TestColombiaEveryYear checks the law's rules over the whole covered range.
func TestColombiaEveryYear(t *testing.T) {
	for year := 1984; year <= 2100; year++ {
		hs, err := Holidays("CO", year)
		if err != nil {
			t.Fatalf("Holidays(CO, %d): %v", year, err)
		}
		want := 18
		if year >= 2026 {
			want = 19
		}
		if len(hs) != want {
			t.Errorf("%d: %d holidays, want %d", year, len(hs), want)
		}
		e := easterOudin(year)
		seen := map[string]bool{}
		for i, h := range hs {
			seen[h.Name] = true
			if i > 0 && h.Date.Before(hs[i-1].Date) {
				t.Errorf("%d: %s (%s) is out of date order", year, h.Name, h.Date)
			}
			if nd, ok := coFixedDays[h.Name]; ok && h.Date != d(year, nd.Month, nd.Day) {
				t.Errorf("%d: %s on %s, want %s (never moved)", year, h.Name, h.Date, d(year, nd.Month, nd.Day))
			}
			if nd, ok := coMovedDays[h.Name]; ok {
				n := d(year, nd.Month, nd.Day)
				if late := h.Date.DaysSince(n); h.Date.Weekday() != time.Monday || late < 0 || late > 6 {
					t.Errorf("%d: %s on %s (%s), want the first Monday on or after %s", year, h.Name, h.Date, h.Date.Weekday(), n)
				}
			}
			if off, ok := coEasterOffsets[h.Name]; ok && h.Date != e.AddDays(off) {
				t.Errorf("%d: %s on %s, want Easter (%s) %+d = %s", year, h.Name, h.Date, e, off, e.AddDays(off))
			}
		}
		for name := range coFixedDays {
			if !seen[name] {
				t.Errorf("%d: %s missing", year, name)
			}
		}
		for name := range coEasterOffsets {
			if !seen[name] {
				t.Errorf("%d: %s missing", year, name)
			}
		}
		if got := seen["Virgen del Rosario de Chiquinquirá"]; got != (year >= 2026) {
			t.Errorf("%d: Chiquinquirá present = %v, want %v (from 2026 only)", year, got, year >= 2026)
		}
	}
}

func TestColombiaOutOfRange(t *testing.T) {
	for _, year := range []int{1983, 2101} {
		_, err := Holidays("CO", year)
		want := domain.Errorf(domain.EOutOfRange, "calendar CO covers 1984–2100; %d is outside it", year)
		if diff := cmp.Diff(want.InEnglish(), inEnglish(err)); diff != "" {
			t.Errorf("Holidays(CO, %d) error mismatch (-want +got):\n%s", year, diff)
		}
	}
}

// TestRulesInMidnightDSTZones runs the rules with rickar/cal's location set
// to zones whose DST changes at midnight, where time.Date(…, 0, 0, …) can
// land on the previous day: no date may change.
func TestRulesInMidnightDSTZones(t *testing.T) {
	all := func() map[string][][]Entry {
		out := map[string][][]Entry{}
		for y := 1984; y <= 2100; y++ {
			out["CO"] = append(out["CO"], colombia(y))
			for code, rules := range rickarCountries {
				out[code] = append(out[code], rickarHolidays(rules, y))
			}
		}
		return out
	}
	saved := cal.DefaultLoc
	defer func() { cal.DefaultLoc = saved }()
	cal.DefaultLoc = time.UTC
	inUTC := all()
	for _, zone := range []string{"America/Santiago", "America/Asuncion", "Asia/Beirut", "America/Havana"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		// Every midnight of 2005–2030 maps back to its own date.
		for day := time.Date(2005, 1, 1, 12, 0, 0, 0, time.UTC); day.Year() <= 2030; day = day.AddDate(0, 0, 1) {
			mid := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
			if got, want := calDate(mid), domain.DateOf(day); got != want {
				t.Fatalf("calDate(%s) = %s, want %s", mid, got, want)
			}
		}
		cal.DefaultLoc = loc
		if diff := cmp.Diff(inUTC, all()); diff != "" {
			t.Errorf("dates differ in %s (-UTC +%s):\n%s", zone, zone, diff)
		}
	}
}
