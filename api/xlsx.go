package api

import (
	"bytes"
	"encoding/csv"
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
// would read the same table: its first non-empty row is the header (the CSV
// headers), each later non-empty row a record. Cells are taken raw, so an
// identifier typed as a number stays "1001"; a number in a date column
// (start_date, end_date, schedule_from) is an Excel date and becomes
// YYYY-MM-DD, and in an instant column (starts_at, ends_at) a wall time
// YYYY-MM-DDTHH:MM:SS, which the row check then asks to be given with its
// offset. Every line an error names is the sheet's row number.
func readXLSX(body io.Reader, k *importKind) ([]rawRow, error) {
	f, err := excelize.OpenReader(body)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, csvError(err) // 413, as for CSV
		}
		return nil, domain.Errorf(domain.EMalformed, "the file is not an Excel workbook (.xlsx) that can be read; save it again as .xlsx, or send CSV")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, domain.Errorf(domain.EMalformed, "the workbook has no sheet")
	}
	cells, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, domain.Errorf(domain.EMalformed, "the first sheet of the workbook cannot be read; save it again as .xlsx, or send CSV")
	}
	text, lines := sheetCSV(cells, k)
	rows, err := readCSV(bytes.NewReader(text), k)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			for i := range de.Fields {
				de.Fields[i].Line = lines[de.Fields[i].Line]
			}
		}
		return nil, err
	}
	for i := range rows {
		rows[i].line = lines[rows[i].line]
		for j := range rows[i].errs {
			rows[i].errs[j].Line = lines[rows[i].errs[j].Line]
		}
	}
	return rows, nil
}

// sheetCSV writes the non-empty rows of a sheet as CSV, short rows padded
// to the header's width (Excel leaves out trailing empty cells), and maps
// each CSV line a record starts on to its sheet row (1-based).
func sheetCSV(cells [][]string, k *importKind) ([]byte, map[int]int) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	lines := map[int]int{}
	line, width := 1, 0
	var kinds []cellKind
	for i, row := range cells {
		if empty(row) {
			continue
		}
		if width == 0 {
			width, kinds = len(row), headerKinds(row, k)
		}
		rec := make([]string, max(width, len(row)))
		for j, c := range row {
			c = strings.ReplaceAll(strings.ReplaceAll(c, "\r\n", "\n"), "\r", "\n")
			if j < len(kinds) && line > 1 {
				c = excelValue(c, kinds[j])
			}
			rec[j] = c
		}
		lines[line] = i + 1
		_ = w.Write(rec) // into a bytes.Buffer: cannot fail
		for _, c := range rec {
			line += strings.Count(c, "\n")
		}
		line++
	}
	w.Flush()
	return b.Bytes(), lines
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
