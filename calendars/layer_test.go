package calendars

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

func TestLayer(t *testing.T) {
	co := []Holiday{{d(2026, 1, 1), "Año Nuevo"}, {d(2026, 1, 12), "Reyes Magos"}, {d(2026, 7, 20), "Independencia"}}
	jp := []Holiday{{d(2026, 1, 1), "元日"}, {d(2026, 1, 12), "成人の日"}, {d(2026, 2, 11), "建国記念の日"}}
	tests := []struct {
		name       string
		base       map[string][]Holiday
		closures   []Holiday
		exclusions []domain.Date
		want       []Effective
	}{
		{
			name: "nothing",
			want: []Effective{},
		},
		{
			name: "two calendars on one date keep both, sorted by code",
			base: map[string][]Holiday{"JP": jp, "CO": co},
			want: []Effective{
				{Date: d(2026, 1, 1), Name: "Año Nuevo", Source: "calendar:CO"}, {Date: d(2026, 1, 1), Name: "元日", Source: "calendar:JP"},
				{Date: d(2026, 1, 12), Name: "Reyes Magos", Source: "calendar:CO"}, {Date: d(2026, 1, 12), Name: "成人の日", Source: "calendar:JP"},
				{Date: d(2026, 2, 11), Name: "建国記念の日", Source: "calendar:JP"}, {Date: d(2026, 7, 20), Name: "Independencia", Source: "calendar:CO"},
			},
		},
		{
			name:       "an exclusion removes every base holiday on its date but never a closure",
			base:       map[string][]Holiday{"JP": jp, "CO": co},
			closures:   []Holiday{{d(2026, 1, 12), "Cierre por mudanza"}, {d(2026, 3, 2), "Día cívico"}},
			exclusions: []domain.Date{d(2026, 1, 12), d(2026, 2, 11), d(2026, 5, 5)},
			want: []Effective{
				{Date: d(2026, 1, 1), Name: "Año Nuevo", Source: "calendar:CO"}, {Date: d(2026, 1, 1), Name: "元日", Source: "calendar:JP"},
				{Date: d(2026, 1, 12), Name: "Cierre por mudanza", Source: "closure"},
				{Date: d(2026, 3, 2), Name: "Día cívico", Source: "closure"},
				{Date: d(2026, 7, 20), Name: "Independencia", Source: "calendar:CO"},
			},
		},
		{
			name:     "closures after calendars on a date; exact repeats dropped",
			base:     map[string][]Holiday{"CO": {{d(2026, 7, 20), "Independencia"}, {d(2026, 7, 20), "Independencia"}}},
			closures: []Holiday{{d(2026, 7, 20), "Cierre"}, {d(2026, 7, 19), "Antes"}, {d(2026, 7, 20), "Cierre"}},
			want: []Effective{
				{Date: d(2026, 7, 19), Name: "Antes", Source: "closure"},
				{Date: d(2026, 7, 20), Name: "Independencia", Source: "calendar:CO"}, {Date: d(2026, 7, 20), Name: "Cierre", Source: "closure"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Layer(tt.base, tt.closures, tt.exclusions)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Layer mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
