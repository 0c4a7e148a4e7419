package view

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"franja/domain"
	"franja/engine"
	"franja/internal/pgtest"
	"franja/migrations"
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

// processCPU returns the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchSizes are the numbers of people BenchmarkReload loads (ten leave
// rows each): FRANJA_BENCH_PEOPLE, comma-separated (default 100000).
func benchSizes(b *testing.B) []int {
	env := cmp.Or(os.Getenv("FRANJA_BENCH_PEOPLE"), "100000")
	var out []int
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 10 {
			b.Fatalf("FRANJA_BENCH_PEOPLE=%q: want numbers of people of at least 10", env)
		}
		out = append(out, n)
	}
	return out
}

// BenchmarkReload times a replica's start-up: View.Reload of N people and
// 10×N leave rows (48 posts in 12 zones; N from FRANJA_BENCH_PEOPLE, default
// 100,000), and reports the heap the loaded view holds, per person and in
// all. Then, on the loaded view, it times a decision (a random person and
// instant of 2026: Check, and the next allowed instant when not allowed) and
// applying a change to one person (the shard copy the change feed makes).
// Not run by plain `go test`; see BENCHMARKS.md (and benchPool for keeping
// the generated data across runs):
//
//	FRANJA_BENCH_PEOPLE=1200000 go test -run x -bench BenchmarkReload -benchtime 1x ./view/
func BenchmarkReload(b *testing.B) {
	for _, people := range benchSizes(b) {
		leaves := 10 * people
		b.Run(fmt.Sprintf("%dk_people", people/1000), func(b *testing.B) { benchView(b, people, leaves) })
	}
}

// benchPool returns a pool on a database holding people and leaves rows of
// benchDataSQL. By default it is a fresh pgtest database, filled here. With
// FRANJA_BENCH_DSN (a postgres URL of a database of its own, empty or kept
// from an earlier run of the same size) it is that database: migrated and
// filled when empty, reused as it is when it already holds the same number
// of people and leaves (generating 1.2 M people takes minutes). The
// benchmark only reads it.
func benchPool(b *testing.B, people, leaves int) *pgxpool.Pool {
	dsn := os.Getenv("FRANJA_BENCH_DSN")
	if dsn == "" {
		pool := pgtest.Pool(b)
		start := time.Now()
		loadBenchData(b, pool, people, leaves)
		b.Logf("generated %d people and %d leave rows in PostgreSQL in %v", people, leaves, time.Since(start).Round(time.Millisecond))
		return pool
	}
	ctx := context.Background()
	if err := migrations.Up(ctx, dsn); err != nil {
		b.Fatalf("FRANJA_BENCH_DSN: migrating: %v", err)
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		b.Fatalf("FRANJA_BENCH_DSN: %v", err)
	}
	b.Cleanup(pool.Close)
	var havePeople, haveLeaves int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM leaves)`).Scan(&havePeople, &haveLeaves); err != nil {
		b.Fatal(err)
	}
	switch {
	case havePeople == people && haveLeaves == leaves:
		b.Logf("reusing %d people and %d leave rows in FRANJA_BENCH_DSN", people, leaves)
	case havePeople == 0 && haveLeaves == 0:
		start := time.Now()
		loadBenchData(b, pool, people, leaves)
		b.Logf("generated %d people and %d leave rows in FRANJA_BENCH_DSN in %v (kept for the next run)", people, leaves, time.Since(start).Round(time.Millisecond))
	default:
		b.Fatalf("FRANJA_BENCH_DSN holds %d people and %d leaves, want %d and %d (or an empty database)", havePeople, haveLeaves, people, leaves)
	}
	return pool
}

func benchView(b *testing.B, people, leaves int) {
	pool := benchPool(b, people, leaves)
	// No reload deadline: on a machine shared with other work the default
	// (two minutes) is the machine's, not the view's.
	v := New(Config{Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ReloadTimeout: time.Hour})
	b.Run("reload", func(b *testing.B) {
		before := heapInUse()
		cpu := processCPU()
		for b.Loop() {
			if err := v.Reload(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		// The process's CPU time (all its threads) per reload: on a shared
		// machine steadier than the wall clock.
		b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
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
		b.ReportMetric(float64(held)/float64(people), "B/person")
		b.ReportMetric((float64(held)-100*float64(leaves))/float64(people), "B/person-beyond-100B/leave")
	})
	b.Run("read_leaves_only", func(b *testing.B) {
		// The floor under reload: PostgreSQL reading and sending the leave
		// rows, and pgx receiving them, with nothing done with them.
		for b.Loop() {
			rows, err := pool.Query(context.Background(), qLeaves, nil)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if rows.Err() != nil || n != leaves {
				b.Fatalf("%d rows (%v)", n, rows.Err())
			}
		}
	})
	s := v.Snapshot()
	if s == nil {
		b.Fatal("not loaded")
	}
	b.Run("decide", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		year := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		ids := make([]string, 1<<14)
		ats := make([]time.Time, len(ids))
		for i := range ids {
			ids[i] = "P" + strconv.Itoa(1+rng.IntN(people))
			ats[i] = year.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		}
		decide := func(n int) {
			for i := range n {
				p := s.Person(ids[i%len(ids)])
				if st := p.Calendar.Check(ats[i%len(ids)]); !st.Allowed {
					p.Calendar.NextAllowed(ats[i%len(ids)], engine.DefaultHorizon)
				}
			}
		}
		decide(len(ids)) // warm: holiday sets are built on first use
		const perLoop = 200_000
		b.ResetTimer()
		for b.Loop() {
			decide(perLoop)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perLoop), "ns/decision")
	})
	b.Run("apply_one_person", func(b *testing.B) {
		id := "P" + strconv.Itoa(people/2)
		rows, err := loadPeople(context.Background(), pool, []string{id})
		if err != nil {
			b.Fatal(err)
		}
		const perLoop = 100
		for b.Loop() {
			for range perLoop {
				next := *s
				applyPeopleRows(&next, &next, []string{id}, rows)
				if next.Person(id) == s.Person(id) || next.Len() != people {
					b.Fatal("the change was not applied")
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perLoop), "ns/apply")
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
		if ls[0].Kind() != domain.LeaveSick || ls[1].Kind() != domain.LeaveVacation {
			t.Errorf("%s: kinds %q, %q; want the updated first leave first", c.person, ls[0].Kind(), ls[1].Kind())
		}
		if ls[0].StartDate() != c.first || ls[0].EndDate() != c.first {
			t.Errorf("%s: first leave %v–%v, want %v", c.person, ls[0].StartDate(), ls[0].EndDate(), c.first)
		}
	}
}

// TestLeavesReadAsStored: every form of leave, read from the wire's binary
// format without pgx's Scan, comes out as PostgreSQL gives it through Scan:
// dates before 1970 and after 2038, instants with microseconds, delegates
// and zones, and each kind.
func TestLeavesReadAsStored(t *testing.T) {
	v, pool := live(t)
	exec(t, pool, seedSQL)
	exec(t, pool, `INSERT INTO leaves (person, kind, start_date, end_date, starts_at, ends_at, delegate, time_zone) VALUES
		('E1', 'vacation', '1969-12-31', '1970-01-02', NULL, NULL, NULL, NULL),
		('E1', 'sick_leave', '2099-02-27', '2099-03-01', NULL, NULL, 'E2', NULL),
		('E1', 'study_permission', NULL, NULL, '2026-03-04 13:00:00.123456Z', '2026-03-04 15:30:00Z', NULL, NULL),
		('E1', 'service_commission', '2026-12-07', '2026-12-11', NULL, NULL, NULL, 'Asia/Tokyo'),
		('E2', 'union_permission', NULL, NULL, '1999-12-31 23:59:59.999999Z', '2000-01-01 00:00:00.000001Z', 'E1', NULL)`)
	if err := v.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(context.Background(), `SELECT id, person, kind, coalesce(delegate, ''), coalesce(time_zone, ''), start_date, end_date, starts_at, ends_at FROM leaves`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var person, kind, delegate, zone string
		var sd, ed, s, e *time.Time
		if err := rows.Scan(&id, &person, &kind, &delegate, &zone, &sd, &ed, &s, &e); err != nil {
			t.Fatal(err)
		}
		n++
		l := v.Snapshot().Person(person).LeaveByID(id)
		if l == nil {
			t.Fatalf("leave %d of %s not in the view", id, person)
		}
		if l.Kind() != domain.LeaveKind(kind) || l.Delegate() != delegate || l.TimeZone() != zone || l.AllDay() != (sd != nil) {
			t.Errorf("leave %d: %s %q %q all-day %v, want %s %q %q", id, l.Kind(), l.Delegate(), l.TimeZone(), l.AllDay(), kind, delegate, zone)
		}
		if sd != nil && (l.StartDate() != domain.DateOf(*sd) || l.EndDate() != domain.DateOf(*ed)) {
			t.Errorf("leave %d: %v–%v, want %v–%v", id, l.StartDate(), l.EndDate(), domain.DateOf(*sd), domain.DateOf(*ed))
		}
		if s != nil && (!l.Start().Equal(*s) || !l.End().Equal(*e)) {
			t.Errorf("leave %d: %v–%v, want %v–%v", id, l.Start(), l.End(), *s, *e)
		}
	}
	if rows.Err() != nil || n != 5 {
		t.Fatalf("%d leaves read (%v)", n, rows.Err())
	}
}
