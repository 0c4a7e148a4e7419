// Package seed holds Franja's demo dataset: the Bogotá headquarters and 42
// posts in 36 countries on every inhabited continent, about 300 people
// with their supervisors, a year of leave (2026-07-01 to 2027-06-30), and
// the weekly on-call rotas of the consulates in Miami and Madrid. The
// consulates in Miami and Madrid follow their region's holidays (US-FL,
// ES-MD), and Madrid's also closes on Colombia's 20 July and 7 August,
// picked by holiday.
//
// The dataset is four CSV files in the bulk-import format (API.md, Bulk
// import): posts.csv, people.csv, leaves.csv and on-call-turns.csv,
// embedded here for `franja seed` and usable as they are with `franja
// import`. They were written by
// gen/main.go (go run seed/gen/main.go), but the CSV files are the
// dataset: edit them or rerun the generator.
package seed

import (
	"embed"
	"fmt"
	"slices"
)

//go:embed posts.csv people.csv leaves.csv on-call-turns.csv
var files embed.FS

// Kinds lists the dataset's files by import kind, in the order they must be
// imported: people name posts, and leave and on-call turns name people.
var Kinds = []string{"posts", "people", "leaves", "on-call-turns"}

// CSV returns the dataset's file for an import kind ("posts", "people",
// "leaves" or "on-call-turns").
func CSV(kind string) ([]byte, error) {
	if !slices.Contains(Kinds, kind) {
		return nil, fmt.Errorf("seed: no %q file; the kinds are %v", kind, Kinds)
	}
	return files.ReadFile(kind + ".csv")
}
