package main

import (
	"fmt"
	"strconv"
	"time"

	"franja/api"
	"franja/postgres"
	"franja/view"
)

// settings are the timeouts and sizes `franja serve` reads from the
// environment (README, Configuration); each has a default.
type settings struct {
	connectTimeout   time.Duration // FRANJA_DB_CONNECT_TIMEOUT
	statementTimeout time.Duration // FRANJA_DB_STATEMENT_TIMEOUT
	lockTimeout      time.Duration // FRANJA_DB_LOCK_TIMEOUT
	maxConns         int           // FRANJA_DB_MAX_CONNS
	requestTimeout   time.Duration // FRANJA_REQUEST_TIMEOUT
	syncTimeout      time.Duration // FRANJA_SYNC_TIMEOUT
	heartbeat        time.Duration // FRANJA_FEED_HEARTBEAT
	feedTimeout      time.Duration // FRANJA_FEED_TIMEOUT
	metricsAddr      string        // FRANJA_METRICS_ADDR
	disclosure       time.Duration // FRANJA_DISCLOSURE_HORIZON
	slowRequest      time.Duration // FRANJA_LOG_SLOW
	logSample        uint64        // FRANJA_LOG_SAMPLE
}

// DefaultLogSample is FRANJA_LOG_SAMPLE's default: one ordinary request
// line in 100 at info.
const DefaultLogSample = 100

// readSettings reads the settings, refusing a value it cannot read (a
// typo must not silently become the default).
func readSettings(getenv func(string) string) (settings, error) {
	s := settings{metricsAddr: getenv("FRANJA_METRICS_ADDR")}
	durations := []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"FRANJA_DB_CONNECT_TIMEOUT", &s.connectTimeout, postgres.DefaultConnectTimeout},
		{"FRANJA_DB_STATEMENT_TIMEOUT", &s.statementTimeout, postgres.DefaultStatementTimeout},
		{"FRANJA_DB_LOCK_TIMEOUT", &s.lockTimeout, postgres.DefaultLockTimeout},
		{"FRANJA_REQUEST_TIMEOUT", &s.requestTimeout, api.DefaultRequestTimeout},
		{"FRANJA_SYNC_TIMEOUT", &s.syncTimeout, view.DefaultSyncTimeout},
		{"FRANJA_FEED_HEARTBEAT", &s.heartbeat, view.DefaultHeartbeat},
		{"FRANJA_FEED_TIMEOUT", &s.feedTimeout, view.DefaultFeedTimeout},
		{"FRANJA_DISCLOSURE_HORIZON", &s.disclosure, api.DefaultDisclosureHorizon},
		{"FRANJA_LOG_SLOW", &s.slowRequest, api.DefaultSlowRequest},
	}
	for _, d := range durations {
		*d.dst = d.def
		v := getenv(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t <= 0 {
			return s, fmt.Errorf("%s=%q: give a positive duration such as 5s or 500ms", d.name, v)
		}
		*d.dst = t
	}
	s.maxConns = postgres.DefaultMaxConns
	if v := getenv("FRANJA_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 1000 {
			return s, fmt.Errorf("FRANJA_DB_MAX_CONNS=%q: give a number of connections from 2 to 1000", v)
		}
		s.maxConns = n
	}
	s.logSample = DefaultLogSample
	if v := getenv("FRANJA_LOG_SAMPLE"); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n < 1 {
			return s, fmt.Errorf("FRANJA_LOG_SAMPLE=%q: give how many ordinary requests share one log line (1: every request)", v)
		}
		s.logSample = n
	}
	return s, nil
}

// requestPool is the pool options for requests.
func (s settings) requestPool() postgres.Options {
	return postgres.Options{MaxConns: int32(s.maxConns), ConnectTimeout: s.connectTimeout,
		StatementTimeout: s.statementTimeout, LockTimeout: s.lockTimeout, AppName: "franja"}
}

// viewPool is the pool options for the in-memory view: a few connections of
// its own, so that requests cannot starve it; no statement timeout of its
// own (a reload is bounded by view.Config.ReloadTimeout), the same lock
// timeout.
// deliveryPool is the delivery worker's pool (River's and the worker's
// queries): its own, so that held contacts coming due cannot take the
// connections requests need, nor requests starve deliveries.
func (s settings) deliveryPool() postgres.Options {
	return postgres.Options{MaxConns: 8, ConnectTimeout: s.connectTimeout, StatementTimeout: s.statementTimeout,
		LockTimeout: s.lockTimeout, AppName: "franja-delivery"}
}

func (s settings) viewPool() postgres.Options {
	return postgres.Options{MaxConns: 4, ConnectTimeout: s.connectTimeout,
		StatementTimeout: view.DefaultReloadTimeout, LockTimeout: s.lockTimeout, AppName: "franja-view"}
}
