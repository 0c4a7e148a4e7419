package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/domain"
	"franja/internal/pgtest"
	"franja/postgres"
)

// benchLeaves is the size of the import the performance target is stated
// for (BENCHMARKS.md): 200,000 leave rows against 2,000 people.
const (
	benchLeaves = 200_000
	benchPeople = 2_000
)

// benchLeaveRows returns n leave rows spread over the seeded people: mostly
// all-day leave, every 10th a part of a day, every 50th with a delegate.
func benchLeaveRows(n int) []postgres.LeaveRow {
	rows := make([]postgres.LeaveRow, n)
	base := time.Date(2026, 1, 1, 13, 0, 0, 0, time.UTC)
	for i := range rows {
		person := fmt.Sprintf("P%d", i%benchPeople+1)
		l := domain.Leave{Person: person, Kind: domain.LeaveKinds[i%len(domain.LeaveKinds)], ExternalRef: fmt.Sprintf("HR-%07d", i)}
		if l.Kind == domain.LeaveServiceCommission {
			l.TimeZone = "Asia/Tokyo"
		}
		if i%10 == 0 {
			start := base.Add(time.Duration(i%700) * 24 * time.Hour)
			end := start.Add(3 * time.Hour)
			l.StartsAt, l.EndsAt = &start, &end
		} else {
			start := domain.NewDate(2026, time.January, 1+i%700)
			end := start.AddDays(i % 15)
			l.StartDate, l.EndDate = &start, &end
		}
		if i%50 == 0 {
			l.Delegate = fmt.Sprintf("P%d", (i+1)%benchPeople+1)
		}
		rows[i] = postgres.LeaveRow{Line: i + 2, Leave: l}
	}
	return rows
}

// benchSeed stores one post and benchPeople people.
func benchSeed(b *testing.B) (*postgres.Store, *pgxpool.Pool) {
	b.Helper()
	pool := pgtest.Pool(b)
	s := postgres.New(pool)
	if _, err := s.ImportPosts(b.Context(), []postgres.PostRow{impPost(2, "BOG")}, false); err != nil {
		b.Fatal(err)
	}
	people := []postgres.PersonRow{impPerson(2, "P1", "BOG", "")}
	for i := 2; i <= benchPeople; i++ {
		people = append(people, impPerson(i+1, fmt.Sprintf("P%d", i), "BOG", fmt.Sprintf("P%d", (i-1)/10+1)))
	}
	if res, err := s.ImportPeople(b.Context(), people, false); err != nil || len(res.Errors) > 0 {
		b.Fatalf("seeding people: %v %v", err, res.Errors)
	}
	return s, pool
}

func benchImport(b *testing.B, s *postgres.Store, rows []postgres.LeaveRow, want [3]int) {
	b.Helper()
	res, err := s.ImportLeaves(b.Context(), rows, false)
	if err != nil || len(res.Errors) > 0 {
		b.Fatalf("import: %v %v", err, res.Errors)
	}
	if got := impCounts(res); got != want {
		b.Fatalf("created/updated/unchanged = %v, want %v", got, want)
	}
}

// BenchmarkImportLeaves measures the store's import of 200,000 leave rows:
// into an empty table (create), the same file again (unchanged), the same
// file with every row changed (update), and the same file with one bad row
// in the middle (reject: everything is checked, nothing is written). Run
// it with: go test -bench BenchmarkImportLeaves -run x -benchtime 3x ./postgres/
func BenchmarkImportLeaves(b *testing.B) {
	s, pool := benchSeed(b)
	rows := benchLeaveRows(benchLeaves)
	b.Run("create", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			if _, err := pool.Exec(b.Context(), "TRUNCATE leaves"); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			benchImport(b, s, rows, [3]int{benchLeaves, 0, 0})
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			benchImport(b, s, rows, [3]int{0, 0, benchLeaves})
		}
	})
	b.Run("update", func(b *testing.B) {
		changed := benchLeaveRows(benchLeaves)
		for b.Loop() {
			for i := range changed { // flip every row between two kinds
				if changed[i].Leave.Kind == domain.LeaveVacation {
					changed[i].Leave.Kind = domain.LeaveSick
				} else if changed[i].Leave.Kind != domain.LeaveServiceCommission {
					changed[i].Leave.Kind = domain.LeaveVacation
				}
			}
			res, err := s.ImportLeaves(b.Context(), changed, false)
			if err != nil || len(res.Errors) > 0 || res.Created != 0 || res.Updated == 0 {
				b.Fatalf("update: %+v %v", res, err)
			}
		}
	})
	b.Run("reject", func(b *testing.B) {
		before := impVersions(b, pool, "leaves", "external_ref")
		bad := benchLeaveRows(benchLeaves)
		bad[99_999].Leave.Person = "GHOST" // line 100,001
		for b.Loop() {
			res, err := s.ImportLeaves(b.Context(), bad, false)
			want := []domain.FieldError{{Line: 100_001, Field: "person", Message: `no person has the external_id "GHOST"`}}
			if err != nil || !cmp.Equal(want, domain.InEnglish(res.Errors)) {
				b.Fatalf("reject: %v %v", err, res.Errors)
			}
		}
		if diff := cmp.Diff(before, impVersions(b, pool, "leaves", "external_ref")); diff != "" {
			b.Fatalf("a rejected import changed versions:\n%s", diff)
		}
	})
}
