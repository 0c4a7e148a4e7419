package view

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"franja/internal/pgtest"
)

// gate blocks the view at one hook point, once, until released: the
// deterministic orderings below are built with it.
type gate struct {
	point   string
	armed   atomic.Bool
	reached chan struct{}
	release chan struct{}
}

func newGate(v *View, point string) *gate {
	g := &gate{point: point, reached: make(chan struct{}), release: make(chan struct{})}
	v.hook = func(p string) {
		if p == g.point && g.armed.CompareAndSwap(true, false) {
			close(g.reached)
			<-g.release
		}
	}
	return g
}

func (g *gate) wait(t *testing.T) {
	t.Helper()
	select {
	case <-g.reached:
	case <-time.After(10 * time.Second):
		t.Fatalf("the view never reached %q", g.point)
	}
}

// liveWith is live with the view's hooks set before it starts.
func liveWith(t *testing.T, cfg Config, setup func(v *View)) (*View, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.Pool(t)
	cfg.Pool, cfg.Logger = pool, slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	v := New(cfg)
	if setup != nil {
		setup(v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = v.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "the view to load", func() bool { return v.Ready(ctx) == nil })
	return v, pool
}

func syncView(t *testing.T, v *View) {
	t.Helper()
	if err := v.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestViewNeverGoesBackInTime reproduces finding 11 of issue 17 with the
// ordering that broke it: an apply reads E1 renamed "1"; meanwhile E1 is
// renamed "2" and a reload publishes it; then the apply publishes. Before,
// decisions saw "2" and then "1"; now the apply, read from an older
// snapshot, is not published over the reload's.
func TestViewNeverGoesBackInTime(t *testing.T) {
	var mu sync.Mutex
	var names []string
	var g *gate
	v, pool := liveWith(t, Config{}, func(v *View) {
		g = newGate(v, "apply-read")
		v.published = func(s *Snapshot) {
			if p := s.Person("E1"); p != nil {
				mu.Lock()
				names = append(names, p.FullName)
				mu.Unlock()
			}
		}
	})
	exec(t, pool, seedSQL)
	syncView(t, v)
	g.armed.Store(true)
	exec(t, pool, `UPDATE people SET full_name = '1' WHERE external_id = 'E1'`)
	g.wait(t) // the apply has read "1" and not published it
	exec(t, pool, `UPDATE people SET full_name = '2' WHERE external_id = 'E1'`)
	if err := v.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := v.Snapshot().Person("E1").FullName; got != "2" {
		t.Fatalf("after the reload E1 is %q, want 2", got)
	}
	close(g.release)
	syncView(t, v)
	if got := v.Snapshot().Person("E1").FullName; got != "2" {
		t.Errorf("after the apply read before the reload finished, E1 is %q: the view went back in time", got)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(names); i++ {
		if names[i] < names[i-1] && names[i-1] != "Ana" {
			t.Errorf("published names %v: %q after %q", names, names[i], names[i-1])
		}
	}
}

// TestPersonIsNeverCompiledWithoutTheirPost reproduces finding 12 of issue
// 17: rename E1 (its notification is taken), then create post MAD with a
// schedule and move E1 there, then apply the rename's notification. Before,
// the apply read E1 as now (at MAD) into a view without MAD: "post in view:
// false, verdict deny [no_schedule]", a state the database never had. Now
// the apply reads everything committed up to its snapshot, MAD included.
func TestPersonIsNeverCompiledWithoutTheirPost(t *testing.T) {
	var bad atomic.Value
	var g *gate
	v, pool := liveWith(t, Config{}, func(v *View) {
		g = newGate(v, "round")
		v.published = func(s *Snapshot) {
			if p := s.Person("E1"); p != nil && (s.Post(p.Post) == nil || !p.HasSchedule) {
				bad.Store(fmt.Sprintf("E1 at post %q, post in view: %v, has a schedule: %v", p.Post, s.Post(p.Post) != nil, p.HasSchedule))
			}
		}
	})
	exec(t, pool, seedSQL)
	syncView(t, v)
	g.armed.Store(true)
	exec(t, pool, `UPDATE people SET full_name = 'Ana María' WHERE external_id = 'E1'`)
	g.wait(t) // the round for the rename has its batch, and no snapshot yet
	exec(t, pool, `INSERT INTO posts (code, name, kind, country, time_zone, calendars) VALUES ('MAD', 'Madrid', 'embassy', 'ES', 'Europe/Madrid', '{ES}')`)
	exec(t, pool, `INSERT INTO schedules (post, windows) VALUES ('MAD', '{"mon":["09:00-14:00"],"tue":["09:00-14:00"]}')`)
	exec(t, pool, `UPDATE people SET post = 'MAD' WHERE external_id = 'E1'`)
	close(g.release)
	syncView(t, v)
	if b := bad.Load(); b != nil {
		t.Errorf("a published snapshot had %s", b)
	}
	if p := v.Snapshot().Person("E1"); p.Post != "MAD" || p.FullName != "Ana María" || !p.HasSchedule {
		t.Errorf("after catching up E1 is %+v", p)
	}
}

// TestTruncateIsFollowed reproduces finding 13 of issue 17: TRUNCATE fired
// no row trigger, so the view kept the leaves until its next reload.
func TestTruncateIsFollowed(t *testing.T) {
	v, pool := live(t)
	exec(t, pool, seedSQL)
	exec(t, pool, `INSERT INTO leaves (person, kind, external_ref, start_date, end_date) VALUES ('E1', 'vacation', 'V1', '2026-11-23', '2026-11-27')`)
	syncView(t, v)
	if n := len(v.Snapshot().Person("E1").Leaves); n != 1 {
		t.Fatalf("E1 has %d leaves, want 1", n)
	}
	exec(t, pool, `TRUNCATE leaves`)
	syncView(t, v)
	if n := len(v.Snapshot().Person("E1").Leaves); n != 0 {
		t.Errorf("after TRUNCATE leaves, E1 has %d leaves in the view", n)
	}
}

// TestKeysAreFollowed: API keys created, revoked and deleted in the
// database, with psql as well, reach the view.
func TestKeysAreFollowed(t *testing.T) {
	v, pool := live(t)
	sum := [32]byte{7}
	exec(t, pool, `INSERT INTO api_keys (name, role, prefix, token_sha256) VALUES ('k', 'system', 'frj_AAAAAAAA', $1)`, sum[:])
	syncView(t, v)
	k := v.Snapshot().Key(sum)
	if k == nil || k.Role != "system" || k.Prefix != "frj_AAAAAAAA" {
		t.Fatalf("after the insert: %+v", k)
	}
	exec(t, pool, `UPDATE api_keys SET revoked_at = now()`)
	syncView(t, v)
	if k := v.Snapshot().Key(sum); k != nil {
		t.Errorf("a revoked key is in the view: %+v", k)
	}
	exec(t, pool, `UPDATE api_keys SET revoked_at = NULL`)
	exec(t, pool, `TRUNCATE api_keys CASCADE`) // feeds made with a key refer to it
	syncView(t, v)
	if k := v.Snapshot().Key(sum); k != nil {
		t.Errorf("a truncated key is in the view: %+v", k)
	}
}

// TestHungListenerIsNoticed: a change-feed connection that hangs (its
// backend stopped, not closed) is noticed by the heartbeat, replaced, and
// the view catches up with what changed meanwhile.
func TestHungListenerIsNoticed(t *testing.T) {
	v, pool := liveWith(t, Config{Heartbeat: 100 * time.Millisecond, FeedTimeout: 500 * time.Millisecond}, nil)
	exec(t, pool, seedSQL)
	syncView(t, v)
	var pid int
	err := pool.QueryRow(context.Background(), `SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN `+Channel+`' AND datname = current_database()`).Scan(&pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
	exec(t, pool, `UPDATE people SET exception = 'disponibilidad_permanente' WHERE external_id = 'E1'`)
	waitFor(t, "the view to notice the hung feed and catch up", func() bool {
		st := v.Status()
		return st.FeedLost >= 1 && st.Feed == FeedFollowing && v.Snapshot().Person("E1").Exception == "disponibilidad_permanente"
	})
	if st := v.Status(); st.Err != errHung.Error() {
		t.Errorf("the feed was lost with %q, want the heartbeat's %q", st.Err, errHung)
	}
}

// TestLiveListenerKillsAndWriteNoise is findings 11 and 12 live: a writer
// renames E1 1, 2, 3, … and moves E1 and E2 between posts (new posts made
// just before), while the listener is killed six times. No published
// snapshot may show an older name than one before it, or anyone at a post
// the snapshot lacks.
func TestLiveListenerKillsAndWriteNoise(t *testing.T) {
	var mu sync.Mutex
	var last int
	var problems []string
	v, pool := liveWith(t, Config{}, func(v *View) {
		v.published = func(s *Snapshot) {
			mu.Lock()
			defer mu.Unlock()
			for _, id := range []string{"E1", "E2"} {
				p := s.Person(id)
				if p != nil && (s.Post(p.Post) == nil || !p.HasSchedule) && len(problems) < 5 {
					problems = append(problems, fmt.Sprintf("%s at %s without it (or its schedule) in the view", id, p.Post))
				}
			}
			if p := s.Person("E1"); p != nil {
				if n, err := strconv.Atoi(p.FullName); err == nil {
					if n < last && len(problems) < 5 {
						problems = append(problems, fmt.Sprintf("E1 named %d after %d", n, last))
					}
					last = max(last, n)
				}
			}
		}
	})
	exec(t, pool, seedSQL)
	syncView(t, v)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written atomic.Int64
	wg.Go(func() {
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			post := fmt.Sprintf("P%d", i)
			_, err := pool.Exec(ctx, `INSERT INTO posts (code, name, kind, country, time_zone, calendars) VALUES ($1, 'x', 'other', 'CO', 'America/Bogota', '{CO}')`, post)
			if err == nil {
				_, err = pool.Exec(ctx, `INSERT INTO schedules (post, windows) VALUES ($1, '{"mon":["08:00-12:00"]}')`, post)
			}
			if err == nil {
				_, err = pool.Exec(ctx, `UPDATE people SET full_name = $1, post = $2 WHERE external_id = 'E1'`, strconv.Itoa(i), post)
			}
			if err == nil {
				_, err = pool.Exec(ctx, `UPDATE people SET post = $1 WHERE external_id = 'E2'`, post)
			}
			if err != nil {
				t.Error(err)
				return
			}
			written.Store(int64(i))
		}
	})
	for i := range 6 {
		waitFor(t, "the feed to follow", func() bool { return v.Status().Feed == FeedFollowing })
		time.Sleep(30 * time.Millisecond) // let some writes through
		exec(t, pool, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN `+Channel+`' AND datname = current_database()`)
		waitFor(t, "the feed to be lost", func() bool { return v.Status().FeedLost > int64(i) })
	}
	time.Sleep(30 * time.Millisecond)
	close(stop)
	wg.Wait()
	waitFor(t, "the feed back", func() bool { return v.Status().Feed == FeedFollowing })
	syncView(t, v)
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
	if got, want := v.Snapshot().Person("E1").FullName, strconv.FormatInt(written.Load(), 10); got != want {
		t.Errorf("after catching up E1 is named %s, want %s", got, want)
	}
	if v.Status().FeedLost < 6 {
		t.Errorf("the feed was lost %d times, want 6 (the test no longer kills it)", v.Status().FeedLost)
	}
}

// TestWaitingWritesShareOneReload: with the feed down (after a database
// outage, before the listener is back), every write waiting for the view
// is served by one reload, not one each (issue 11 measured 16 concurrent
// writes taking up to 4.4 s that way).
func TestWaitingWritesShareOneReload(t *testing.T) {
	pool := pgtest.Pool(t)
	v := New(Config{Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}) // not following the feed
	if err := v.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	exec(t, pool, seedSQL)
	var g *gate
	g = newGate(v, "reload-read")
	g.armed.Store(true)
	first := make(chan error, 1)
	go func() { first <- v.Sync(context.Background()) }()
	g.wait(t) // one reload is under way; 16 more writes arrive meanwhile
	before := v.FullReloads()
	errs := make(chan error, 16)
	for range 16 {
		go func() { errs <- v.Sync(context.Background()) }()
	}
	waitFor(t, "the writes to queue", func() bool {
		v.flights.mu.Lock()
		defer v.flights.mu.Unlock()
		return v.flights.next != nil && v.flights.next.joined == 16
	})
	close(g.release)
	for range 16 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := v.FullReloads() - before; n != 2 {
		t.Errorf("%d reloads served the waiting writes, want 2 (the one under way, and one for all that came during it)", n)
	}
	if v.Snapshot().Person("E1") == nil {
		t.Error("the writes are not in the view")
	}
}
