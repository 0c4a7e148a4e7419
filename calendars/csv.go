package calendars

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"franja/domain"
)

// ParseCSV reads holidays from a CSV file whose header names a "date" and a
// "name" column (in any order, any case; other columns are ignored), one
// holiday a row, dates as YYYY-MM-DD. Every bad row is reported at once in a
// domain.EInvalid error whose field errors carry the line (the header is
// line 1) and the column; a CSV syntax error (an unclosed quote) ends the
// reading at its line. The result is in date order, file order within a
// date. Only a read failure returns another error.
func ParseCSV(r io.Reader) ([]Holiday, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // short rows are reported by line, not as a syntax error
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, domain.Invalid("the CSV file is empty",
			domain.FieldError{Line: 1, Field: "header", Message: "the file must start with a header naming date and name"})
	}
	if err != nil {
		return nil, csvError(err)
	}
	dateCol, nameCol, ferrs := csvColumns(header)
	if len(ferrs) > 0 {
		return nil, domain.Invalid("the CSV header is wrong", ferrs...)
	}
	var v domain.Validator
	out := []Holiday{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("reading the CSV file: %w", err)
			}
			v.Fields = append(v.Fields, csvLineError(pe))
			break
		}
		line, _ := cr.FieldPos(0)
		if h, ok := csvRow(&v, line, rec, dateCol, nameCol); ok {
			out = append(out, h)
		}
	}
	if err := v.Err("the CSV file has errors"); err != nil {
		return nil, err
	}
	sortHolidays(out)
	return out, nil
}

// csvColumns finds the date and name columns of a header.
func csvColumns(header []string) (dateCol, nameCol int, errs []domain.FieldError) {
	dateCol, nameCol = -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))) {
		case "date":
			dateCol = i
		case "name":
			nameCol = i
		}
	}
	if dateCol < 0 {
		errs = append(errs, domain.FieldError{Line: 1, Field: "date", Message: `the header has no "date" column`})
	}
	if nameCol < 0 {
		errs = append(errs, domain.FieldError{Line: 1, Field: "name", Message: `the header has no "name" column`})
	}
	return dateCol, nameCol, errs
}

// csvRow validates one row, recording every problem in v.
func csvRow(v *domain.Validator, line int, rec []string, dateCol, nameCol int) (Holiday, bool) {
	n := len(v.Fields)
	cell := func(i int) string {
		if i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	fail := func(field, format string, args ...any) {
		v.Fields = append(v.Fields, domain.FieldError{Line: line, Field: field, Message: format, Args: args})
	}
	date, err := domain.ParseDate(cell(dateCol))
	switch {
	case cell(dateCol) == "":
		fail("date", "the date is missing")
	case err != nil:
		fail("date", "%s", err)
	}
	if cell(nameCol) == "" {
		fail("name", "the name is missing")
	}
	return Holiday{Date: date, Name: cell(nameCol)}, len(v.Fields) == n
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
