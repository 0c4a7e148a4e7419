package view

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Channel is the NOTIFY channel of the change feed (migration 000006).
const Channel = "franja_changes"

// View is the live, in-memory view of one replica.
type View struct {
	pool       *pgxpool.Pool
	loadStored StoredLoader
	log        *slog.Logger

	cur     atomic.Pointer[Snapshot]
	applyMu sync.Mutex // one writer at a time builds the next snapshot

	replica   string
	syncSeq   atomic.Uint64
	waitMu    sync.Mutex
	waiters   map[uint64]chan struct{}
	listening atomic.Bool

	// OnKeyChanged, when set, is called with the id of an API key that
	// changed (revoked, expired, deleted), so caches drop it at once.
	OnKeyChanged func(id int64)

	fullReloads atomic.Int64
}

// New returns a View over pool; it is empty until Reload or Run loads it.
func New(pool *pgxpool.Pool, loadStored StoredLoader, log *slog.Logger) *View {
	var b [6]byte
	_, _ = rand.Read(b[:])
	if log == nil {
		log = slog.Default()
	}
	return &View{pool: pool, loadStored: loadStored, log: log, replica: hex.EncodeToString(b[:]), waiters: map[uint64]chan struct{}{}}
}

// Snapshot returns the current version of the view (nil before the first load).
func (v *View) Snapshot() *Snapshot { return v.cur.Load() }

// FullReloads counts full reloads since start (for tests and metrics).
func (v *View) FullReloads() int64 { return v.fullReloads.Load() }

// Ready reports whether the view is loaded and following the change feed.
func (v *View) Ready(context.Context) error {
	if v.cur.Load() == nil {
		return errors.New("the in-memory view is not loaded yet")
	}
	if !v.listening.Load() {
		return errors.New("the in-memory view has lost the change feed; reconnecting")
	}
	return nil
}

// Reload rebuilds the whole view from PostgreSQL, from one consistent
// snapshot of the database.
func (v *View) Reload(ctx context.Context) error {
	v.applyMu.Lock()
	defer v.applyMu.Unlock()
	start := time.Now()
	tx, err := v.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	defer tx.Rollback(ctx)
	stored, err := v.loadStored(ctx)
	if err != nil {
		return err
	}
	postRows, err := loadPosts(ctx, tx, nil)
	if err != nil {
		return err
	}
	personRows, err := loadPeople(ctx, tx, nil)
	if err != nil {
		return err
	}
	s := &Snapshot{posts: make(map[string]*Post, len(postRows)), stored: stored}
	for code, r := range postRows {
		s.posts[code] = compilePost(r, stored)
	}
	compileAll(s, personRows)
	v.cur.Store(s)
	v.fullReloads.Add(1)
	v.log.Info("view loaded", "people", s.people, "posts", len(s.posts), "duration", time.Since(start))
	return nil
}

// applyPeople reloads the given people (and drops those that are gone).
func (v *View) applyPeople(ctx context.Context, ids []string) error {
	rows, err := loadPeople(ctx, v.pool, ids)
	if err != nil {
		return err
	}
	v.update(func(old, next *Snapshot) {
		applyPeopleRows(old, next, ids, rows)
	})
	return nil
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

// applyPosts reloads the given posts and recompiles everyone at them.
func (v *View) applyPosts(ctx context.Context, codes []string) error {
	rows, err := loadPosts(ctx, v.pool, codes)
	if err != nil {
		return err
	}
	v.update(func(old, next *Snapshot) {
		applyPostRows(old, next, codes, rows)
	})
	return nil
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

// update builds the next snapshot from the current one with fn, under the
// writer lock, and publishes it. Readers keep whichever version they hold.
func (v *View) update(fn func(old, next *Snapshot)) {
	v.applyMu.Lock()
	defer v.applyMu.Unlock()
	old := v.cur.Load()
	if old == nil {
		return // not loaded yet: the load will read the change
	}
	next := *old
	fn(old, &next)
	v.cur.Store(&next)
}

// compileAll compiles every person into s's shards, one worker per CPU:
// compiling is pure (each timeline is built from immutable inputs), and each
// worker owns its own shards, so no locks are needed.
func compileAll(s *Snapshot, rows map[string]*personRow) {
	var byShard [nShards][]*personRow
	for id, r := range rows {
		sh := shardOf(id)
		byShard[sh] = append(byShard[sh], r)
	}
	workers := min(runtime.GOMAXPROCS(0), nShards)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for sh := w; sh < nShards; sh += workers {
				m := make(map[string]*Person, len(byShard[sh]))
				for _, r := range byShard[sh] {
					m[r.ExternalID] = compilePerson(r, s.posts[r.Post])
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

// Sync returns once every write this replica committed before the call is
// in the view: it sends a marker through the change feed and waits for the
// listener to reach it (notifications arrive in commit order). Without a
// live listener it reloads the view instead.
func (v *View) Sync(ctx context.Context) error {
	if !v.listening.Load() {
		return v.Reload(ctx)
	}
	n := v.syncSeq.Add(1)
	ch := make(chan struct{})
	v.waitMu.Lock()
	v.waiters[n] = ch
	v.waitMu.Unlock()
	defer func() {
		v.waitMu.Lock()
		delete(v.waiters, n)
		v.waitMu.Unlock()
	}()
	if _, err := v.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, "sync:"+v.replica+":"+strconv.FormatUint(n, 10)); err != nil {
		return fmt.Errorf("view: sync: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("view: sync: the change feed did not answer: %w", ctx.Err())
	}
}

// Run follows the change feed until ctx ends: it LISTENs, loads the whole
// view, then applies each change as it comes. When the listening connection
// is lost it reconnects and reloads everything, so the view is never
// silently stale.
func (v *View) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for {
		err := v.follow(ctx)
		if v.listening.Swap(false) {
			backoff = 100 * time.Millisecond // it was healthy: the next outage starts afresh
		}
		if ctx.Err() != nil {
			return nil
		}
		v.log.Warn("view: change feed lost; reconnecting and reloading", "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// follow runs one listening connection until it fails.
func (v *View) follow(ctx context.Context) error {
	c, err := v.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := c.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	// Listen first, then load: a change committed during the load is both
	// in the load or after it, and in the queue; applying it twice is harmless.
	// Every Sync that began before the load is answered by it: its writes
	// had committed, and its marker may have been lost with the old feed.
	synced := v.syncSeq.Load()
	if err := v.Reload(ctx); err != nil {
		return err
	}
	v.release(func(n uint64) bool { return n <= synced })
	v.listening.Store(true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		batch := []string{n.Payload}
		// Gather what has already arrived, so an import's burst is applied
		// in one go.
		for len(batch) < 1000 {
			wctx, cancel := context.WithTimeout(ctx, time.Millisecond)
			n, err := conn.WaitForNotification(wctx)
			cancel()
			if err != nil {
				if ctx.Err() != nil || !isTimeout(err) {
					return err
				}
				break
			}
			batch = append(batch, n.Payload)
		}
		if err := v.apply(ctx, batch); err != nil {
			return err
		}
	}
}

func isTimeout(err error) bool { return errors.Is(err, context.DeadlineExceeded) }

// apply applies one batch of payloads in order of kind: a full reload
// swallows the rest; sync markers are released only after the changes
// before them are in.
func (v *View) apply(ctx context.Context, payloads []string) error {
	var people, posts []string
	var full bool
	var keys []int64
	var syncs []uint64
	for _, p := range payloads {
		kind, key, _ := strings.Cut(p, ":")
		switch kind {
		case "person":
			people = append(people, key)
		case "post":
			posts = append(posts, key)
		case "all", "calendars":
			full = true
		case "key":
			if id, err := strconv.ParseInt(key, 10, 64); err == nil {
				keys = append(keys, id)
			}
		case "sync":
			replica, n, _ := strings.Cut(key, ":")
			if replica == v.replica {
				if u, err := strconv.ParseUint(n, 10, 64); err == nil {
					syncs = append(syncs, u)
				}
			}
		}
	}
	var err error
	switch {
	case full:
		err = v.Reload(ctx)
	default:
		if len(posts) > 0 {
			err = v.applyPosts(ctx, dedupe(posts))
		}
		if err == nil && len(people) > 0 {
			err = v.applyPeople(ctx, dedupe(people))
		}
	}
	if err != nil {
		return err
	}
	if v.OnKeyChanged != nil {
		for _, id := range keys {
			v.OnKeyChanged(id)
		}
	}
	v.release(func(n uint64) bool { return slices.Contains(syncs, n) })
	return nil
}

// release answers the Sync calls waiting on markers that done accepts.
func (v *View) release(done func(uint64) bool) {
	v.waitMu.Lock()
	defer v.waitMu.Unlock()
	for n, ch := range v.waiters {
		if done(n) {
			close(ch)
			delete(v.waiters, n)
		}
	}
}

func dedupe(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
