package view

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"franja/domain"
	"franja/internal/pgtest"
)

// benchZones are the dozen zones the load benchmark spreads posts over:
// both hemispheres, with and without DST, half-hour offsets included.
var benchZones = []string{
	"America/Bogota", "America/New_York", "Europe/Madrid", "America/Santiago",
	"America/Mexico_City", "Asia/Tokyo", "Europe/London", "America/Sao_Paulo",
	"Australia/Sydney", "Africa/Nairobi", "Asia/Kolkata", "America/Los_Angeles",
}

// benchDataSQL fills a fresh database with {people} people and {leaves}
// leave rows over 48 posts in the dozen {zones}. Every post has a schedule
// (half of them a second version from 2026-07-01), 1 % of people their own
// schedule, 9 in 10 people a supervisor; 90 % of leaves are all-day, 10 %
// partial, 2 % name a delegate; they spread over 2025–2028.
const benchDataSQL = `
INSERT INTO posts (code, name, kind, country, time_zone, calendars)
SELECT 'POST' || g, 'Post ' || g, 'embassy', 'CO', (ARRAY[{zones}])[g % 12 + 1], '{CO}'
FROM generate_series(0, 47) g;
INSERT INTO schedules (post, windows)
SELECT 'POST' || g, '{"mon":["08:00-12:00","13:00-17:00"],"tue":["08:00-12:00","13:00-17:00"],"wed":["08:00-12:00","13:00-17:00"],"thu":["08:00-12:00","13:00-17:00"],"fri":["08:00-12:00","13:00-17:00"]}'
FROM generate_series(0, 47) g;
INSERT INTO schedules (post, effective_from, windows)
SELECT 'POST' || g, '2026-07-01', '{"mon":["07:00-15:00"],"tue":["07:00-15:00"],"wed":["07:00-15:00"],"thu":["07:00-15:00"],"fri":["07:00-13:00"]}'
FROM generate_series(0, 47, 2) g;
INSERT INTO people (external_id, full_name, email, post, supervisor)
SELECT 'P' || g, 'Person ' || g, 'p' || g || '@example.org', 'POST' || (g % 48),
       CASE WHEN g >= 10 THEN 'P' || (g / 10) END
FROM generate_series(1, {people}) g;
INSERT INTO schedules (person, windows)
SELECT 'P' || g, '{"sat":["09:00-13:00"],"sun":["09:00-13:00"]}'
FROM generate_series(100, {people}, 100) g;
INSERT INTO leaves (person, kind, start_date, end_date, starts_at, ends_at, delegate)
SELECT 'P' || (i % {people} + 1),
       (ARRAY['vacation','sick_leave','paid_permission','compensatory_day','study_permission','service_commission'])[i % 6 + 1],
       CASE WHEN i % 10 <> 0 THEN date '2025-01-01' + (i * 37 % 1460) END,
       CASE WHEN i % 10 <> 0 THEN date '2025-01-01' + (i * 37 % 1460) + i % 10 END,
       CASE WHEN i % 10 = 0 THEN timestamptz '2025-01-01 13:00Z' + (i * 37 % 1460) * interval '1 day' END,
       CASE WHEN i % 10 = 0 THEN timestamptz '2025-01-01 15:00Z' + (i * 37 % 1460) * interval '1 day' END,
       CASE WHEN i % 50 = 1 THEN 'P' || ((i + 1) % {people} + 1) END
FROM generate_series(0, {leaves} - 1) i;`

// loadBenchData runs benchDataSQL in one transaction. When the role may, it
// skips triggers (session_replication_role = replica): the generated rows
// are valid by construction, and the change feed has no listener yet.
func loadBenchData(b *testing.B, pool *pgxpool.Pool, people, leaves int) {
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var super bool
	if err := tx.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		b.Fatal(err)
	}
	if super {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			b.Fatal(err)
		}
	}
	quoted := make([]string, len(benchZones))
	for i, z := range benchZones {
		quoted[i] = "'" + z + "'"
	}
	sql := strings.NewReplacer("{people}", strconv.Itoa(people), "{leaves}", strconv.Itoa(leaves), "{zones}", strings.Join(quoted, ",")).Replace(benchDataSQL)
	if _, err := tx.Exec(ctx, sql); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkReload times a replica's start-up: View.Reload of 100,000 people
// and 1,000,000 leave rows (48 posts in 12 zones), and reports the heap the
// loaded view holds. Not run by plain `go test`; see BENCHMARKS.md:
//
//	go test -run x -bench BenchmarkReload -benchtime 3x ./view/
func BenchmarkReload(b *testing.B) {
	const people, leaves = 100_000, 1_000_000
	pool := pgtest.Pool(b)
	start := time.Now()
	loadBenchData(b, pool, people, leaves)
	b.Logf("generated %d people and %d leave rows in PostgreSQL in %v", people, leaves, time.Since(start).Round(time.Millisecond))
	b.Run("100k_people_1M_leaves", func(b *testing.B) {
		v := New(Config{Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		before := heapInUse()
		for b.Loop() {
			if err := v.Reload(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		s := v.Snapshot()
		if s.Len() != people {
			b.Fatalf("%d people loaded, want %d", s.Len(), people)
		}
		n := 0
		for i := range s.shards {
			for _, p := range s.shards[i] {
				n += len(p.Leaves)
				if p.Timeline == nil {
					b.Fatalf("%s has no timeline", p.ExternalID)
				}
			}
		}
		if n != leaves {
			b.Fatalf("%d leaves loaded, want %d", n, leaves)
		}
		held := heapInUse() - before
		runtime.KeepAlive(v)
		b.ReportMetric(float64(held)/(1<<20), "MiB-heap")
		b.ReportMetric(float64(held)/people, "B/person")
	})
}

// TestLeavesGroupedAndSortedByID checks the load without ORDER BY: each
// person gets exactly their leaves, in id order, even when the table's
// physical order differs (an UPDATE moves a row to the end) and the leaves
// span several chunks.
func TestLeavesGroupedAndSortedByID(t *testing.T) {
	v, pool := live(t)
	exec(t, pool, seedSQL)
	exec(t, pool, `INSERT INTO leaves (person, kind, start_date, end_date)
		SELECT CASE WHEN g % 3 = 0 THEN 'E2' ELSE 'E1' END, 'vacation', date '2026-01-01' + g, date '2026-01-01' + g
		FROM generate_series(0, 9999) g`)
	exec(t, pool, `UPDATE leaves SET kind = 'sick_leave' WHERE id IN (SELECT min(id) FROM leaves GROUP BY person)`)
	if err := v.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		person string
		n      int
		first  domain.Date
	}{{"E1", 6666, domain.NewDate(2026, 1, 2)}, {"E2", 3334, domain.NewDate(2026, 1, 1)}} {
		ls := v.Snapshot().Person(c.person).Leaves
		if len(ls) != c.n || cap(ls) != c.n {
			t.Fatalf("%s: %d leaves (cap %d), want %d", c.person, len(ls), cap(ls), c.n)
		}
		for i := 1; i < len(ls); i++ {
			if ls[i].ID <= ls[i-1].ID {
				t.Fatalf("%s: leave %d has id %d after %d", c.person, i, ls[i].ID, ls[i-1].ID)
			}
		}
		if ls[0].Kind != domain.LeaveSick || ls[1].Kind != domain.LeaveVacation {
			t.Errorf("%s: kinds %q, %q; want the updated first leave first", c.person, ls[0].Kind, ls[1].Kind)
		}
		if ls[0].StartDate != c.first || ls[0].EndDate != c.first {
			t.Errorf("%s: first leave %v–%v, want %v", c.person, ls[0].StartDate, ls[0].EndDate, c.first)
		}
	}
}
