package api

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func init() {
	// kin-openapi validates the bodies it can decode; a workbook is binary.
	openapi3filter.RegisterBodyDecoder(XLSXType, openapi3filter.FileBodyDecoder)
}

// workbook builds an .xlsx whose first sheet holds rows from A1 (nil: an
// empty row), with a second sheet that must be ignored.
func workbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if row != nil {
			if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := f.NewSheet("Notas"); err != nil {
		t.Fatal(err)
	}
	_ = f.SetCellValue("Notas", "A1", "not a header")
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportXLSX imports posts, people and leave from workbooks: numbers
// typed as numbers stay identifiers, Excel dates become local dates, short
// rows are padded, and a bad row is named by its sheet row (blank rows
// counted), with nothing written.
func TestImportXLSX(t *testing.T) {
	h := newHarness(t)
	send := func(kind string, body []byte, query string) *response {
		path := "/v1/imports/" + kind
		if query != "" {
			path += "?" + query
		}
		return h.do(req{Method: http.MethodPost, Path: path, Body: body, ContentType: XLSXType})
	}
	posts := workbook(t,
		[]any{"code", "name", "kind", "country", "city", "time_zone", "calendars", "schedule"},
		[]any{"BOG", "Bogotá", "headquarters", "CO", "Bogotá", "America/Bogota", "CO", "mon=08:00-12:00,13:00-17:00;tue=08:00-17:00"})
	if got := impCounts(impResult(t, send("posts", posts, ""))); got != [3]int{1, 0, 0} {
		t.Fatalf("posts: %v", got)
	}
	people := workbook(t,
		[]any{"external_id", "full_name", "email", "post"},
		[]any{1001, "Luis Pérez", "luis@example.org", "BOG"},
		nil, // a blank row between: not a record, but counted
		[]any{"E2", "Ana Gómez", "ana@example.org", "BOG"})
	if got := impCounts(impResult(t, send("people", people, ""))); got != [3]int{2, 0, 0} {
		t.Fatalf("people: %v", got)
	}
	if p, err := h.store.FindPersonByExternalID(t.Context(), "1001"); err != nil || p.FullName != "Luis Pérez" {
		t.Errorf("person 1001 = %+v, %v: a number cell is the identifier as typed", p, err)
	}
	leaves := workbook(t,
		[]any{"person", "kind", "external_ref", "start_date", "end_date", "delegate"},
		[]any{"1001", "vacation", "XL-1", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC), "E2"},
		[]any{"E2", "vacation", "XL-2", "2026-04-06", "2026-04-10"}) // dates as text, no delegate cell at all
	if got := impResult(t, send("leaves", leaves, "dry_run=true")); !got.DryRun || got.Created != 2 {
		t.Fatalf("leaves dry run: %+v", got)
	}
	if n := impCount(t, h, "leaves"); n != 0 {
		t.Fatalf("a dry run wrote %d leaves", n)
	}
	impResult(t, send("leaves", leaves, ""))
	var start, end string
	if err := h.store.Pool().QueryRow(t.Context(), `SELECT start_date::text, end_date::text FROM leaves WHERE external_ref = 'XL-1'`).Scan(&start, &end); err != nil {
		t.Fatal(err)
	}
	if start != "2026-03-02" || end != "2026-03-13" {
		t.Errorf("XL-1 = %s..%s, want the Excel dates 2026-03-02..2026-03-13", start, end)
	}

	bad := workbook(t,
		[]any{"person", "kind", "external_ref", "start_date", "end_date"},
		[]any{"E2", "vacation", "XL-3", "2026-05-04", "2026-05-08"},
		nil,
		[]any{"NOPE", "vacation", "XL-4", time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC), "2026-05-01"})
	res := send("leaves", bad, "")
	p := impProblem(t, res, http.StatusUnprocessableEntity)
	lines := map[int]bool{}
	for _, f := range p.Errors {
		lines[f.Line] = true
	}
	if !cmp.Equal(lines, map[int]bool{4: true}) {
		t.Errorf("bad rows named %v, want sheet row 4 only: %s", p.Errors, res.Body)
	}
	if n := impCount(t, h, "leaves"); n != 2 {
		t.Errorf("%d leaves after a bad file, want the 2 from before: nothing written", n)
	}

	for name, body := range map[string][]byte{"not a workbook": []byte("external_id,full_name\n"), "empty": workbook(t)} {
		res := send("people", body, "")
		if res.Status != http.StatusBadRequest && res.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want 400 or 422", name, res.Status, res.Body)
		}
	}
}

// TestSheetRecordLines gives each record its sheet row, skips empty rows,
// pads short ones to the header's width, and reads Excel dates in date
// columns only.
func TestSheetRecordLines(t *testing.T) {
	cells := [][]string{{"person", "kind", "start_date"}, {}, {"E1", "a\r\nb", "46357"}, {"E2"}}
	src := &sheetRecords{cells: cells, k: importLeaves}
	type rec struct {
		Line  int
		Cells []string
	}
	var got []rec
	for {
		line, cells, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec{line, slices.Clone(cells)})
	}
	want := []rec{{1, []string{"person", "kind", "start_date"}}, {3, []string{"E1", "a\r\nb", "2026-12-01"}}, {4, []string{"E2", "", ""}}}
	if !cmp.Equal(got, want) {
		t.Errorf("records = %v, want %v", got, want)
	}
}
