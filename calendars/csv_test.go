package calendars

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"

	"franja/domain"
)

func parseCSV2026(s string) (Upload, error) {
	return ParseCSV(context.Background(), strings.NewReader(s), 2026)
}

func TestParseCSV(t *testing.T) {
	in := "\uFEFFName, Date ,office\r\n" +
		"\"Cierre de fin de año, Bogotá\",2026-12-31,BOG\r\n" +
		"Año Nuevo,2026-01-01,\r\n" +
		"Otro,2026-01-01,\r\n"
	got, err := parseCSV2026(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{{d(2026, 1, 1), "Año Nuevo"}, {d(2026, 1, 1), "Otro"}, {d(2026, 12, 31), "Cierre de fin de año, Bogotá"}}
	if diff := cmp.Diff(want, got.Holidays); diff != "" {
		t.Errorf("ParseCSV mismatch (-want +got):\n%s", diff)
	}
	got, err = parseCSV2026("date,name\n")
	if err != nil || got.Holidays == nil || len(got.Holidays) != 0 {
		t.Errorf("ParseCSV(header only) = %v, %v; want an empty list", got, err)
	}
}

// TestParseCSVSpanishExcel: what Excel saves in a Spanish locale (";",
// Windows-1252, Spanish headers, day-first dates) reads as the same list.
func TestParseCSVSpanishExcel(t *testing.T) {
	text := "Fecha;Nombre;Observación\r\n01/01/2026;Año Nuevo;\r\n6/1/2026;Día de los Reyes Magos; trasladado\r\n20/07/2026;Día de la Independencia;\r\n"
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{{d(2026, 1, 1), "Año Nuevo"}, {d(2026, 1, 6), "Día de los Reyes Magos"}, {d(2026, 7, 20), "Día de la Independencia"}}
	for name, in := range map[string]string{"UTF-8": text, "Windows-1252": cp1252} {
		got, err := parseCSV2026(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got.Holidays); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// TestParseCSVSeveralYears: rows of other years are left out and counted;
// a file with none in the year says which years it has.
func TestParseCSVSeveralYears(t *testing.T) {
	in := "date,name\n2025-01-01,Año Nuevo\n2026-01-01,Año Nuevo\n2027-01-01,Año Nuevo\n2027-01-11,Reyes\n"
	got, err := parseCSV2026(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Upload{Holidays: []Holiday{{d(2026, 1, 1), "Año Nuevo"}}, Elsewhere: 3}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = ParseCSV(context.Background(), strings.NewReader(in), 2030)
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != "year" ||
		de.Fields[0].Text().String() != "the file has no holidays in 2030; it lists holidays in 2025–2027: upload it to each year it covers (…/holidays/2025)" {
		t.Errorf("a file without the year: %v", err)
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
			{Line: 1, Field: "date", Message: `the header has no "date" column (or "fecha"): the first line names the columns, e.g. date,name or fecha;nombre`},
			{Line: 1, Field: "name", Message: `the header has no "name" column (or "nombre"): the first line names the columns, e.g. date,name or fecha;nombre`},
		}},
		{"every bad row", "date,name\n" +
			"2026-01-01,Año Nuevo\n" +
			"2026-02-30,Imposible\n" +
			"31/02/2026,Tampoco\n" +
			"05-01-2026,Día del Trabajo\n" +
			",\n" +
			"2026-07-20\n" +
			"2026-08-07,Batalla de Boyacá\n", []domain.FieldError{
			{Line: 3, Field: "date", Message: `"2026-02-30" is not a date: write YYYY-MM-DD (2026-01-01) or DD/MM/YYYY (01/01/2026)`},
			{Line: 4, Field: "date", Message: `"31/02/2026" is not a date: write YYYY-MM-DD (2026-01-01) or DD/MM/YYYY (01/01/2026)`},
			{Line: 5, Field: "date", Message: `"05-01-2026" is not a date: write YYYY-MM-DD (2026-01-01) or DD/MM/YYYY (01/01/2026)`},
			{Line: 6, Field: "date", Message: "the date is missing"},
			{Line: 6, Field: "name", Message: "the name is missing"},
			{Line: 7, Field: "name", Message: "the name is missing"},
		}},
		{"line numbers count quoted newlines", "date,name\n" +
			"2026-01-01,\"Año\nNuevo\"\n" +
			"2026-13-01,x\n", []domain.FieldError{
			{Line: 4, Field: "date", Message: `"2026-13-01" is not a date: write YYYY-MM-DD (2026-01-01) or DD/MM/YYYY (01/01/2026)`},
		}},
		{"syntax error stops the reading", "date,name\n" +
			"2026-13-01,x\n" +
			"2026-01-01,\"unclosed\n", []domain.FieldError{
			{Line: 2, Field: "date", Message: `"2026-13-01" is not a date: write YYYY-MM-DD (2026-01-01) or DD/MM/YYYY (01/01/2026)`},
			{Line: 3, Field: "line", Message: `extraneous or missing " in quoted-field`},
		}},
		{"more problems than are listed", "date,name\n" + strings.Repeat("x,y\n", maxFileErrors+5), append(
			repeatErrors(maxFileErrors, func(i int) domain.FieldError {
				return domain.FieldError{Line: i + 2, Field: "date", Message: `"x" is not a date: write YYYY-MM-DD (2026-01-01) or DD/MM/YYYY (01/01/2026)`}
			}),
			domain.FieldError{Field: "file", Message: "and 5 more problems not listed: fix these and upload again"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCSV2026(tt.in)
			if got.Holidays != nil {
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

func repeatErrors(n int, f func(int) domain.FieldError) []domain.FieldError {
	out := make([]domain.FieldError, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func TestParseCSVReadError(t *testing.T) {
	_, err := ParseCSV(context.Background(), iotest.ErrReader(errors.New("connection reset")), 2026)
	if err == nil || domain.ErrorCodeOf(err) != domain.EInternal {
		t.Errorf("ParseCSV(failing reader) = %v, want an internal error", err)
	}
}
