package main

import (
	"context"
	"fmt"
	"log/slog"

	"franja/internal/pgembed"
	"franja/migrations"
	"franja/postgres"
)

// database returns the DSN to use: DATABASE_URL when set, else an embedded
// PostgreSQL started now (stop it with the returned function).
func database(ctx context.Context, getenv func(string) string, log *slog.Logger) (dsn string, stop func(), err error) {
	if u := getenv("DATABASE_URL"); u != "" {
		return u, func() {}, nil
	}
	bin, err := pgembed.FindBinDir(getenv)
	if err != nil {
		return "", nil, err
	}
	dir := pgembed.DefaultDataDir(getenv)
	log.Info("DATABASE_URL is unset: starting an embedded PostgreSQL", "data_dir", dir, "bin_dir", bin)
	// Socket only: the cluster trusts its connections, so it must not listen
	// on TCP, where every local user could reach it; the socket's directory
	// is the server user's, 0700.
	srv, err := pgembed.Start(ctx, pgembed.Options{DataDir: dir, BinDir: bin, Database: "franja", SocketOnly: true, Logger: log})
	if err != nil {
		return "", nil, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	return srv.DSN("franja"), func() {
		if err := srv.Stop(); err != nil {
			log.Error("stopping the embedded PostgreSQL", "error", err)
		}
	}, nil
}

// openStore opens the database (as database does), brings its schema up to
// date and connects a store to it. close closes the store, then stops the
// embedded server if one was started.
func openStore(ctx context.Context, getenv func(string) string, log *slog.Logger) (store *postgres.Store, close func(), err error) {
	dsn, stop, err := database(ctx, getenv, log)
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
