package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"franja/internal/pgembed"
	"franja/migrations"
	"franja/postgres"

	"github.com/jackc/pgx/v5"
)

// database returns the DSN to use: DATABASE_URL when set, else an embedded
// PostgreSQL started now (stop it with the returned function).
func database(ctx context.Context, getenv func(string) string, log *slog.Logger) (dsn string, stop func(), err error) {
	return openDatabase(ctx, getenv, log, false)
}

// adminDatabase is database for the administration commands (keys, seed,
// migrate): when `franja serve` already runs the embedded PostgreSQL on the
// data directory, they use that server instead of starting their own (the
// directory can have only one).
func adminDatabase(ctx context.Context, getenv func(string) string, log *slog.Logger) (dsn string, stop func(), err error) {
	return openDatabase(ctx, getenv, log, true)
}

func openDatabase(ctx context.Context, getenv func(string) string, log *slog.Logger, share bool) (dsn string, stop func(), err error) {
	if u := getenv("DATABASE_URL"); u != "" {
		if err := checkDatabaseURL(u); err != nil {
			return "", nil, err
		}
		return u, func() {}, nil
	}
	dir := pgembed.DefaultDataDir(getenv)
	if dsn, ok := pgembed.Running(dir, "franja"); ok && share {
		log.Info("using the embedded PostgreSQL that is already running", "data_dir", dir)
		return dsn, func() {}, nil
	}
	bin, err := pgembed.FindBinDir(getenv)
	if err != nil {
		return "", nil, err
	}
	log.Info("DATABASE_URL is unset: starting an embedded PostgreSQL", "data_dir", dir, "bin_dir", bin)
	// Socket only: the cluster trusts its connections, so it must not listen
	// on TCP, where every local user could reach it; the socket's directory
	// is the server user's, 0700.
	srv, err := pgembed.Start(ctx, pgembed.Options{DataDir: dir, BinDir: bin, Database: "franja", SocketOnly: true, Logger: log})
	if errors.Is(err, pgembed.ErrInUse) {
		return "", nil, fmt.Errorf("the embedded PostgreSQL in %s is in use by another running franja (or postgres): stop it first, "+
			"or set FRANJA_DATA_DIR to another directory (administration commands such as franja keys share a running server's): %w", dir, err)
	}
	if err != nil {
		return "", nil, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	return srv.DSN("franja"), func() {
		if err := srv.Stop(); err != nil {
			log.Error("stopping the embedded PostgreSQL", "error", err)
		}
	}, nil
}

// checkDatabaseURL refuses a DATABASE_URL that is not a postgres:// URL
// with a message that says what to write, before a driver answers
// something like "unknown driver localhost (forgotten import?)".
func checkDatabaseURL(s string) error {
	example := "postgres://USER:PASSWORD@HOST:5432/DATABASE?sslmode=disable"
	scheme, rest, hasScheme := strings.Cut(s, "://")
	switch {
	case !hasScheme && strings.Contains(s, "="):
		return fmt.Errorf("DATABASE_URL looks like a key=value connection string (%q); Franja takes the URL form: %s", clipURL(s), example)
	case !hasScheme:
		return fmt.Errorf("DATABASE_URL %q is not a URL; write it as %s", clipURL(s), example)
	case scheme != "postgres" && scheme != "postgresql":
		return fmt.Errorf("DATABASE_URL has the scheme %q; use postgres://, e.g. %s", scheme, example)
	case rest == "":
		return fmt.Errorf("DATABASE_URL names no server; write it as %s", example)
	}
	if _, err := pgx.ParseConfig(s); err != nil {
		return fmt.Errorf("DATABASE_URL cannot be read (%v); write it as %s", err, example)
	}
	return nil
}

// clipURL shows the start of a connection string, never its password.
func clipURL(s string) string {
	if i := strings.Index(strings.ToLower(s), "password"); i >= 0 {
		s = s[:i] + "password=…"
	}
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return s
}

// openStore opens the database (as database does), brings its schema up to
// date and connects a store to it. close closes the store, then stops the
// embedded server if one was started.
func openStore(ctx context.Context, getenv func(string) string, log *slog.Logger) (store *postgres.Store, close func(), err error) {
	return openStoreWith(ctx, getenv, log, database)
}

// openAdminStore is openStore for the administration commands: it shares a
// running embedded server (see adminDatabase).
func openAdminStore(ctx context.Context, getenv func(string) string, log *slog.Logger) (store *postgres.Store, close func(), err error) {
	return openStoreWith(ctx, getenv, log, adminDatabase)
}

type opener func(context.Context, func(string) string, *slog.Logger) (string, func(), error)

func openStoreWith(ctx context.Context, getenv func(string) string, log *slog.Logger, open opener) (store *postgres.Store, close func(), err error) {
	dsn, stop, err := open(ctx, getenv, log)
	if err != nil {
		return nil, nil, err
	}
	if err := migrations.Up(ctx, dsn); err != nil {
		stop()
		return nil, nil, err
	}
	if store, err = postgres.Open(ctx, dsn); err != nil {
		stop()
		return nil, nil, err
	}
	return store, func() { store.Close(); stop() }, nil
}
