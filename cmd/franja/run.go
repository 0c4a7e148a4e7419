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
  franja import posts|people|leaves|on-call-turns FILE [--server URL] [--token T] [--dry-run]
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
  FRANJA_CORS_ORIGINS comma-separated origins whose browser pages may call the API (default none)
  FRANJA_LOG_LEVEL    debug, info (default), warn or error (README: what each level logs)
  FRANJA_LOG_SAMPLE   at info, one ordinary request line in this many (100; 1: every request)
  FRANJA_LOG_SLOW     requests slower than this are logged at warn, always (500ms)
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
	if help, ok := commandHelp[args[0]]; ok && wantsHelp(args[1:]) {
		fmt.Fprint(stdout, help)
		return nil
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

// commandHelp is each command's --help text.
var commandHelp = map[string]string{
	"serve": `Usage: franja serve

Runs the API on FRANJA_ADDR (default :8080) until SIGINT or SIGTERM, then
drains in-flight requests. With DATABASE_URL unset it starts an embedded
PostgreSQL in FRANJA_DATA_DIR and stops it on exit. Migrations run at
start-up. Configured through the environment only (see franja help).
`,
	"migrate": `Usage: franja migrate up|version|force N

  up        apply every migration not yet applied
  version   print the schema's version (and whether it is dirty)
  force N   mark the schema as at version N, after fixing a failed migration

Uses DATABASE_URL, or the embedded PostgreSQL (the running one, if franja
serve has it).
`,
	"keys": `Usage: franja keys create --role R --name N [--person ID] [--expires INSTANT]
       franja keys list
       franja keys revoke ID

  create   make an API key (admin, hr, supervisor or system; a supervisor key
           names its --person) and print its token, once
  list     list every key, never its token
  revoke   revoke key ID at once

Straight against the database: DATABASE_URL, or the embedded PostgreSQL
(the running one, if franja serve has it).
`,
	"import": `Usage: franja import posts|people|leaves FILE [--server URL] [--token T] [--dry-run]

Sends a .csv or .json file to the API's bulk import (all or nothing) and
prints the counts, or every bad row by line. --server defaults to
FRANJA_SERVER (http://localhost:8080), --token to FRANJA_TOKEN (an hr or
admin key).
`,
	"seed": `Usage: franja seed [--dry-run]

Loads the demo dataset (posts, people, a year of leave); idempotent. Uses
DATABASE_URL, or the embedded PostgreSQL (the running one, if franja serve
has it).
`,
	"healthcheck": `Usage: franja healthcheck URL

Exits 0 when URL answers 200 within 3 seconds (a container health check).
`,
}

// wantsHelp reports whether a command's arguments ask for its help.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help", "help":
			return true
		}
	}
	return false
}

// newLogger writes JSON lines to stdout at FRANJA_LOG_LEVEL. Durations are
// written as people read them ("521ms"), not in raw nanoseconds.
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
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: humanDuration}))
}

// humanDuration writes a duration attribute as its String ("1.5s").
func humanDuration(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}
