package main

import (
	"context"
	"fmt"
	"log/slog"

	"franja/internal/pgembed"
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
	srv, err := pgembed.Start(ctx, pgembed.Options{DataDir: dir, BinDir: bin, Database: "franja", Logger: log})
	if err != nil {
		return "", nil, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	return srv.DSN("franja"), func() {
		if err := srv.Stop(); err != nil {
			log.Error("stopping the embedded PostgreSQL", "error", err)
		}
	}, nil
}
