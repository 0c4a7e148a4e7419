package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"franja/api"
	"franja/migrations"
	"franja/postgres"
)

// serve runs the API until ctx ends, then drains in-flight requests and stops
// the embedded database, if any.
func serve(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: franja serve takes no arguments (configure it through the environment)", errUsage)
	}
	dsn, stopDB, err := database(ctx, getenv, log)
	if err != nil {
		return err
	}
	defer stopDB()

	if err := migrations.Up(ctx, dsn); err != nil {
		return err
	}
	store, err := postgres.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()

	handler := api.New(api.Config{
		Logger:     log,
		AdminToken: getenv("FRANJA_ADMIN_TOKEN"),
		Ready:      store.Ready,
		Store:      store,
	})
	addr := getenv("FRANJA_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // a 200,000-row import upload
		WriteTimeout:      3 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "addr", ln.Addr().String())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}
