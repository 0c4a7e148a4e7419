package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"franja/internal/pgembed"
	"franja/migrations"
	"franja/postgres"
)

// serviceRole is the role the embedded PostgreSQL's service connects as;
// the schema belongs to its superuser, which runs the migrations.
const serviceRole = "franja_app"

// target is the database: the service's URL, the URL migrations run with
// (the schema's owner), and how to stop an embedded server.
type target struct {
	service, owner string
	stop           func()
}

// database returns the database to use: DATABASE_URL (migrations with
// FRANJA_MIGRATE_DATABASE_URL when set) or an embedded PostgreSQL started
// now, with its two roles.
func database(ctx context.Context, getenv func(string) string, log *slog.Logger) (target, error) {
	return openDatabase(ctx, getenv, log, false)
}

// adminDatabase is database for the administration commands (keys, seed,
// migrate): when `franja serve` already runs the embedded PostgreSQL on the
// data directory, they use that server instead of starting their own (the
// directory can have only one).
func adminDatabase(ctx context.Context, getenv func(string) string, log *slog.Logger) (target, error) {
	return openDatabase(ctx, getenv, log, true)
}

func openDatabase(ctx context.Context, getenv func(string) string, log *slog.Logger, share bool) (target, error) {
	if u := getenv("DATABASE_URL"); u != "" {
		owner := getenv("FRANJA_MIGRATE_DATABASE_URL")
		if owner == "" {
			owner = u
		}
		for name, v := range map[string]string{"DATABASE_URL": u, "FRANJA_MIGRATE_DATABASE_URL": owner} {
			if err := checkDatabaseURL(name, v); err != nil {
				return target{}, err
			}
		}
		return target{service: u, owner: owner, stop: func() {}}, nil
	}
	dir := pgembed.DefaultDataDir(getenv)
	if owner, service, ok := pgembed.Running(dir, "franja", serviceRole); ok && share {
		log.Info("using the embedded PostgreSQL that is already running", "data_dir", dir)
		return target{service: service, owner: owner, stop: func() {}}, nil
	}
	bin, err := pgembed.FindBinDir(getenv)
	if err != nil {
		return target{}, err
	}
	log.Info("DATABASE_URL is unset: starting an embedded PostgreSQL", "data_dir", dir, "bin_dir", bin)
	// Socket only, in a directory that is the server user's (0700), and
	// every role authenticates with a password derived from the data
	// directory's secret.
	srv, err := pgembed.Start(ctx, pgembed.Options{DataDir: dir, BinDir: bin, Database: "franja", SocketOnly: true, Logger: log})
	if errors.Is(err, pgembed.ErrInUse) {
		return target{}, fmt.Errorf("the embedded PostgreSQL in %s is in use by another running franja (or postgres): stop it first, "+
			"or set FRANJA_DATA_DIR to another directory (administration commands such as franja keys share a running server's): %w", dir, err)
	}
	if err != nil {
		return target{}, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	stop := func() {
		if err := srv.Stop(); err != nil {
			log.Error("stopping the embedded PostgreSQL", "error", err)
		}
	}
	if err := srv.EnsureRole(ctx, serviceRole); err != nil {
		stop()
		return target{}, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	return target{service: srv.RoleDSN(serviceRole, "franja"), owner: srv.DSN("franja"), stop: stop}, nil
}

// prepare checks that both URLs reach a database Franja may use, within
// the connect timeout (and at once on Ctrl-C), brings the schema up to date
// as its owner, and grants the service's role what it needs and no more.
// Warnings about the roles are logged when serving (other commands would
// only repeat them).
func (t target) prepare(ctx context.Context, s settings, log *slog.Logger, serving bool) error {
	warn := log.Debug
	if serving {
		warn = log.Warn
	}
	serviceUser, err := checkDatabase(ctx, t.service, "DATABASE_URL", s.connectTimeout)
	if err != nil {
		return err
	}
	ownerUser := serviceUser
	if t.owner != t.service {
		if ownerUser, err = checkDatabase(ctx, t.owner, "FRANJA_MIGRATE_DATABASE_URL", s.connectTimeout); err != nil {
			return err
		}
	}
	if err := up(ctx, withConnectTimeout(t.owner, s.connectTimeout)); err != nil {
		return err
	}
	if ownerUser == serviceUser {
		warn("the service connects as the role that owns the schema, so only triggers protect the audit records; " +
			"set FRANJA_MIGRATE_DATABASE_URL to the owner and DATABASE_URL to a role of its own (README, Running in production)")
		return nil
	}
	warnings, err := migrations.Grant(ctx, t.owner, serviceUser)
	for _, w := range warnings {
		warn(w)
	}
	return err
}

// checkDatabase connects to dsn (named by what in messages) and refuses the
// maintenance database and template databases. It returns the role it
// connected as.
func checkDatabase(ctx context.Context, dsn, what string, timeout time.Duration) (string, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "", fmt.Errorf("%s cannot be read: %w", what, err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = timeout
	}
	where := cfg.Host
	if cfg.Port != 0 && (where == "" || where[0] != '/') {
		where += ":" + strconv.Itoa(int(cfg.Port))
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	switch {
	case err != nil && ctx.Err() != nil:
		return "", fmt.Errorf("interrupted while connecting to the database (%s)", where)
	case err != nil && (pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded)):
		return "", fmt.Errorf("the database in %s (%s) did not answer within %s (FRANJA_DB_CONNECT_TIMEOUT): "+
			"check that a PostgreSQL server listens there and that nothing between holds the connection", what, where, cfg.ConnectTimeout)
	case err != nil:
		return "", fmt.Errorf("connecting to the database in %s (%s): %w", what, where, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var db, user string
	var template bool
	const q = `SELECT current_database(), current_user, datistemplate FROM pg_database WHERE datname = current_database()`
	if err := conn.QueryRow(ctx, q).Scan(&db, &user, &template); err != nil {
		return "", fmt.Errorf("reading the database in %s: %w", what, err)
	}
	switch {
	case db == "postgres":
		return "", fmt.Errorf("%s names the database postgres, PostgreSQL's maintenance database, which is not for applications: "+
			"create one for Franja (CREATE DATABASE franja OWNER <the migrations' role>) and name it in the URL", what)
	case template:
		return "", fmt.Errorf("%s names the template database %s, which every new database is copied from: "+
			"create one for Franja (CREATE DATABASE franja OWNER <the migrations' role>) and name it in the URL", what, db)
	}
	return user, nil
}

// up runs the migrations, returning at once when ctx ends.
func up(ctx context.Context, dsn string) error {
	done := make(chan error, 1)
	go func() { done <- migrations.Up(ctx, dsn) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("interrupted during migrations: %w", ctx.Err())
	}
}

// withConnectTimeout sets connect_timeout (whole seconds) in a postgres://
// URL that has none: the migrations' driver opens its own connections.
func withConnectTimeout(dsn string, d time.Duration) string {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return dsn
	}
	q := u.Query()
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", strconv.Itoa(max(1, int(d.Round(time.Second).Seconds()))))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// checkDatabaseURL refuses a DATABASE_URL that is not a postgres:// URL
// with a message that says what to write, before a driver answers
// something like "unknown driver localhost (forgotten import?)".
func checkDatabaseURL(name, s string) error {
	example := "postgres://USER:PASSWORD@HOST:5432/DATABASE?sslmode=disable"
	scheme, rest, hasScheme := strings.Cut(s, "://")
	switch {
	case !hasScheme && strings.Contains(s, "="):
		return fmt.Errorf("%s looks like a key=value connection string (%q); Franja takes the URL form: %s", name, clipURL(s), example)
	case !hasScheme:
		return fmt.Errorf("%s %q is not a URL; write it as %s", name, clipURL(s), example)
	case scheme != "postgres" && scheme != "postgresql":
		return fmt.Errorf("%s has the scheme %q; use postgres://, e.g. %s", name, scheme, example)
	case rest == "":
		return fmt.Errorf("%s names no server; write it as %s", name, example)
	}
	if _, err := pgx.ParseConfig(s); err != nil {
		return fmt.Errorf("%s cannot be read (%v); write it as %s", name, err, example)
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
// date and connects a store to it as the service's role. close closes the
// store, then stops the embedded server if one was started.
func openStore(ctx context.Context, getenv func(string) string, log *slog.Logger) (store *postgres.Store, close func(), err error) {
	db, err := openDB(ctx, getenv, log, false, database)
	if err != nil {
		return nil, nil, err
	}
	return db.store, db.close, nil
}

// openAdminStore is openStore for the administration commands: it shares a
// running embedded server (see adminDatabase).
func openAdminStore(ctx context.Context, getenv func(string) string, log *slog.Logger) (store *postgres.Store, close func(), err error) {
	db, err := openDB(ctx, getenv, log, false, adminDatabase)
	if err != nil {
		return nil, nil, err
	}
	return db.store, db.close, nil
}

// db is an open database: the store, where it is, the settings it was
// opened with, and how to close it.
type db struct {
	store *postgres.Store
	target
	settings
	close func()
}

// opener finds the database: database, or adminDatabase.
type opener func(context.Context, func(string) string, *slog.Logger) (target, error)

func openDB(ctx context.Context, getenv func(string) string, log *slog.Logger, serving bool, open opener) (db, error) {
	s, err := readSettings(getenv)
	if err != nil {
		return db{}, err
	}
	t, err := open(ctx, getenv, log)
	if err != nil {
		return db{}, err
	}
	if err := t.prepare(ctx, s, log, serving); err != nil {
		t.stop()
		return db{}, err
	}
	store, err := postgres.Open(ctx, t.service, s.requestPool())
	if err != nil {
		t.stop()
		return db{}, err
	}
	return db{store: store, target: t, settings: s, close: func() { store.Close(); t.stop() }}, nil
}
