package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

const usage = `franja: may I contact this person now, and if not, when?

Usage:
  franja serve                      run the API (embedded PostgreSQL when DATABASE_URL is unset)
  franja migrate up|version|force N manage the database schema
  franja keys create --role R --name N [--person ID] [--expires INSTANT]
                                    make an API key in the database; prints its token once
  franja keys list | revoke ID      list API keys (never their tokens) or revoke one
  franja audit verify               check the hash chains of the audit records; exit 1 if broken
  franja healthcheck URL            exit 0 when URL answers 200 (for container health checks)
  franja import posts|people|leaves FILE [--server URL] [--token T] [--dry-run]
                                    bulk-import a .csv or .json file through the API
  franja seed [--dry-run]           load the demo dataset (posts, people, a year of leave; idempotent)
  franja help                       show this text

Environment:
  DATABASE_URL        postgres:// URL of the service's role; unset: an embedded PostgreSQL in FRANJA_DATA_DIR
  FRANJA_MIGRATE_DATABASE_URL  postgres:// URL of the schema's owner, for migrations (default DATABASE_URL)
  FRANJA_DB_CONNECT_TIMEOUT, FRANJA_DB_STATEMENT_TIMEOUT, FRANJA_DB_LOCK_TIMEOUT  (5s, 30s, 5s)
  FRANJA_DB_MAX_CONNS  connections for requests (16); the view has 4 of its own
  FRANJA_REQUEST_TIMEOUT, FRANJA_SYNC_TIMEOUT  (60s, 2s)
  FRANJA_FEED_HEARTBEAT, FRANJA_FEED_TIMEOUT  change-feed heartbeat and its deadline (1s, 3s)
  FRANJA_METRICS_ADDR  serve Prometheus metrics on this address (unset: off)
  FRANJA_ADDR         listen address (default :8080)
  FRANJA_ADMIN_TOKEN  bootstrap bearer token with the admin role
  FRANJA_DATA_DIR     where the embedded PostgreSQL keeps its data
  FRANJA_AUDIT_THRESHOLD  exception contacts a requester may make in a month before the report flags them (10)
  FRANJA_RATE_LIMIT_SYSTEM  requests per second each system key may make (2000; 0: unlimited)
  FRANJA_LOG_LEVEL    debug, info (default), warn or error
  FRANJA_SERVER       franja import: the API's URL (default http://localhost:8080)
  FRANJA_TOKEN        franja import: the bearer token (an hr or admin key)
  PG_BIN              directory of the PostgreSQL server binaries (initdb, postgres)
`

// errUsage marks a command line that could not be understood.
var errUsage = errors.New("usage")

// run is the whole program with its inputs made explicit, so that tests can
// call it as the binary would be called.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("%w: name a command", errUsage)
	}
	log := newLogger(getenv, stdout)
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, log)
	case "migrate":
		return migrateCmd(ctx, args[1:], getenv, stdout, log)
	case "keys":
		return keysCmd(ctx, args[1:], getenv, stdout, log)
	case "audit":
		return auditCmd(ctx, args[1:], getenv, stdout, log)
	case "import":
		return importCmd(ctx, args[1:], getenv, stdout)
	case "seed":
		return seedCmd(ctx, args[1:], getenv, stdout, log)
	case "healthcheck":
		return healthcheck(ctx, args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
}

// newLogger writes JSON lines to stdout at FRANJA_LOG_LEVEL.
func newLogger(getenv func(string) string, w io.Writer) *slog.Logger {
	var level slog.Level
	switch strings.ToLower(getenv("FRANJA_LOG_LEVEL")) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
