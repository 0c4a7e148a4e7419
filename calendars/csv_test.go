package calendars

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

func TestParseCSV(t *testing.T) {
	in := "\uFEFFName, Date ,office\r\n" +
		"\"Cierre de fin de año, Bogotá\",2026-12-31,BOG\r\n" +
		"Año Nuevo,2026-01-01,\r\n" +
		"Otro,2026-01-01,\r\n"
	got, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{{d(2026, 1, 1), "Año Nuevo"}, {d(2026, 1, 1), "Otro"}, {d(2026, 12, 31), "Cierre de fin de año, Bogotá"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseCSV mismatch (-want +got):\n%s", diff)
	}
	got, err = ParseCSV(strings.NewReader("date,name\n"))
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("ParseCSV(header only) = %v, %v; want an empty list", got, err)
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []domain.FieldError
	}{
		{"empty", "", []domain.FieldError{{Line: 1, Field: "header", Message: "the file must start with a header naming date and name"}}},
		{"no header", "2026-01-01,Año Nuevo\n", []domain.FieldError{
			{Line: 1, Field: "date", Message: `the header has no "date" column`},
			{Line: 1, Field: "name", Message: `the header has no "name" column`},
		}},
		{"every bad row", "date,name\n" +
			"2026-01-01,Año Nuevo\n" +
			"2026-02-30,Imposible\n" +
			"01/05/2026,Día del Trabajo\n" +
			",\n" +
			"2026-07-20\n" +
			"2026-08-07,Batalla de Boyacá\n", []domain.FieldError{
			{Line: 3, Field: "date", Message: `"2026-02-30" is not a date in the form YYYY-MM-DD`},
			{Line: 4, Field: "date", Message: `"01/05/2026" is not a date in the form YYYY-MM-DD`},
			{Line: 5, Field: "date", Message: "the date is missing"},
			{Line: 5, Field: "name", Message: "the name is missing"},
			{Line: 6, Field: "name", Message: "the name is missing"},
		}},
		{"line numbers count quoted newlines", "date,name\n" +
			"2026-01-01,\"Año\nNuevo\"\n" +
			"2026-13-01,x\n", []domain.FieldError{
			{Line: 4, Field: "date", Message: `"2026-13-01" is not a date in the form YYYY-MM-DD`},
		}},
		{"syntax error stops the reading", "date,name\n" +
			"2026-13-01,x\n" +
			"2026-01-01,\"unclosed\n", []domain.FieldError{
			{Line: 2, Field: "date", Message: `"2026-13-01" is not a date in the form YYYY-MM-DD`},
			{Line: 3, Field: "line", Message: `extraneous or missing " in quoted-field`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCSV(strings.NewReader(tt.in))
			if got != nil {
				t.Errorf("ParseCSV returned holidays with an error: %v", got)
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.EInvalid {
				t.Fatalf("ParseCSV error = %v, want an EInvalid *domain.Error", err)
			}
			if diff := cmp.Diff(tt.want, domain.InEnglish(de.Fields)); diff != "" {
				t.Errorf("field errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCSVReadError(t *testing.T) {
	_, err := ParseCSV(iotest.ErrReader(errors.New("connection reset")))
	if err == nil || domain.ErrorCodeOf(err) != domain.EInternal {
		t.Errorf("ParseCSV(failing reader) = %v, want an internal error", err)
	}
}
