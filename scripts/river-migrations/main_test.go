package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFilesMatchRiver fails when migrations/ no longer holds exactly what
// the River version in go.mod gives: after upgrading River, run
// `go run ./scripts/river-migrations` and commit the new files.
func TestFilesMatchRiver(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("River gave %d files", len(files))
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join("..", "..", "migrations", f.Name))
		if err != nil {
			t.Errorf("%s: %v (run go run ./scripts/river-migrations)", f.Name, err)
			continue
		}
		if string(got) != f.SQL {
			t.Errorf("%s differs from what River gives (run go run ./scripts/river-migrations)", f.Name)
		}
	}
	extra, _ := filepath.Glob(filepath.Join("..", "..", "migrations", "*_river_*.sql"))
	if len(extra) != len(files) {
		t.Errorf("migrations/ has %d River files, River gives %d", len(extra), len(files))
	}
}
