package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestImportCommandXLSX: `franja import` sends a .xlsx as a workbook, and
// a bad row is reported by its sheet row.
func TestImportCommandXLSX(t *testing.T) {
	srv := importServer(t)
	flags := []string{"--server", srv.URL, "--token", importTestToken}
	path := filepath.Join(t.TempDir(), "posts.xlsx")
	f := excelize.NewFile()
	rows := [][]any{
		{"code", "name", "kind", "country", "time_zone"},
		{"BOG", "Bogotá", "headquarters", "CO", "America/Bogota"},
		{"MAD", "Embajada en Madrid", "embassy", "ES", "Europe/Nowhere"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = f.SetSheetRow("Sheet1", cell, &r)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	out, err := runImport(t, nil, append([]string{"posts", path}, flags...)...)
	if !errors.Is(err, errImportRejected) || !strings.Contains(out, "line 3: time_zone:") {
		t.Errorf("error %v, output:\n%s\nwant sheet row 3's time_zone refused", err, out)
	}
	_ = f.SetCellValue("Sheet1", "E3", "Europe/Madrid")
	_ = f.Save()
	if out, err := runImport(t, nil, append([]string{"posts", path}, flags...)...); err != nil || !strings.Contains(out, "posts imported: 2 created") {
		t.Errorf("error %v, output:\n%s", err, out)
	}
}
