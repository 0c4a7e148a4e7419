package view

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"franja/calendars"
	"franja/domain"
	"franja/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// live starts a View following the change feed of a fresh database.
func live(t *testing.T) (*View, *pgxpool.Pool) {
	t.Helper()
	return liveWith(t, Config{}, nil)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

const seedSQL = `
INSERT INTO posts (code, name, kind, country, time_zone, calendars) VALUES ('BOG', 'Bogotá', 'headquarters', 'CO', 'America/Bogota', '{CO}');
INSERT INTO schedules (post, windows) VALUES ('BOG', '{"mon":["08:00-17:00"],"tue":["08:00-17:00"],"wed":["08:00-17:00"],"thu":["08:00-17:00"],"fri":["08:00-17:00"]}');
INSERT INTO people (external_id, full_name, email, post) VALUES ('E1', 'Ana', 'ana@x.co', 'BOG'), ('E2', 'Beto', 'beto@x.co', 'BOG');
UPDATE people SET supervisor = 'E1' WHERE external_id = 'E2';`

// thursday10 is Thursday 26 November 2026, 10:00 in Bogotá.
var thursday10 = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)

func TestSyncSeesWritesAtOnce(t *testing.T) {
	v, pool := live(t)
	exec(t, pool, seedSQL)
	if err := v.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := v.Snapshot()
	e1 := s.Person("E1")
	if e1 == nil || s.Len() != 2 || !e1.HasSchedule || e1.ZoneName != "America/Bogota" {
		t.Fatalf("after sync: %d people, E1 %+v", s.Len(), e1)
	}
	if !e1.Timeline.Check(thursday10).Allowed {
		t.Error("E1 not allowed on Thursday 10:00")
	}
	if !s.Reports("E1", "E2") || s.Reports("E2", "E1") {
		t.Error("reporting line wrong")
	}

	// A leave for E1: applied as a person change.
	exec(t, pool, `INSERT INTO leaves (person, kind, external_ref, start_date, end_date) VALUES ('E1', 'vacation', 'V1', '2026-11-23', '2026-11-27')`)
	if err := v.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := v.Snapshot().Person("E1").Timeline.Check(thursday10); st.Allowed || st.Leave == nil {
		t.Errorf("E1 on leave: %+v", st)
	}
	// The old snapshot is unchanged: versions are immutable.
	if !s.Person("E1").Timeline.Check(thursday10).Allowed {
		t.Error("an old snapshot changed under a reader")
	}

	// A post change recompiles everyone at the post: Thursday becomes a closure.
	exec(t, pool, `INSERT INTO post_closures (post, date, name) VALUES ('BOG', '2026-11-26', 'Día cívico')`)
	if err := v.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := v.Snapshot().Person("E2").Timeline.Check(thursday10)
	if st.Allowed || len(st.Holiday) != 1 || st.Holiday[0] != "Día cívico" {
		t.Errorf("E2 on the closure: %+v", st)
	}

	// Deleting a person removes them.
	exec(t, pool, `DELETE FROM leaves; UPDATE people SET supervisor = NULL; DELETE FROM people WHERE external_id = 'E2'`)
	if err := v.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v.Snapshot().Person("E2") != nil || v.Snapshot().Len() != 1 {
		t.Error("E2 still in the view after deletion")
	}
}

func TestChangesReachTheViewWithoutSync(t *testing.T) {
	v, pool := live(t)
	exec(t, pool, seedSQL)
	waitFor(t, "the feed to bring E1", func() bool { return v.Snapshot().Person("E1") != nil })
}

func TestLostListenerReloadsEverything(t *testing.T) {
	v, pool := live(t)
	exec(t, pool, seedSQL)
	if err := v.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := v.FullReloads()
	// Kill the listening connection, and change data while it is down: the
	// NOTIFY for this change is lost with it.
	exec(t, pool, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN `+Channel+`' AND datname = current_database()`)
	exec(t, pool, `UPDATE people SET exception = 'disponibilidad_permanente' WHERE external_id = 'E1'`)
	waitFor(t, "a full reload after the lost connection", func() bool { return v.FullReloads() > before && v.Ready(context.Background()) == nil })
	if got := v.Snapshot().Person("E1").Exception; got != domain.ExceptionDisponibilidadPermanente {
		t.Errorf("after reconnecting, E1's exception is %q: the view is stale", got)
	}
}

func TestBulkChangeReloadsOnce(t *testing.T) {
	v, pool := live(t)
	exec(t, pool, seedSQL)
	exec(t, pool, `INSERT INTO people (external_id, full_name, email, post) SELECT 'P' || g, 'P', 'p@x.co', 'BOG' FROM generate_series(1, 500) g`)
	if err := v.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := v.Snapshot().Len(); n != 502 {
		t.Errorf("%d people after a 500-row insert, want 502", n)
	}
}

func TestHolidaysAreComputedPerYear(t *testing.T) {
	v, pool := live(t)
	exec(t, pool, seedSQL)
	if err := v.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := v.Snapshot().Post("BOG").Holidays
	for _, c := range []struct {
		d    domain.Date
		want string
	}{
		{domain.NewDate(2026, 12, 8), "Inmaculada Concepción"},
		{domain.NewDate(2087, 12, 25), "Navidad"},
		{domain.NewDate(2026, 12, 9), ""},
	} {
		got := h.Names(c.d)
		if (c.want == "" && got != nil) || (c.want != "" && (len(got) != 1 || got[0] != c.want)) {
			t.Errorf("%v: %v, want %q", c.d, got, c.want)
		}
	}
}

func BenchmarkHolidayLookup(b *testing.B) {
	h := newHolidays(&calendars.Stored{}, calendars.PostRules{Calendars: []string{"CO", "JP"}})
	d := domain.NewDate(2026, 12, 8)
	h.Names(d)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if h.Names(d) == nil {
			b.Fatal("no holiday")
		}
	}
}

// TestACalendarOutOfRangeKeepsTheOthers: LK's data ends in 2026; a post on
// ["LK","CO"] keeps Colombia's holidays in 2027.
func TestACalendarOutOfRangeKeepsTheOthers(t *testing.T) {
	h := newHolidays(&calendars.Stored{}, calendars.PostRules{Calendars: []string{"LK", "CO"}})
	for _, d := range []domain.Date{domain.NewDate(2027, 1, 1), domain.NewDate(2027, 7, 20), domain.NewDate(2027, 12, 25)} {
		if h.Names(d) == nil {
			t.Errorf("%v: no holiday, want Colombia's", d)
		}
		if !h.Unknown(d) || !slices.Equal(h.Uncovered(d.Year), []string{"LK"}) {
			t.Errorf("%v: unknown %v (%v), want LK unknown", d, h.Unknown(d), h.Uncovered(d.Year))
		}
	}
	if d := domain.NewDate(2026, 7, 20); h.Unknown(d) || h.Details(d)[0].Source != "calendar:CO" || h.Details(d)[0].NameEN != "Independence Day" {
		t.Errorf("%v: unknown %v, details %v", d, h.Unknown(d), h.Details(d))
	}
	if _, err := calendars.Holidays("LK", 2027); err == nil {
		t.Fatal("LK covers 2027 now: pick a calendar that ends, for this test to mean anything")
	}
}

// TestReloadAnswersWaitingSyncs: a Sync whose marker is lost with the
// listening connection is answered by the reload that follows, not left to
// time out.
func TestReloadAnswersWaitingSyncs(t *testing.T) {
	v, pool := live(t)
	// A Sync in flight: registered, its marker never to arrive.
	_, w := v.register()
	ch := w.ch
	exec(t, pool, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN `+Channel+`' AND datname = current_database()`)
	select {
	case <-ch:
	case <-time.After(4 * time.Second):
		t.Fatal("the waiting Sync was not answered by the reload after reconnecting")
	}
}

// TestExtrasInterned: delegates and zones interned from several goroutines
// at once, across blocks of the table, come back as given, the same
// triple always under the same number.
func TestExtrasInterned(t *testing.T) {
	const n = 3 * extrasBlock
	got := make([][n]uint32, 4)
	var wg sync.WaitGroup
	for g := range got {
		wg.Go(func() {
			for i := range n {
				got[g][i] = internExtra(leaveExtra{delegate: "D" + strconv.Itoa(i), zone: "Asia/Tokyo"})
				if e := extraOf(got[g][(i*7)%(i+1)]); e.zone != "Asia/Tokyo" {
					t.Errorf("entry %d: %+v", got[g][(i*7)%(i+1)], e)
					return
				}
			}
		})
	}
	wg.Wait()
	for i := range n {
		for g := range got {
			if got[g][i] != got[0][i] || got[g][i] == 0 {
				t.Fatalf("delegate D%d: numbers %d and %d", i, got[g][i], got[0][i])
			}
		}
		if e := extraOf(got[0][i]); e.delegate != "D"+strconv.Itoa(i) {
			t.Fatalf("number %d: %+v, want D%d", got[0][i], e, i)
		}
	}
	if internExtra(leaveExtra{}) != 0 || *extraOf(0) != (leaveExtra{}) {
		t.Error("the empty extra is not 0")
	}
}
