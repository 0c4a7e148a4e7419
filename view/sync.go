package view

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// A marker is a NOTIFY of our own, "sync:<replica>:<n>", sent on the view's
// pool. Notifications arrive in commit order, so once the listener has
// received marker n, every transaction committed before n was sent has been
// received too; once the round that carried n is applied, the view holds
// them all.
type waiter struct {
	ch     chan struct{}
	sentAt time.Time
}

// register makes a new marker number with a waiter for it.
func (v *View) register() (uint64, *waiter) {
	n := v.markSeq.Add(1)
	w := &waiter{ch: make(chan struct{})}
	v.waitMu.Lock()
	v.waiters[n] = w
	v.waitMu.Unlock()
	return n, w
}

func (v *View) forget(n uint64) {
	v.waitMu.Lock()
	delete(v.waiters, n)
	v.waitMu.Unlock()
}

// send sends marker n. Every commit made before sentAt precedes it.
func (v *View) send(ctx context.Context, n uint64, w *waiter) error {
	if w != nil {
		v.waitMu.Lock()
		w.sentAt = time.Now()
		v.waitMu.Unlock()
	}
	if _, err := v.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, v.markerPayload(n)); err != nil {
		return fmt.Errorf("view: sending a marker through the change feed: %w", err)
	}
	return nil
}

func (v *View) markerPayload(n uint64) string {
	return "sync:" + v.replica + ":" + strconv.FormatUint(n, 10)
}

// release answers the waiters of markers ns: the view now holds every
// commit made before each was sent.
func (v *View) release(ns []uint64) {
	v.waitMu.Lock()
	defer v.waitMu.Unlock()
	for _, n := range ns {
		if w, ok := v.waiters[n]; ok {
			close(w.ch)
			delete(v.waiters, n)
			if !w.sentAt.IsZero() {
				v.confirm(w.sentAt)
			}
		}
	}
}

// releaseUpTo answers every waiter up to marker n: a reload that began
// after they registered holds their commits (their markers may have been
// lost with an old listening connection).
func (v *View) releaseUpTo(n uint64) {
	v.waitMu.Lock()
	defer v.waitMu.Unlock()
	for m, w := range v.waiters {
		if m <= n {
			close(w.ch)
			delete(v.waiters, m)
		}
	}
}

// Sync returns once every write this replica committed before the call is
// in the view: it sends a marker through the change feed and waits, up to
// Config.SyncTimeout, for the listener to apply it. When the feed is down or
// does not answer in time, it reloads instead (CatchUp). If that fails too,
// the view marks itself stale (it knows it lacks a committed write) until a
// later load holds it, and Sync returns the error.
func (v *View) Sync(ctx context.Context) error {
	if FeedState(v.feed.Load()) == FeedFollowing {
		err := v.await(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		v.log.Debug("view: sync through the change feed failed; reloading", "error", err.Error())
	}
	if err := v.CatchUp(ctx); err != nil {
		v.markStale(time.Now())
		return err
	}
	if FeedState(v.feed.Load()) == FeedReconnecting {
		select { // the database answers again: the listener may retry now
		case v.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// errNoAnswer: a marker did not come back in time.
var errNoAnswer = errors.New("view: the change feed did not carry a marker back in time")

// await sends a marker and waits for the listener to apply it.
func (v *View) await(ctx context.Context) error {
	n, w := v.register()
	defer v.forget(n)
	ctx, cancel := context.WithTimeout(ctx, v.cfg.SyncTimeout)
	defer cancel()
	if err := v.send(ctx, n, w); err != nil {
		return err
	}
	select {
	case <-w.ch:
		return nil
	case <-ctx.Done():
		return errNoAnswer
	}
}

// flights coalesces reloads: whoever asks while one runs joins the next,
// which begins after they asked and so holds what they committed. After a
// database outage one reload serves every waiting write.
type flights struct {
	mu      sync.Mutex
	next    *flight
	running bool
}

type flight struct {
	done   chan struct{}
	err    error
	joined int // callers it serves (under flights.mu)
}

// CatchUp returns once a full reload that began after the call has
// published, sharing that reload with every other caller waiting meanwhile.
func (v *View) CatchUp(ctx context.Context) error {
	v.flights.mu.Lock()
	f := v.flights.next
	if f == nil {
		f = &flight{done: make(chan struct{})}
		v.flights.next = f
		if !v.flights.running {
			v.flights.running = true
			go v.fly()
		}
	}
	f.joined++
	v.flights.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return fmt.Errorf("view: catching up: %w", ctx.Err())
	}
}

// fly runs the queued reloads one after another, until none is queued.
func (v *View) fly() {
	for {
		v.flights.mu.Lock()
		f := v.flights.next
		if f == nil {
			v.flights.running = false
			v.flights.mu.Unlock()
			return
		}
		v.flights.next = nil
		v.flights.mu.Unlock()
		f.err = v.Reload(v.life)
		if f.err != nil {
			v.setErr(f.err)
		}
		close(f.done)
	}
}
