package view

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Run follows the change feed until ctx ends: it LISTENs on a connection of
// its own, loads the whole view, then applies each change as it comes.
// When the listening connection is lost, or hangs (a heartbeat does not
// come back within Config.FeedTimeout), it reconnects and reloads
// everything, so the view is never silently stale. Each loss and each
// recovery is logged once.
func (v *View) Run(ctx context.Context) error {
	defer v.stop()
	backoff := 100 * time.Millisecond
	for {
		err := v.follow(ctx)
		if ctx.Err() != nil {
			return nil
		}
		v.setErr(err)
		if FeedState(v.feed.Swap(int32(FeedReconnecting))) != FeedReconnecting {
			backoff = 100 * time.Millisecond // it was healthy: this outage starts afresh
			v.feedLosses.Add(1)
			v.lostAt = time.Now()
			v.log.Warn("view: change feed lost; decisions go on from memory while it reconnects", "error", err.Error())
			select { // a wake-up from before the loss means nothing now
			case <-v.wake:
			default:
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		case <-v.wake:
		}
		backoff = min(backoff*2, 2*time.Second)
	}
}

// follow runs one listening connection until it fails.
func (v *View) follow(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, v.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("view: connecting the change feed: %w", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return fmt.Errorf("view: LISTEN: %w", err)
	}
	// Listen first, then load: a change committed during the load is both
	// in the load or after it, and in the queue; applying it twice is
	// harmless. Every Sync that began before the load is answered by it:
	// its writes had committed, and its marker may have been lost with the
	// old feed.
	synced := v.markSeq.Load()
	if err := v.CatchUp(ctx); err != nil {
		return err
	}
	v.releaseUpTo(synced)
	if FeedState(v.feed.Swap(int32(FeedFollowing))) == FeedReconnecting {
		v.log.Info("view: change feed restored", "lost_for", time.Since(v.lostAt).Round(time.Millisecond).String())
	}
	f := &follower{v: v, conn: conn, nextBeat: time.Now().Add(v.cfg.Heartbeat)}
	err = f.loop(ctx)
	if f.pending.entities() {
		v.markStale(time.Now()) // received, not applied: known stale until the reload
	}
	v.forget(f.beat)
	if errors.Is(err, errHung) {
		// The backend may be alive but stuck: end it, or it keeps its
		// place in the notification queue (best effort).
		tctx, cancel := context.WithTimeout(context.Background(), v.cfg.FeedTimeout)
		_, _ = v.pool.Exec(tctx, "SELECT pg_terminate_backend($1)", conn.PgConn().PID())
		cancel()
	}
	return err
}

// errHung: a heartbeat did not come back within the feed timeout.
var errHung = errors.New("view: the change feed did not carry a heartbeat back in time: the listening connection is hung")

// follower is one listening connection and what it has received but not
// yet applied.
type follower struct {
	v        *View
	conn     *pgx.Conn
	pending  changes
	beat     uint64 // the heartbeat marker on its way (0: none)
	beatBy   time.Time
	nextBeat time.Time
}

// loop receives and applies batches until the connection fails or hangs.
func (f *follower) loop(ctx context.Context) error {
	for {
		if err := f.receive(ctx); err != nil {
			return err
		}
		batch := f.pending
		f.pending = changes{}
		if err := f.round(ctx, batch); err != nil {
			f.pending.merge(batch)
			return err
		}
		if f.beat != 0 && !f.v.waiting(f.beat) {
			f.beat = 0
			f.nextBeat = time.Now().Add(f.v.cfg.Heartbeat)
		}
	}
}

// receive waits until something is pending, sending heartbeats meanwhile,
// then gathers what has already arrived, so that an import's burst is
// applied in one go.
func (f *follower) receive(ctx context.Context) error {
	for f.pending.empty() {
		if err := f.heartbeat(ctx); err != nil {
			return err
		}
		deadline := f.nextBeat
		if f.beat != 0 {
			deadline = f.beatBy
		}
		n, err := f.wait(ctx, deadline)
		if err != nil {
			return err
		}
		if n != "" {
			f.pending.add(n, f.v.replica)
		}
	}
	return f.gather(ctx)
}

// heartbeat sends a marker when one is due, and fails when the last one is
// overdue.
func (f *follower) heartbeat(ctx context.Context) error {
	now := time.Now()
	switch {
	case f.beat != 0 && !now.Before(f.beatBy):
		return errHung
	case f.beat == 0 && !now.Before(f.nextBeat):
		n, w := f.v.register()
		sctx, cancel := context.WithTimeout(ctx, f.v.cfg.FeedTimeout)
		defer cancel()
		if err := f.v.send(sctx, n, w); err != nil {
			f.v.forget(n)
			return err
		}
		f.beat, f.beatBy = n, now.Add(f.v.cfg.FeedTimeout)
	}
	return nil
}

// wait returns the next notification's payload, or "" at deadline.
func (f *follower) wait(ctx context.Context, deadline time.Time) (string, error) {
	wctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	n, err := f.conn.WaitForNotification(wctx)
	switch {
	case err == nil:
		return n.Payload, nil
	case ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		return "", nil
	}
	return "", err
}

// gather adds what has already arrived, up to 1000 notifications.
func (f *follower) gather(ctx context.Context) error {
	for range 1000 {
		n, err := f.wait(ctx, time.Now().Add(time.Millisecond))
		if err != nil || n == "" {
			return err
		}
		f.pending.add(n, f.v.replica)
	}
	return nil
}

// round applies batch so that the published view is exactly the database
// at one snapshot S:
//
//  1. take S;
//  2. send a marker and read the feed up to it: every transaction
//     committed before S sent its notification before the marker, so batch
//     plus what arrived meanwhile names every row that changed since the
//     view's last snapshot (the previous round's S, or a reload's);
//  3. read all of those at S and publish (unless a later snapshot is
//     already published: the view never goes back in time);
//  4. what arrived meanwhile may have committed after S, so it is applied
//     again in the next round.
//
// A person moved to a post created meanwhile is thus compiled with that
// post, never against a view that lacks it.
func (f *follower) round(ctx context.Context, batch changes) error {
	v := f.v
	if batch.full {
		if err := v.CatchUp(ctx); err != nil {
			return err
		}
		v.release(batch.markers)
		return nil
	}
	if !batch.entities() {
		v.release(batch.markers)
		return nil
	}
	v.at("round")
	r, err := v.begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = r.tx.Rollback(context.WithoutCancel(ctx)) }()
	extra, err := f.upToMarker(ctx)
	if err != nil {
		return err
	}
	if extra.full {
		f.pending = extra
		f.pending.merge(batch)
		return nil // the next round reloads
	}
	all := batch
	all.merge(extra)
	if err := v.applyAt(ctx, r, all); err != nil {
		return err
	}
	v.release(batch.markers)
	if extra.entities() {
		f.pending = extra
	} else {
		v.release(extra.markers)
	}
	return nil
}

// upToMarker sends a marker and returns what the feed carries before it.
func (f *follower) upToMarker(ctx context.Context) (changes, error) {
	n := f.v.markSeq.Add(1)
	deadline := time.Now().Add(f.v.cfg.FeedTimeout)
	var got changes
	sctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	if err := f.v.send(sctx, n, nil); err != nil {
		return got, err
	}
	own := f.v.markerPayload(n)
	for {
		p, err := f.wait(ctx, deadline)
		switch {
		case err != nil:
			return got, err
		case p == "":
			return got, errHung
		case p == own:
			return got, nil
		}
		got.add(p, f.v.replica)
	}
}

// applyAt reads the rows that changes names at r and publishes them on top
// of the current snapshot.
func (v *View) applyAt(ctx context.Context, r read, c changes) error {
	posts, people, keys := c.lists()
	var postRows map[string]*postRow
	var personRows map[string]*personRow
	var keyRows map[int64]*Key
	var err error
	if len(posts) > 0 {
		if postRows, err = loadPosts(ctx, r.tx, posts); err != nil {
			return err
		}
	}
	if len(people) > 0 {
		if personRows, err = loadPeople(ctx, r.tx, people); err != nil {
			return err
		}
	}
	if len(keys) > 0 {
		if keyRows, err = loadKeys(ctx, r.tx, keys); err != nil {
			return err
		}
	}
	v.at("apply-read")
	v.publishWith(r.pos, func(old *Snapshot) *Snapshot {
		if old == nil {
			return nil // not loaded yet: the load reads it all
		}
		next := *old
		if len(posts) > 0 {
			applyPostRows(old, &next, posts, postRows)
		}
		if len(people) > 0 {
			applyPeopleRows(&next, &next, people, personRows)
		}
		if len(keys) > 0 {
			applyKeyRows(old, &next, keys, keyRows)
		}
		return &next
	})
	v.applies.Add(1)
	v.confirm(r.at)
	v.clearStale(r.at)
	return nil
}

// waiting reports whether marker n still has a waiter.
func (v *View) waiting(n uint64) bool {
	v.waitMu.Lock()
	defer v.waitMu.Unlock()
	_, ok := v.waiters[n]
	return ok
}

// changes is what a set of notifications names.
type changes struct {
	people, posts map[string]bool
	keys          map[int64]bool
	full          bool
	markers       []uint64
}

// add records one payload: 'person:<id>', 'post:<code>', 'key:<id>',
// 'calendars' and 'all' (reload), or a marker of this replica's.
func (c *changes) add(payload, replica string) {
	kind, key, _ := strings.Cut(payload, ":")
	switch kind {
	case "person":
		c.people = put(c.people, key)
	case "post":
		c.posts = put(c.posts, key)
	case "key":
		if id, err := strconv.ParseInt(key, 10, 64); err == nil {
			if c.keys == nil {
				c.keys = map[int64]bool{}
			}
			c.keys[id] = true
		}
	case "all", "calendars":
		c.full = true
	case "sync":
		r, n, _ := strings.Cut(key, ":")
		if u, err := strconv.ParseUint(n, 10, 64); err == nil && r == replica {
			c.markers = append(c.markers, u)
		}
	}
}

func put(m map[string]bool, k string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	m[k] = true
	return m
}

func (c *changes) merge(o changes) {
	for k := range o.people {
		c.people = put(c.people, k)
	}
	for k := range o.posts {
		c.posts = put(c.posts, k)
	}
	for k := range o.keys {
		if c.keys == nil {
			c.keys = map[int64]bool{}
		}
		c.keys[k] = true
	}
	c.full = c.full || o.full
	c.markers = append(c.markers, o.markers...)
}

func (c *changes) entities() bool {
	return c.full || len(c.people) > 0 || len(c.posts) > 0 || len(c.keys) > 0
}

func (c *changes) empty() bool { return !c.entities() && len(c.markers) == 0 }

// lists returns what c names, sorted.
func (c *changes) lists() (posts, people []string, keys []int64) {
	for k := range c.posts {
		posts = append(posts, k)
	}
	for k := range c.people {
		people = append(people, k)
	}
	for k := range c.keys {
		keys = append(keys, k)
	}
	slices.Sort(posts)
	slices.Sort(people)
	slices.Sort(keys)
	return posts, people, keys
}
