package postgres

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Health is what the store last saw of the database: whether it answers,
// since when, and the last failure (for operators only: it may name hosts
// and users).
type Health struct {
	Up bool
	// Since is when the current state began (zero before the first check).
	Since time.Time
	// Err is the last failure, "" while up.
	Err string
}

type health struct {
	mu sync.Mutex
	h  Health
}

// Health returns the database's state as the last check saw it. Before the
// first check it is up: the store was opened after the database answered.
func (s *Store) Health() Health {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	h := s.health.h
	if h.Since.IsZero() {
		h.Up = true
	}
	return h
}

// Monitor checks every interval, until ctx ends, that the database answers
// a trivial query within the interval (at least one second), through the
// pool that requests use: a pool exhausted by stuck writes counts as down
// for writes, which it is. Each change of state is logged once, and a
// recovery says how long the outage lasted.
func (s *Store) Monitor(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.check(ctx, max(interval, time.Second), log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// check runs one probe and records its outcome.
func (s *Store) check(ctx context.Context, timeout time.Duration, log *slog.Logger) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	_, err := s.pool.Exec(cctx, "SELECT 1")
	cancel()
	if ctx.Err() != nil {
		return
	}
	s.record(err, time.Now(), log)
}

// record sets the state from a probe's outcome at now, logging a change.
func (s *Store) record(err error, now time.Time, log *slog.Logger) {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	h := &s.health.h
	first := h.Since.IsZero()
	switch {
	case err == nil && (first || !h.Up):
		if !first {
			log.Info("database available again", "down_for", now.Sub(h.Since).Round(time.Millisecond).String())
		}
		*h = Health{Up: true, Since: now}
	case err != nil && (first || h.Up):
		log.Warn("database unavailable: writes and audited decisions answer 503 until it is back; other decisions go on from memory", "error", err.Error())
		*h = Health{Up: false, Since: now, Err: err.Error()}
	case err != nil:
		h.Err = err.Error()
	}
}
