package view

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/calendars"
)

// Channel is the NOTIFY channel of the change feed (migration 000006).
const Channel = "franja_changes"

// StoredLoader loads the stored calendar data (uploads and calendar-level
// closures) within the view's snapshot transaction.
type StoredLoader func(ctx context.Context, tx pgx.Tx) (*calendars.Stored, error)

// Config configures a View; zero durations take the defaults.
type Config struct {
	// Pool is the view's own pool: reloads, applies and the feed's markers
	// run on it, and the listening connection is opened from its
	// configuration, so that requests exhausting theirs (writes stuck
	// behind a lock) cannot stall the view. Four connections are plenty.
	Pool       *pgxpool.Pool
	LoadStored StoredLoader
	Logger     *slog.Logger
	// Heartbeat is how often the feed proves it is alive by carrying a
	// marker (default 1 s); FeedTimeout is how long a marker may take to
	// come back before the listening connection is taken for hung,
	// dropped and replaced, with a reload (default 3 s).
	Heartbeat, FeedTimeout time.Duration
	// SyncTimeout is how long Sync waits for the feed before reloading
	// instead (default 2 s).
	SyncTimeout time.Duration
	// ReloadTimeout bounds a full reload (default 2 min).
	ReloadTimeout time.Duration
}

// The defaults of Config.
const (
	DefaultHeartbeat     = time.Second
	DefaultFeedTimeout   = 3 * time.Second
	DefaultSyncTimeout   = 2 * time.Second
	DefaultReloadTimeout = 2 * time.Minute
)

// FeedState says whether the view follows the change feed.
type FeedState int32

// The states of the feed.
const (
	FeedStarting     FeedState = iota // not yet listening (and perhaps not loaded)
	FeedFollowing                     // listening, heartbeats arriving
	FeedReconnecting                  // the listening connection was lost or hung
)

func (s FeedState) String() string {
	return [...]string{"starting", "following", "reconnecting"}[s]
}

// View is the live, in-memory view of one replica.
type View struct {
	cfg  Config
	pool *pgxpool.Pool
	log  *slog.Logger
	// exportSQL replaces exportSnapshot when set (a test's failing export).
	exportSQL string
	life      context.Context // ends when Run returns: background reloads stop
	stop      context.CancelFunc

	cur       atomic.Pointer[Snapshot]
	publishMu sync.Mutex // publishes one snapshot at a time, never an older one
	snapMu    sync.Mutex // takes one database snapshot at a time (see begin)
	snapSeq   uint64

	replica string
	markSeq atomic.Uint64
	waitMu  sync.Mutex
	waiters map[uint64]*waiter

	feed       atomic.Int32 // FeedState
	confirmed  atomic.Int64 // unix nanos: the view held every commit made before then
	staleSince atomic.Int64 // unix nanos: the view knows it lacks a commit since then (0: no)
	lastErr    atomic.Pointer[string]
	lostAt     time.Time // when the feed was lost (Run's goroutine only)

	flights flights
	wake    chan struct{}

	fullReloads, applies, feedLosses atomic.Int64

	// hook, when set (tests), is called at the named points: "round"
	// before an apply takes its snapshot, "apply-read" and "reload-read"
	// after an apply or a reload has read its rows, before it publishes.
	hook func(point string)
	// published, when set (tests), sees every snapshot published.
	published func(*Snapshot)
}

// New returns a View on cfg.Pool; it is empty until Reload or Run loads it.
func New(cfg Config) *View {
	var b [6]byte
	_, _ = rand.Read(b[:])
	cfg.Heartbeat = cmp.Or(cfg.Heartbeat, DefaultHeartbeat)
	cfg.FeedTimeout = cmp.Or(cfg.FeedTimeout, DefaultFeedTimeout)
	cfg.SyncTimeout = cmp.Or(cfg.SyncTimeout, DefaultSyncTimeout)
	cfg.ReloadTimeout = cmp.Or(cfg.ReloadTimeout, DefaultReloadTimeout)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LoadStored == nil {
		cfg.LoadStored = func(context.Context, pgx.Tx) (*calendars.Stored, error) { return &calendars.Stored{}, nil }
	}
	life, stop := context.WithCancel(context.Background())
	return &View{cfg: cfg, pool: cfg.Pool, log: cfg.Logger, life: life, stop: stop,
		replica: hex.EncodeToString(b[:]), waiters: map[uint64]*waiter{}, wake: make(chan struct{}, 1)}
}

// Snapshot returns the current version of the view (nil before the first load).
func (v *View) Snapshot() *Snapshot { return v.cur.Load() }

// FullReloads counts full reloads since start (for tests and metrics).
func (v *View) FullReloads() int64 { return v.fullReloads.Load() }

// Status is what the view can say about itself, for readiness and metrics.
type Status struct {
	Loaded bool
	Feed   FeedState
	// Age is how long ago the view was last known to hold every committed
	// change (a heartbeat came back, or a reload read everything). It grows
	// during a database outage, when nothing can be committed either.
	Age time.Duration
	// Stale: the view knows of a committed change it does not hold yet (a
	// write of this replica, or a change it could not apply).
	Stale bool
	// Err is the last error of the feed or of a reload ("" if none).
	Err                            string
	FullReloads, Applies, FeedLost int64
}

// Status returns the view's state now.
func (v *View) Status() Status {
	st := Status{
		Loaded: v.cur.Load() != nil, Feed: FeedState(v.feed.Load()), Stale: v.staleSince.Load() != 0,
		FullReloads: v.fullReloads.Load(), Applies: v.applies.Load(), FeedLost: v.feedLosses.Load(),
	}
	if c := v.confirmed.Load(); c != 0 {
		st.Age = max(time.Since(time.Unix(0, c)), 0)
	}
	if e := v.lastErr.Load(); e != nil {
		st.Err = *e
	}
	return st
}

// Ready reports whether the view can give right decisions: it is loaded
// and does not know itself stale. Losing the feed alone does not make it
// unready: during a database outage nothing changes that it could miss.
func (v *View) Ready(context.Context) error {
	st := v.Status()
	switch {
	case !st.Loaded:
		return errors.New("the in-memory view is not loaded yet")
	case st.Stale:
		return errors.New("the in-memory view lacks a committed change and is catching up")
	}
	return nil
}

func (v *View) setErr(err error) {
	s := err.Error()
	v.lastErr.Store(&s)
}

// confirm records that the view holds every commit made before t.
func (v *View) confirm(t time.Time) {
	n := t.UnixNano()
	for {
		old := v.confirmed.Load()
		if old >= n || v.confirmed.CompareAndSwap(old, n) {
			return
		}
	}
}

// markStale records that a change committed by now is not in the view.
func (v *View) markStale(now time.Time) { v.staleSince.CompareAndSwap(0, now.UnixNano()) }

// clearStale forgets the stale mark when a snapshot taken at at, which
// holds every commit made before it, is published.
func (v *View) clearStale(at time.Time) {
	if s := v.staleSince.Load(); s != 0 && at.UnixNano() > s {
		v.staleSince.CompareAndSwap(s, 0)
	}
}

// read is one consistent database snapshot the view reads from.
type read struct {
	tx  pgx.Tx
	pos uint64    // the order of this snapshot among the view's
	at  time.Time // every commit before at is in it
}

// begin opens a REPEATABLE READ, READ ONLY transaction and takes its
// snapshot at once. Snapshots are taken one at a time, so pos orders them:
// one taken after another has returned sees every commit that one saw.
func (v *View) begin(ctx context.Context) (read, error) {
	tx, err := v.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return read{}, fmt.Errorf("view: %w", err)
	}
	v.snapMu.Lock()
	defer v.snapMu.Unlock()
	at := time.Now()
	if _, err := tx.Exec(ctx, "SELECT 1"); err != nil { // the first statement takes the snapshot
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return read{}, fmt.Errorf("view: %w", err)
	}
	v.snapSeq++
	return read{tx: tx, pos: v.snapSeq, at: at}, nil
}

// publishWith publishes build(current) as read at pos, unless a snapshot
// from a later database snapshot is already published (then nothing
// changes: decisions never go back in time). It reports whether it did.
// build runs under the publishing lock, on the very snapshot it replaces.
func (v *View) publishWith(pos uint64, build func(old *Snapshot) *Snapshot) bool {
	v.publishMu.Lock()
	defer v.publishMu.Unlock()
	old := v.cur.Load()
	if old != nil && old.pos > pos {
		return false
	}
	next := build(old)
	if next == nil {
		return false
	}
	next.pos = pos
	v.cur.Store(next)
	if v.published != nil {
		v.published(next)
	}
	return true
}

func (v *View) at(point string) {
	if v.hook != nil {
		v.hook(point)
	}
}

// Reload rebuilds the whole view from PostgreSQL, from one consistent
// snapshot of the database.
func (v *View) Reload(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, v.cfg.ReloadTimeout)
	defer cancel()
	start := time.Now()
	r, err := v.begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = r.tx.Rollback(context.WithoutCancel(ctx)) }()
	more, err := v.share(ctx, r.tx)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		// A server that will not export or import snapshots (an old hot
		// standby, a restricted proxy): the load reads on one connection,
		// slower but the same. The failed export aborted r.tx: begin anew.
		v.log.Warn("view: reading the full load on one connection", "error", err)
		_ = r.tx.Rollback(context.WithoutCancel(ctx))
		if r, err = v.begin(ctx); err != nil {
			return err
		}
		more = nil
	}
	defer func() {
		for _, tx := range more {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	s, err := v.loadAll(ctx, r.tx, more...)
	if err != nil {
		return err
	}
	v.at("reload-read")
	v.publishWith(r.pos, func(*Snapshot) *Snapshot { return s })
	v.fullReloads.Add(1)
	v.confirm(r.at)
	v.clearStale(r.at)
	v.log.Info("view loaded", "people", s.people, "posts", len(s.posts), "keys", len(s.keys), "duration", time.Since(start))
	return nil
}

// loadReaders is how many transactions a full load reads the leaves on at
// once: PostgreSQL sends the rows from as many backends (one core each),
// and as many goroutines decode them. Two: the replicas this is measured
// on have two cores, and the view's pool four connections.
const loadReaders = 2

// share opens the transactions, besides tx, that a full load reads on
// (loadReaders in all, fewer when the pool is smaller): REPEATABLE READ,
// READ ONLY, on tx's very snapshot (exported from tx, imported by each),
// so that all of them see exactly what tx sees. The caller rolls them back.
func (v *View) share(ctx context.Context, tx pgx.Tx) ([]pgx.Tx, error) {
	n := min(loadReaders, int(v.pool.Config().MaxConns)) - 1
	if n <= 0 {
		return nil, nil
	}
	var id string
	if err := tx.QueryRow(ctx, cmp.Or(v.exportSQL, exportSnapshot)).Scan(&id); err != nil {
		return nil, fmt.Errorf("view: exporting the load's snapshot: %w", err)
	}
	var out []pgx.Tx
	for range n {
		other, err := v.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err == nil {
			// The snapshot's id is PostgreSQL's own (hex digits and dashes);
			// SET takes no parameter.
			_, err = other.Exec(ctx, `SET TRANSACTION SNAPSHOT `+quoteLiteral(id))
			if err != nil {
				_ = other.Rollback(context.WithoutCancel(ctx))
			}
		}
		if err != nil {
			for _, o := range out {
				_ = o.Rollback(context.WithoutCancel(ctx))
			}
			return nil, fmt.Errorf("view: importing the load's snapshot: %w", err)
		}
		out = append(out, other)
	}
	return out, nil
}

// exportSnapshot exports a transaction's snapshot.
const exportSnapshot = `SELECT pg_export_snapshot()`

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// loadAll reads and compiles everything in tx, reading the leaves in parts
// on tx and more (transactions on tx's snapshot, see share).
func (v *View) loadAll(ctx context.Context, tx pgx.Tx, more ...pgx.Tx) (*Snapshot, error) {
	stored, err := v.cfg.LoadStored(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("view: %w", err)
	}
	postRows, err := loadPosts(ctx, tx, nil)
	if err != nil {
		return nil, err
	}
	var others []querier
	for _, o := range more {
		others = append(others, o)
	}
	people, err := readPeople(ctx, tx, nil, others...)
	if err != nil {
		return nil, err
	}
	keys, err := loadKeys(ctx, tx, nil)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{posts: make(map[string]*Post, len(postRows)), stored: stored}
	for code, r := range postRows {
		s.posts[code] = compilePost(r, stored)
	}
	compileAll(s, people.rows)
	s.keys, s.keyIDs = keyMaps(keys)
	return s, nil
}

// applyPeopleRows puts rows (the people in ids that still exist) into next,
// copying each shard it touches once.
func applyPeopleRows(old, next *Snapshot, ids []string, rows map[string]*personRow) {
	copied := map[int]bool{}
	for _, id := range ids {
		sh := shardOf(id)
		if !copied[sh] {
			next.shards[sh] = cloneShard(old.shards[sh])
			copied[sh] = true
		}
		_, had := next.shards[sh][id]
		if r, ok := rows[id]; ok {
			next.shards[sh][id] = compilePerson(r, next.posts[r.Post])
			if !had {
				next.people++
			}
		} else if had {
			delete(next.shards[sh], id)
			next.people--
		}
	}
}

// applyPostRows puts rows (the posts in codes that still exist) into next
// and recompiles everyone at them, copying only the shards they are in.
func applyPostRows(old, next *Snapshot, codes []string, rows map[string]*postRow) {
	next.posts = make(map[string]*Post, len(old.posts))
	for code, p := range old.posts {
		next.posts[code] = p
	}
	changed := map[string]bool{}
	for _, code := range codes {
		changed[code] = true
		if r, ok := rows[code]; ok {
			next.posts[code] = compilePost(r, old.stored)
		} else {
			delete(next.posts, code)
		}
	}
	for i, sh := range old.shards {
		var copy map[string]*Person
		for id, p := range sh {
			if !changed[p.Post] {
				continue
			}
			if copy == nil {
				copy = cloneShard(sh)
				next.shards[i] = copy
			}
			copy[id] = compilePerson(p.row, next.posts[p.Post])
		}
	}
}

// compileAll compiles every person into s's shards, one worker per CPU:
// compiling is pure (each timeline is built from immutable inputs). Each
// worker compiles a run of rows in their stored order (rows and leaves read
// in sequence, not scattered) into one array of people, its spans from
// shared arrays (one object for the garbage collector instead of hundreds;
// one person replaced by the change feed keeps the rest of its array);
// then each worker fills the shards it owns, so no locks are needed.
func compileAll(s *Snapshot, rows []personRow) {
	workers := min(runtime.GOMAXPROCS(0), nShards)
	people := make([][]Person, workers)
	shards := make([]uint16, len(rows))
	var wg sync.WaitGroup
	for w := range workers {
		from, to := w*len(rows)/workers, (w+1)*len(rows)/workers
		wg.Go(func() {
			ps := make([]Person, to-from)
			var slab spanSlab
			for i := range ps {
				r := &rows[from+i]
				compileInto(&ps[i], r, s.posts[r.Post], &slab)
				shards[from+i] = uint16(shardOf(r.ExternalID))
			}
			people[w] = ps
		})
	}
	wg.Wait()
	// The people of each shard, shard by shard (a counting sort).
	var start [nShards + 1]int
	for _, sh := range shards {
		start[sh+1]++
	}
	for i := range nShards {
		start[i+1] += start[i]
	}
	next := start
	byShard := make([]*Person, len(rows))
	i := 0
	for _, ps := range people {
		for j := range ps {
			byShard[next[shards[i]]] = &ps[j]
			next[shards[i]]++
			i++
		}
	}
	for w := range workers {
		wg.Go(func() {
			for sh := w; sh < nShards; sh += workers {
				in := byShard[start[sh]:start[sh+1]]
				m := make(map[string]*Person, len(in))
				for _, p := range in {
					m[p.ExternalID] = p
				}
				s.shards[sh] = m
			}
		})
	}
	wg.Wait()
	s.people = len(rows)
}

func cloneShard(m map[string]*Person) map[string]*Person {
	c := make(map[string]*Person, len(m)+1)
	for k, p := range m {
		c[k] = p
	}
	return c
}

// wrap marks an error as the view's.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("view: %w", err)
}
