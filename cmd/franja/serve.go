package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"franja/api"
	"franja/calendars"
	"franja/view"
)

// serve runs the API until ctx ends, then drains in-flight requests and stops
// the embedded database, if any.
func serve(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: franja serve takes no arguments (configure it through the environment)", errUsage)
	}
	if t := getenv("FRANJA_ADMIN_TOKEN"); t != "" && len(t) < 32 {
		log.Warn("FRANJA_ADMIN_TOKEN is shorter than 32 characters: fine for trying Franja out, weak anywhere else; use e.g. `openssl rand -hex 32`")
	}
	store, closeStore, err := openStore(ctx, getenv, log)
	if err != nil {
		return err
	}
	defer closeStore()

	// API keys: cached lookups; Close (deferred after closeStore, so run
	// before it) waits for the last last_used_at writes.
	keys := api.NewKeyAuthenticator(store, api.KeyAuthOptions{Logger: log})
	defer keys.Close()

	// The in-memory view follows the change feed from now until shutdown;
	// /readyz says ready only once it is loaded.
	v := view.New(store.Pool(), func(ctx context.Context) (*calendars.Stored, error) { return store.LoadStoredCalendars(ctx) }, log)
	v.OnKeyChanged = keys.Forget // a revocation on any replica reaches this cache at once
	viewCtx, stopView := context.WithCancel(context.WithoutCancel(ctx))
	viewDone := make(chan struct{})
	go func() { defer close(viewDone); _ = v.Run(viewCtx) }()
	defer func() { stopView(); <-viewDone }()

	handler := api.New(api.Config{
		Logger:          log,
		AdminToken:      getenv("FRANJA_ADMIN_TOKEN"),
		Authenticators:  []api.Authenticator{keys},
		RateLimits:      rateLimits(getenv),
		FailedAuthLimit: api.DefaultFailedAuthLimit,
		Ready: func(ctx context.Context) error {
			if err := store.Ready(ctx); err != nil {
				return err
			}
			return v.Ready(ctx)
		},
		Store:          store,
		View:           v,
		AuditThreshold: atoiOr(getenv("FRANJA_AUDIT_THRESHOLD"), 10),
		CORSOrigins:    corsOrigins(getenv("FRANJA_CORS_ORIGINS")),
	})
	addr := getenv("FRANJA_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	ln = api.ProblemListener(ln) // the server's own 400s and 431s as problems too
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

// rateLimits is api.DefaultRateLimits, with the system keys' limit taken
// from FRANJA_RATE_LIMIT_SYSTEM when set (requests per second per key; 0
// means unlimited). Load tests need it: one key at the default 2,000 req/s
// cannot show what a replica can serve.
func rateLimits(getenv func(string) string) map[api.Role]int {
	limits := maps.Clone(api.DefaultRateLimits)
	if n, err := strconv.Atoi(getenv("FRANJA_RATE_LIMIT_SYSTEM")); err == nil && n >= 0 {
		limits[api.RoleSystem] = n
	}
	return limits
}

// atoiOr parses s as a positive integer, or returns def.
func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n
	}
	return def
}

// corsOrigins splits FRANJA_CORS_ORIGINS ("https://a.example, https://b.example").
func corsOrigins(s string) []string {
	var out []string
	for _, o := range strings.Split(s, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}
