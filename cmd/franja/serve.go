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
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/api"
	"franja/calendars"
	"franja/metrics"
	"franja/postgres"
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
	db, err := openDB(ctx, getenv, log, true, database)
	if err != nil {
		return err
	}
	defer db.close()
	// The in-memory view runs on a pool of its own, so that requests
	// holding every connection of theirs cannot starve it; it follows the
	// change feed from now until shutdown, and /readyz says ready only once
	// it is loaded.
	viewPool, err := postgres.OpenPool(ctx, db.service, db.viewPool())
	if err != nil {
		return err
	}
	defer viewPool.Close()
	// Background work (the view, the database's health, last-used
	// bookkeeping) goes on until the server has drained, then stops before
	// the pools close.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopBG()
	v := view.New(view.Config{
		Pool: viewPool, Logger: log,
		LoadStored: func(ctx context.Context, tx pgx.Tx) (*calendars.Stored, error) {
			return postgres.ReadStoredCalendars(ctx, tx)
		},
		Heartbeat:   db.heartbeat,
		FeedTimeout: db.feedTimeout,
		SyncTimeout: db.syncTimeout,
	})
	wg.Go(func() { _ = v.Run(bg) })
	wg.Go(func() { db.store.Monitor(bg, time.Second, log) })
	keys := api.NewKeyAuthenticator(v, db.store, api.KeyAuthOptions{Logger: log})
	wg.Go(func() { keys.Run(bg) })
	// The holiday data set (260,000 rows) is parsed on first use: do it
	// now, beside the view's load, not in the first decision.
	go calendars.List()

	var m *metrics.Metrics
	if db.metricsAddr != "" {
		m = metrics.New()
		m.Observe(sources(v, db.store, viewPool))
	}
	handler := api.New(api.Config{
		Logger:          log,
		AdminToken:      getenv("FRANJA_ADMIN_TOKEN"),
		Authenticators:  []api.Authenticator{keys},
		RateLimits:      rateLimits(getenv),
		FailedAuthLimit: api.DefaultFailedAuthLimit,
		Store:           db.store,
		View:            v,
		AuditThreshold:  atoiOr(getenv("FRANJA_AUDIT_THRESHOLD"), 10),
		RequestTimeout:  db.requestTimeout,
		Metrics:         m,
		PublicURL:       getenv("FRANJA_PUBLIC_URL"),
		CORSOrigins:     corsOrigins(getenv("FRANJA_CORS_ORIGINS")),
		AccessLogEvery:  db.logSample,
		SlowRequest:     db.slowRequest,
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
	errc := make(chan error, 2)
	if m != nil {
		msrv, err := serveMetrics(db.metricsAddr, m, log, errc)
		if err != nil {
			return err
		}
		defer msrv.Close()
	}
	log.Info("listening", "addr", ln.Addr().String())
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

// serveMetrics serves /metrics on addr, a listener of its own (keep it off
// the public network).
func serveMetrics(addr string, m *metrics.Metrics, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for metrics on %s (FRANJA_METRICS_ADDR): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("metrics listening", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("metrics: %w", err)
		}
	}()
	return srv, nil
}

// sources is what the metrics read at each scrape.
func sources(v *view.View, store *postgres.Store, viewPool *pgxpool.Pool) metrics.Sources {
	return metrics.Sources{
		View: func() metrics.ViewState {
			st := v.Status()
			return metrics.ViewState{Loaded: st.Loaded, Stale: st.Stale, Feed: st.Feed.String(), Age: st.Age,
				Reloads: st.FullReloads, FeedLosses: st.FeedLost, Applies: st.Applies}
		},
		DatabaseUp:     func() bool { return store.Health().Up },
		DatabaseErrors: postgres.ErrorCounts,
		Pools:          map[string]*pgxpool.Pool{"requests": store.Pool(), "view": viewPool},
	}
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
