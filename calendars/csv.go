package calendars

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"franja/domain"
)

// ParseCSV reads the holidays of year from a CSV file whose header names a
// date and a name column ("date"/"fecha" and "name"/"nombre", in any order
// and case; other columns are ignored), one holiday a row. Files as
// Spanish-locale Excel saves them read too: ';' as the separator (when the
// header has ';' and no ','), Windows-1252 text (when the file is not
// UTF-8), and dates as DD/MM/YYYY besides YYYY-MM-DD. Rows of other years
// are left out and counted (a file may span several years).
//
// Every bad row is reported at once (up to maxFileErrors, then counted) in
// a domain.EInvalid error whose field errors carry the line (the header is
// line 1) and the column; a CSV syntax error (an unclosed quote) ends the
// reading at its line. The reading stops when ctx ends. Only a read failure
// or ctx returns another error.
func ParseCSV(ctx context.Context, r io.Reader, year int) (Upload, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return Upload{}, fmt.Errorf("reading the CSV file: %w", err)
	}
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	if !utf8.Valid(body) {
		// Not UTF-8: Excel's "CSV" in a Spanish Windows is Windows-1252.
		if body, err = charmap.Windows1252.NewDecoder().Bytes(body); err != nil {
			return Upload{}, domain.Invalid("the CSV file cannot be read", domain.FieldError{Line: 1, Field: "file",
				Message: "the file is neither UTF-8 nor Windows-1252 text: save it as \"CSV UTF-8\""})
		}
	}
	cr := csv.NewReader(bytes.NewReader(body))
	cr.Comma = separator(body)
	cr.FieldsPerRecord = -1 // short rows are reported by line, not as a syntax error
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return Upload{}, domain.Invalid("the CSV file is empty",
			domain.FieldError{Line: 1, Field: "header", Message: "the file must start with a header naming date and name"})
	}
	if err != nil {
		return Upload{}, csvError(err)
	}
	dateCol, nameCol, ferrs := csvColumns(header)
	if len(ferrs) > 0 {
		return Upload{}, domain.Invalid("the CSV header is wrong", ferrs...)
	}
	c := csvReader{yearHolidays: yearHolidays{year: year}}
	for n := 1; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return Upload{}, err
			}
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return Upload{}, fmt.Errorf("reading the CSV file: %w", err)
			}
			c.errs.add(pe.StartLine, "line", "%s", CSVSyntax(pe.Err))
			break
		}
		line, _ := cr.FieldPos(0)
		c.row(line, rec, dateCol, nameCol)
	}
	return c.result(&c.errs, "the CSV file has errors")
}

// separator is ';' when the header line has semicolons and no commas (as
// Excel writes CSV where the decimal separator is a comma), else ','.
func separator(body []byte) rune {
	head, _, _ := bytes.Cut(body, []byte("\n"))
	if bytes.ContainsRune(head, ';') && !bytes.ContainsRune(head, ',') {
		return ';'
	}
	return ','
}

// csvColumns finds the date and name columns of a header.
func csvColumns(header []string) (dateCol, nameCol int, errs []domain.FieldError) {
	dateCol, nameCol = -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "date", "fecha":
			dateCol = i
		case "name", "nombre":
			nameCol = i
		}
	}
	if dateCol < 0 {
		errs = append(errs, domain.FieldError{Line: 1, Field: "date", Message: `the header has no "date" column (or "fecha"): the first line names the columns, e.g. date,name or fecha;nombre`})
	}
	if nameCol < 0 {
		errs = append(errs, domain.FieldError{Line: 1, Field: "name", Message: `the header has no "name" column (or "nombre"): the first line names the columns, e.g. date,name or fecha;nombre`})
	}
	return dateCol, nameCol, errs
}

// csvReader gathers a CSV file's holidays of one year.
type csvReader struct {
	yearHolidays
	errs fileErrors
}

// row validates one row, recording every problem.
func (c *csvReader) row(line int, rec []string, dateCol, nameCol int) {
	cell := func(i int) string {
		if i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	ds, name := cell(dateCol), cell(nameCol)
	date, dateErr := parseCSVDate(ds)
	switch {
	case ds == "":
		c.errs.add(line, "date", "the date is missing")
	case dateErr != nil:
		c.errs.add(line, "date", "%q is not a date: write YYYY-MM-DD (2026-01-01) or DD/MM/YYYY (01/01/2026)", shorten(ds))
	}
	if name == "" {
		c.errs.add(line, "name", "the name is missing")
	}
	if ds == "" || dateErr != nil || name == "" {
		return
	}
	c.add(Holiday{Date: date, Name: name}, line, &c.errs)
}

var dayFirst = regexp.MustCompile(`^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$`)

// parseCSVDate reads YYYY-MM-DD or DD/MM/YYYY (day first, as Colombia and
// Spain write dates and Excel saves them there).
func parseCSVDate(s string) (domain.Date, error) {
	if m := dayFirst.FindStringSubmatch(s); m != nil {
		d, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Day() != d || int(t.Month()) != mo {
			return domain.Date{}, errors.New("no such day")
		}
		return domain.DateOf(t), nil
	}
	return domain.ParseDate(s)
}

// csvError turns a header syntax error into an EInvalid error.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return domain.Invalid("the CSV file cannot be read", csvLineError(pe))
	}
	return fmt.Errorf("reading the CSV file: %w", err)
}

// csvLineError is the field error of a CSV syntax error, at its line.
func csvLineError(pe *csv.ParseError) domain.FieldError {
	return domain.FieldError{Line: pe.StartLine, Field: "line", Message: "%s", Args: []any{CSVSyntax(pe.Err)}}
}

// CSVSyntax says what a CSV syntax error (csv.ParseError's Err) means, in
// words the catalogue translates (encoding/csv's own are English only).
func CSVSyntax(err error) domain.Text {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return domain.T(`extraneous or missing " in quoted-field`)
	case errors.Is(err, csv.ErrBareQuote):
		return domain.T(`bare " in non-quoted-field`)
	case errors.Is(err, csv.ErrFieldCount):
		return domain.T("wrong number of fields")
	}
	return domain.T("the CSV cannot be read here")
}
