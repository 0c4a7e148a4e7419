package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"franja/calendars"
	"franja/domain"
	"franja/postgres"
)

// Bulk import (API.md, Bulk import). The body is CSV (text/csv; the header
// names the columns, in any order) or JSON (application/json; a bare array
// of objects with the same names). Rows stream from the parser into a batch:
// each is checked here, in Go, and kept only as the store's row; the store
// then stages the rows with COPY and checks references, duplicates and
// cycles set-based. Any bad row means a 422 and nothing written.
//
// The cost of an import is bounded whatever the file: at most
// MaxImportRows rows (more is a 413, refused as soon as the row after the
// last allowed one is read), at most postgres.MaxImportErrors problems
// listed (the rest counted in errors_omitted), and once the problems pass
// that bound the rows are let go and the rest of the file is only counted.
// Readers check the request's context every few thousand rows.
//
// Another tabular format (a spreadsheet) plugs in as a records: a source
// of rows of cells with their line numbers, header first, read by
// readRecords exactly as the CSV is.

// MaxImportRows is the most rows one import takes; split larger files.
const MaxImportRows = 250_000

// importKind describes one importable resource.
type importKind struct {
	name     string
	fields   []string // every column, in the order the documentation lists them
	required []string // columns a CSV header must name and every row must fill
	index    map[string]int
	// batch starts the rows of one import of this kind.
	batch func(k *importKind) importBatch
}

// importBatch holds the checked rows of one import on their way to the
// store.
type importBatch interface {
	// add checks row and keeps what the store needs of it.
	add(row *rawRow)
	// drop lets every row go: the file will not be written.
	drop()
	apply(ctx context.Context, st *postgres.Store, dryRun bool) (postgres.ImportResult, error)
}

// rawRow is one row as text, whichever the format: vals is aligned with the
// kind's fields. JSON schedules arrive already parsed. Readers reuse one
// rawRow for every row: nothing may keep it past importSink.add.
type rawRow struct {
	line int
	vals []string
	// given is aligned with vals: whether the row gives that field at all
	// (a CSV column in the header, a JSON key, null included). An optional
	// field not given keeps its stored value.
	given    []bool
	schedule *domain.Schedule
	errs     []domain.FieldError
	broken   bool // the row's shape is wrong; its fields were not read
}

// reset empties r for the row on line.
func (r *rawRow) reset(line int) {
	clear(r.vals)
	r.line, r.schedule, r.errs, r.broken = line, nil, r.errs[:0], false
}

// val returns the text of field name in r.
func (r *rawRow) val(k *importKind, name string) string { return r.vals[k.index[name]] }

// fail records a problem with field of r.
func (r *rawRow) fail(field, format string, args ...any) {
	r.errs = append(r.errs, domain.FieldError{Line: r.line, Field: field, Message: format, Args: args})
}

func newImportKind(name string, fields, required []string, batch func(*importKind) importBatch) *importKind {
	k := &importKind{name: name, fields: fields, required: required, index: map[string]int{}, batch: batch}
	for i, f := range fields {
		k.index[f] = i
	}
	return k
}

var (
	importPosts = newImportKind("posts",
		[]string{"code", "name", "kind", "country", "city", "time_zone", "calendars", "holiday_picks", "holidays_beyond_data", "schedule", "schedule_from"},
		[]string{"code", "name", "kind", "country", "time_zone"}, postsBatch)
	importPeople = newImportKind("people",
		[]string{"external_id", "full_name", "email", "post", "time_zone", "supervisor", "exception", "schedule", "schedule_from"},
		[]string{"external_id", "full_name", "email", "post"}, peopleBatch)
	importLeaves = newImportKind("leaves",
		[]string{"person", "kind", "external_ref", "start_date", "end_date", "starts_at", "ends_at", "delegate", "time_zone"},
		[]string{"person", "kind", "external_ref"}, leavesBatch)
	importTurns = newImportKind("on-call-turns",
		[]string{"post", "person", "backup", "starts_at", "ends_at", "external_ref"},
		[]string{"post", "person", "starts_at", "ends_at", "external_ref"}, turnsBatch)
)

// importRoutes mounts the bulk imports (hr and admin).
func (s *Server) importRoutes(r chi.Router) {
	r.With(allow(RoleHR)).Post("/imports/posts", s.importHandler(importPosts))
	r.With(allow(RoleHR)).Post("/imports/people", s.importHandler(importPeople))
	r.With(allow(RoleHR)).Post("/imports/leaves", s.importHandler(importLeaves))
	r.With(allow(RoleHR)).Post("/imports/on-call-turns", s.importHandler(importTurns))
}

// importHandler serves POST /v1/imports/{kind}.
func (s *Server) importHandler(k *importKind) http.HandlerFunc {
	return handle(func(w http.ResponseWriter, r *http.Request) error {
		dryRun, err := dryRunParam(r)
		if err != nil {
			return err
		}
		res, err := runImport(r.Context(), s.store, k, r.Header.Get("Content-Type"), r.Body, dryRun)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, res)
		return nil
	})
}

// importProblem is the 422 of a file with problems: errs in line order,
// at most postgres.MaxImportErrors of them, and how many more there are.
func importProblem(errs []domain.FieldError, omitted, rows int) error {
	postgres.SortFieldErrors(errs)
	if n := postgres.MaxImportErrors; len(errs) > n {
		errs, omitted = errs[:n], omitted+len(errs)-n
	}
	if omitted == 0 {
		return &domain.Error{Code: domain.EInvalid, Message: "%d of %d rows have errors; nothing was imported", Args: []any{badRows(errs), rows}, Fields: errs}
	}
	return &domain.Error{Code: domain.EInvalid, Omitted: omitted,
		Message: "the file has at least %d problems; the first %d are listed and errors_omitted counts the rest; nothing was imported",
		Args:    []any{len(errs) + omitted, len(errs)}, Fields: errs}
}

// importSink takes a file's rows as a reader parses them: it checks each
// into the batch, keeps the first postgres.MaxImportErrors problems and
// counts the rest, lets the rows go once the file cannot be written anyway,
// refuses a file of more than MaxImportRows rows, and stops when the
// request ends.
type importSink struct {
	ctx     context.Context
	batch   importBatch
	rows    int
	errs    []domain.FieldError
	omitted int
}

// add takes the next row; an error ends the read.
func (s *importSink) add(row *rawRow) error {
	if s.rows++; s.rows > MaxImportRows {
		s.batch.drop()
		return domain.Errorf(domain.ETooLarge, "the file has more than %d rows; split it into files of at most %d rows each", MaxImportRows, MaxImportRows)
	}
	if s.rows%4096 == 0 {
		if err := s.ctx.Err(); err != nil {
			return err
		}
	}
	s.batch.add(row)
	if len(row.errs) == 0 {
		return nil
	}
	n := min(max(postgres.MaxImportErrors-len(s.errs), 0), len(row.errs))
	s.errs = append(s.errs, row.errs[:n]...)
	if s.omitted += len(row.errs) - n; s.omitted > 0 {
		s.batch.drop()
	}
	return nil
}

// badRows counts the distinct lines in errs (sorted by line).
func badRows(errs []domain.FieldError) int {
	n, last := 0, -1
	for _, e := range errs {
		if e.Line != last {
			n, last = n+1, e.Line
		}
	}
	return n
}

func dryRunParam(r *http.Request) (bool, error) {
	v := r.URL.Query().Get("dry_run")
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, &domain.Error{Code: domain.EMalformed, Message: "a query parameter is not valid", Fields: []domain.FieldError{domain.FieldErrorf("dry_run", "%q: use true or false", v)}}
	}
	return b, nil
}

// importRead parses a body into a sink.
type importRead func(io.Reader, *importKind, *importSink) error

// importReader picks the parser for a Content-Type: CSV or JSON in UTF-8,
// or an .xlsx workbook.
func importReader(ct string) (importRead, error) {
	mt, params, err := mime.ParseMediaType(ct)
	if cs := params["charset"]; err == nil && cs != "" && !strings.EqualFold(cs, "utf-8") {
		return nil, domain.Errorf(domain.EUnsupported, "send the file as UTF-8 (got charset %q)", cs)
	}
	switch {
	case err != nil:
	case mt == "text/csv" || mt == "application/csv":
		return readCSV, nil
	case mt == "application/json":
		return readJSON, nil
	case mt == XLSXType:
		return readXLSX, nil // xlsx.go
	}
	return nil, domain.Errorf(domain.EUnsupported, "send the file as text/csv, application/json or an .xlsx workbook (got %q)", ct)
}

// records is a tabular file as rows of cells: Next returns the next row
// and the line it starts on (the header is the first row), and io.EOF
// after the last. A row may have any number of cells (readRecords reports
// a count other than the header's); the slice may be reused by the next
// call. Errors other than io.EOF end the import as they are (a
// *domain.Error for the client). The CSV reader is one; a spreadsheet
// reader yields its sheet's rows the same way.
type records interface {
	Next() (line int, cells []string, err error)
}

// readCSV reads a CSV body: a header naming the columns, then one row a
// line. Lines are counted as in a text editor (the header is line 1; a
// quoted cell may span lines). A row with the wrong number of cells is a row
// error; broken quoting stops the read (400).
func readCSV(body io.Reader, k *importKind, sink *importSink) error {
	return readRecords(newCSVRecords(body), k, sink)
}

// csvRecords reads CSV as records.
type csvRecords struct{ cr *csv.Reader }

func newCSVRecords(body io.Reader) csvRecords {
	br := bufio.NewReaderSize(body, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3) // spreadsheets write a byte-order mark
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // readRecords checks the count
	return csvRecords{cr}
}

// Next implements records.
func (c csvRecords) Next() (int, []string, error) {
	rec, err := c.cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return 0, nil, io.EOF
	case err != nil:
		return 0, nil, csvError(err)
	}
	line, _ := c.cr.FieldPos(0)
	return line, rec, nil
}

// readRecords reads a header naming the columns and then the rows of src
// into sink, one reused rawRow at a time.
func readRecords(src records, k *importKind, sink *importSink) error {
	_, header, err := src.Next()
	if errors.Is(err, io.EOF) {
		return domain.Invalid("the file is empty", domain.FieldError{Line: 1, Field: "header", Message: "the first line must name the columns: %s", Args: []any{strings.Join(k.fields, ",")}})
	}
	if err != nil {
		return err
	}
	cols, err := csvColumns(header, k)
	if err != nil {
		return err
	}
	row := rawRow{vals: make([]string, len(k.fields)), given: make([]bool, len(k.fields))}
	for _, c := range cols { // shared by every row: the header's
		row.given[c] = true
	}
	for {
		line, rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		row.reset(line)
		if len(rec) != len(cols) {
			row.fail("row", "has %d cells but the header names %d columns", len(rec), len(cols))
			row.broken = true
		} else {
			for i, cell := range rec {
				row.vals[cols[i]] = cleanCell(&row, k.fields[cols[i]], cell)
			}
		}
		if err := sink.add(&row); err != nil {
			return err
		}
	}
}

// csvColumns maps each header cell to the kind's field index, refusing
// unknown, repeated and missing columns, all at once.
func csvColumns(header []string, k *importKind) ([]int, error) {
	var v domain.Validator
	cols := make([]int, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		idx, ok := k.index[name]
		switch {
		case !ok:
			v.Add(name, "unknown column; the columns of %s are %s", k.name, strings.Join(k.fields, ", "))
		case seen[name]:
			v.Add(name, "the column appears twice in the header")
		}
		seen[name], cols[i] = true, idx
	}
	for _, f := range k.required {
		v.Check(seen[f], f, "required column missing from the header")
	}
	for i := range v.Fields {
		v.Fields[i].Line = 1
	}
	if err := v.Err("the header is not right"); err != nil {
		return nil, err
	}
	return cols, nil
}

// csvError turns a CSV syntax error into a 400 that names the line.
func csvError(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return domain.Errorf(domain.ETooLarge, "the body is larger than %d bytes; split the file", maxErr.Limit)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return domain.Errorf(domain.EMalformed, "the CSV cannot be read at line %d, column %d: %s (a cell holding quotes, commas or line breaks must be quoted, with inner quotes doubled)", pe.Line, pe.Column, calendars.CSVSyntax(pe.Err))
	}
	return fmt.Errorf("reading the body: %w", err)
}

// cleanCell trims a cell and refuses text PostgreSQL cannot store.
func cleanCell(row *rawRow, field, s string) string {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		row.fail(field, "is not UTF-8 text (or holds a NUL byte); save the file as UTF-8")
		return ""
	}
	return strings.TrimSpace(s)
}

// readJSON reads a JSON body: an array of objects whose names are the
// columns. Row n (1-based) is reported as line n. A row that is not an
// object, or that has unknown or mistyped fields, is a row error; broken
// JSON stops the read (400).
func readJSON(body io.Reader, k *importKind, sink *importSink) error {
	// Whole, bounded by the body limit: strictJSON needs it all.
	all, err := io.ReadAll(body)
	if err != nil {
		return jsonError(err)
	}
	if err := strictJSON(all); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(all))
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return domain.Invalid("the body is empty", domain.FieldError{Field: "body", Message: `send a JSON array of objects, e.g. [{"code":"BOG",…}]`})
	}
	if err != nil {
		return jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return domain.Errorf(domain.EMalformed, `the body must be a JSON array of objects, e.g. [{"code":"BOG",…}]`)
	}
	row := rawRow{vals: make([]string, len(k.fields)), given: make([]bool, len(k.fields))}
	for n := 1; dec.More(); n++ {
		var obj map[string]json.RawMessage
		err := dec.Decode(&obj)
		var typeErr *json.UnmarshalTypeError
		row.reset(n)
		clear(row.given)
		switch {
		case errors.As(err, &typeErr):
			row.fail("row", "must be a JSON object")
			row.broken = true
		case err != nil:
			return jsonError(err)
		default:
			jsonRow(&row, k, obj)
		}
		if err := sink.add(&row); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return domain.Errorf(domain.EMalformed, "the body must hold a single JSON array")
	}
	return nil
}

// jsonRow copies obj's fields into row as text: strings as they are (null
// is empty), calendars joined with "|", and the schedule parsed.
func jsonRow(row *rawRow, k *importKind, obj map[string]json.RawMessage) {
	for name, raw := range obj {
		idx, ok := k.index[name]
		if ok {
			row.given[idx] = true
		}
		switch {
		case !ok:
			row.fail(name, "unknown field; the fields of %s are %s", k.name, strings.Join(k.fields, ", "))
		case string(raw) == "null":
		case name == "calendars":
			var list []string
			if err := json.Unmarshal(raw, &list); err != nil {
				row.fail(name, `must be a list of calendar codes, e.g. ["JP","CO"]`)
				continue
			}
			row.vals[idx] = cleanCell(row, name, strings.Join(list, "|"))
		case name == "holiday_picks":
			var list []pickIn
			if err := json.Unmarshal(raw, &list); err != nil {
				row.fail(name, `must be a list of picked days, e.g. [{"calendar":"CO","holiday":"Independencia"}]`)
				continue
			}
			row.vals[idx] = cleanCell(row, name, pickCell(list))
		case name == "schedule":
			var s domain.Schedule
			if err := json.Unmarshal(raw, &s); err != nil {
				scheduleErrors(row, err)
				continue
			}
			row.schedule = &s
		default:
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				row.fail(name, "must be a string")
				continue
			}
			row.vals[idx] = cleanCell(row, name, s)
		}
	}
}

// scheduleErrors records a schedule's parse errors, each field named under
// "schedule." ("schedule.mon[0]").
func scheduleErrors(row *rawRow, err error) {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		row.fail("schedule", `must be an object of weekdays, e.g. {"mon":["08:00-12:00"]} (in CSV: mon=08:00-12:00,13:00-17:00;tue=…)`)
		return
	}
	for _, f := range de.Fields {
		row.fail("schedule."+f.Field, "%s", f.Text())
	}
}

// rowSchedule returns the schedule versions a row carries: none, or one in
// force from schedule_from (empty: since always).
func rowSchedule(row *rawRow, k *importKind) []domain.ScheduleVersion {
	s, cell, from := row.schedule, row.val(k, "schedule"), row.val(k, "schedule_from")
	if s == nil && cell != "" {
		parsed, err := domain.ParseScheduleCell(cell)
		if err != nil {
			scheduleErrors(row, err)
			return nil
		}
		s = &parsed
	}
	if s == nil {
		if from != "" {
			row.fail("schedule_from", "is set but the row has no schedule")
		}
		return nil
	}
	for _, fe := range s.Validate("schedule") {
		row.fail(fe.Field, "%s", fe.Text())
	}
	v := domain.ScheduleVersion{Schedule: *s}
	if from != "" {
		d, err := domain.ParseDate(from)
		if err != nil {
			row.fail("schedule_from", "%s", err)
			return nil
		}
		var check domain.Validator
		if postgres.CheckEffectiveFrom(&check, "schedule_from", d); len(check.Fields) > 0 {
			row.fail("schedule_from", "%s", check.Fields[0].Text())
			return nil
		}
		v.From = d
	}
	return []domain.ScheduleVersion{v}
}
