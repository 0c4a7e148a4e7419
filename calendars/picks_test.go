package calendars

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

func TestPickMatches(t *testing.T) {
	p := Pick{Calendar: "US", Holiday: "Independence Day"}
	for name, want := range map[string]bool{
		"Independence Day": true, "Independence Day (observed)": true, "Independence Day (observed, estimated)": true,
		"Independence Day Eve": false, "Independence": false, "Independence Day (": false,
	} {
		if p.Matches(name) != want {
			t.Errorf("Matches(%q) = %v, want %v", name, !want, want)
		}
	}
}

// TestPostYearPicks: a consulate in Madrid on the region's calendar plus
// Colombia's 20 July, 7 August and San Pedro, picked by name: each follows
// its holiday, San Pedro to the next Monday in 2027.
func TestPostYearPicks(t *testing.T) {
	r := PostRules{
		Calendars:  []string{"ES-MD"},
		Picks:      []Pick{{"CO", "Independencia"}, {"CO", "Batalla de Boyacá"}, {"CO", "San Pedro y San Pablo"}},
		Exclusions: []domain.Date{d(2027, 8, 7)},
	}
	picked := func(year int) map[domain.Date]string {
		es, err := (*Stored)(nil).PostYear(r, year)
		if err != nil {
			t.Fatal(err)
		}
		out := map[domain.Date]string{}
		for _, e := range es {
			if e.Source == "pick:CO" {
				out[e.Date] = e.Name + "|" + e.NameEN
			}
			if e.Date == d(2026, 5, 2) && e.Source != "calendar:ES-MD" {
				t.Errorf("Madrid's day has source %q", e.Source)
			}
		}
		return out
	}
	want2026 := map[domain.Date]string{
		d(2026, 6, 29): "San Pedro y San Pablo|Saint Peter and Saint Paul's Day",
		d(2026, 7, 20): "Independencia|Independence Day", d(2026, 8, 7): "Batalla de Boyacá|Battle of Boyacá",
	}
	if diff := cmp.Diff(want2026, picked(2026)); diff != "" {
		t.Errorf("2026 picks (-want +got):\n%s", diff)
	}
	// 2027: San Pedro moves to Monday 5 July; 7 August is excluded.
	want2027 := map[domain.Date]string{d(2027, 7, 5): "San Pedro y San Pablo|Saint Peter and Saint Paul's Day", d(2027, 7, 20): "Independencia|Independence Day"}
	if diff := cmp.Diff(want2027, picked(2027)); diff != "" {
		t.Errorf("2027 picks (-want +got):\n%s", diff)
	}
	// Beyond ES-MD's data the regional calendar is unknown; the picks are not.
	if got := (*Stored)(nil).Uncovered(r, 2041); !cmp.Equal(got, []string{"ES-MD"}) {
		t.Errorf("Uncovered 2041 = %v, want [ES-MD]", got)
	}
	if _, err := (*Stored)(nil).PostYear(r, 2041); domain.ErrorCodeOf(err) != domain.EOutOfRange {
		t.Errorf("PostYear 2041: %v, want out_of_range", err)
	}
	es, err := (*Stored)(nil).PostYear((*Stored)(nil).Covered(r, 2041), 2041)
	if err != nil || len(es) != 3 {
		t.Errorf("the covered part of 2041: %v %v, want the three picks", es, err)
	}
}

func TestResolvePick(t *testing.T) {
	tests := []struct {
		in      Pick
		want    Pick
		wantErr string
	}{
		{Pick{"co", "Independencia"}, Pick{"CO", "Independencia"}, ""},
		{Pick{"CO", "Independence Day"}, Pick{"CO", "Independencia"}, ""},
		{Pick{"JP", "Culture Day"}, Pick{"JP", "文化の日"}, ""},
		{Pick{"ES", "Fiesta Nacional de España"}, Pick{"ES", "Fiesta Nacional de España"}, ""},
		{Pick{"CO", "Día de la Independencia"}, Pick{}, `calendar CO has no holiday named "Día de la Independencia" in 2020–2040`},
		{Pick{"XX", "Anything"}, Pick{}, `"XX" is not a calendar code`},
		{Pick{"CO", " "}, Pick{}, "name the holiday to pick from CO"},
	}
	for _, tt := range tests {
		got, err := ResolvePick(tt.in)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || domain.ErrorCodeOf(err) != domain.EInvalid {
				t.Errorf("ResolvePick(%v) = %v, %v; want an invalid error with %q", tt.in, got, err, tt.wantErr)
			}
		case err != nil || got != tt.want:
			t.Errorf("ResolvePick(%v) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestPickOn(t *testing.T) {
	if p, err := PickOn("CO", d(2026, 7, 20)); err != nil || p != (Pick{"CO", "Independencia"}) {
		t.Errorf("PickOn(CO, 2026-07-20) = %v, %v", p, err)
	}
	for _, tt := range []struct {
		date domain.Date
		want string
	}{
		{d(2026, 7, 21), "2026-07-21 is not a holiday of calendar CO"},
		{d(2025, 6, 30), "2025-06-30 has 2 holidays in calendar CO (Sagrado Corazón, San Pedro y San Pablo): pick one by name"},
		{d(2101, 1, 1), "calendar CO covers 1984–2100; 2101 is outside it"},
	} {
		if _, err := PickOn("CO", tt.date); err == nil || err.Error() != "invalid: "+tt.want {
			t.Errorf("PickOn(CO, %s) = %v, want %q", tt.date, err, tt.want)
		}
	}
}
