package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"franja/domain"
)

// XLSXType is the media type of an Excel workbook (.xlsx), which the bulk
// imports read beside CSV and JSON.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// readXLSX reads the first sheet of an .xlsx workbook as the CSV reader
// reads the same table: its first non-empty row is the header (the CSV
// headers), each later non-empty row a record. Cells are taken raw, so an
// identifier typed as a number stays "1001"; a number in a date column
// (start_date, end_date, schedule_from) is an Excel date and becomes
// YYYY-MM-DD, and in an instant column (starts_at, ends_at) a wall time
// YYYY-MM-DDTHH:MM:SS, which the row check then asks to be given with its
// offset. Every line an error names is the sheet's row number.
func readXLSX(body io.Reader, k *importKind, sink *importSink) error {
	f, err := excelize.OpenReader(body)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return csvError(err) // 413, as for CSV
		}
		return domain.Errorf(domain.EMalformed, "the file is not an Excel workbook (.xlsx) that can be read; save it again as .xlsx, or send CSV")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return domain.Errorf(domain.EMalformed, "the workbook has no sheet")
	}
	cells, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return domain.Errorf(domain.EMalformed, "the first sheet of the workbook cannot be read; save it again as .xlsx, or send CSV")
	}
	return readRecords(&sheetRecords{cells: cells, k: k}, k, sink)
}

// sheetRecords yields a sheet's non-empty rows as records, each on its
// sheet row (1-based), short rows padded to the header's width (Excel
// leaves out trailing empty cells).
type sheetRecords struct {
	cells [][]string
	k     *importKind
	next  int
	width int
	kinds []cellKind
}

// Next implements records.
func (s *sheetRecords) Next() (int, []string, error) {
	for s.next < len(s.cells) {
		i, row := s.next, s.cells[s.next]
		s.next++
		if empty(row) {
			continue
		}
		if s.width == 0 {
			s.width, s.kinds = len(row), headerKinds(row, s.k)
			return i + 1, row, nil
		}
		rec := make([]string, max(s.width, len(row)))
		for j, c := range row {
			if j < len(s.kinds) {
				c = excelValue(c, s.kinds[j])
			}
			rec[j] = c
		}
		return i + 1, rec, nil
	}
	return 0, nil, io.EOF
}

func empty(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cellKind says how a column's numbers are read: as they are, as an Excel
// date, or as an Excel date and time.
type cellKind int

const (
	plainCell cellKind = iota
	dateCell
	instantCell
)

func headerKinds(header []string, k *importKind) []cellKind {
	out := make([]cellKind, len(header))
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if _, ok := k.index[name]; !ok {
			continue
		}
		switch {
		case strings.HasSuffix(name, "_date") || name == "schedule_from":
			out[i] = dateCell
		case strings.HasSuffix(name, "_at"):
			out[i] = instantCell
		}
	}
	return out
}

// excelValue turns an Excel date serial in a date or instant column into
// text; anything else is left as it is.
func excelValue(c string, kind cellKind) string {
	if kind == plainCell {
		return c
	}
	serial, err := strconv.ParseFloat(strings.TrimSpace(c), 64)
	if err != nil {
		return c
	}
	t, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		return c
	}
	if kind == dateCell {
		return t.Format(time.DateOnly)
	}
	return t.Round(time.Second).Format("2006-01-02T15:04:05")
}
