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
	"franja/contacts"
	"franja/decide"
	"franja/delivery"
	"franja/metrics"
	"franja/postgres"
	"franja/view"
	"franja/web"
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
	listen, err := readListenSettings(getenv)
	if err != nil {
		return err
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
	// Deliveries too (closed, like the view's, after background work stops).
	deliveryPool, err := postgres.OpenPool(ctx, db.service, db.deliveryPool())
	if err != nil {
		return err
	}
	defer deliveryPool.Close()
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
		m.Observe(sources(v, db.store, viewPool, deliveryPool))
	}
	dec := decide.New(v, db.store, log)
	deliveryStore := postgres.New(deliveryPool)
	runner, err := delivery.New(deliveryPool, deliveryConfig(getenv, deliveryStore, log))
	if err != nil {
		return fmt.Errorf("delivery: %w", err)
	}
	// Contacts are recorded on the requests' pool (their River job in the
	// same transaction); the worker reads and decides on its own.
	cs := contacts.New(dec, db.store, runner, nil)
	runner.SetContacts(contacts.New(dec, deliveryStore, runner, nil))
	wg.Go(func() {
		if err := runner.Run(bg); err != nil {
			log.Error("delivery stopped", "error", err.Error())
		}
	})
	pages, err := webApp(getenv, log, db.store, v, keys, db.disclosure)
	if err != nil {
		return err
	}
	handler := api.New(api.Config{
		Pages:             pages,
		Logger:            log,
		AdminToken:        getenv("FRANJA_ADMIN_TOKEN"),
		Authenticators:    []api.Authenticator{keys},
		RateLimits:        rateLimits(getenv),
		FailedAuthLimit:   api.DefaultFailedAuthLimit,
		Store:             db.store,
		View:              v,
		AuditThreshold:    atoiOr(getenv("FRANJA_AUDIT_THRESHOLD"), 10),
		RequestTimeout:    db.requestTimeout,
		Metrics:           m,
		PublicURL:         getenv("FRANJA_PUBLIC_URL"),
		CORSOrigins:       corsOrigins(getenv("FRANJA_CORS_ORIGINS")),
		DisclosureHorizon: db.disclosure,
		TrustedProxies:    listen.trustedProxies,
		Contacts:          cs,
		AccessLogEvery:    db.logSample,
		SlowRequest:       db.slowRequest,

		AllowPrivateWebhooks: getenv("FRANJA_WEBHOOK_ALLOW_PRIVATE") == "1",
	})
	addr := getenv("FRANJA_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	if listen.tls == nil {
		// The server's own 400s and 431s as problems too. Not under TLS:
		// the server must see its *tls.Conn (HTTP/2, r.TLS), and the
		// wrapper would see only ciphertext.
		ln = api.ProblemListener(ln)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // a 200,000-row import upload
		WriteTimeout:      3 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		TLSConfig:         listen.tls,
	}
	errc := make(chan error, 2)
	if m != nil {
		msrv, err := serveMetrics(db.metricsAddr, m, log, errc)
		if err != nil {
			return err
		}
		defer msrv.Close()
	}
	log.Info("listening", "addr", ln.Addr().String(), "tls", listen.tls != nil)
	go func() {
		if listen.tls != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
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
func sources(v *view.View, store *postgres.Store, viewPool, deliveryPool *pgxpool.Pool) metrics.Sources {
	return metrics.Sources{
		View: func() metrics.ViewState {
			st := v.Status()
			return metrics.ViewState{Loaded: st.Loaded, Stale: st.Stale, Feed: st.Feed.String(), Age: st.Age,
				Reloads: st.FullReloads, FeedLosses: st.FeedLost, Applies: st.Applies}
		},
		DatabaseUp:     func() bool { return store.Health().Up },
		DatabaseErrors: postgres.ErrorCounts,
		Pools:          map[string]*pgxpool.Pool{"requests": store.Pool(), "view": viewPool, "delivery": deliveryPool},
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

// webApp is the web app (package web) as the environment configures it:
// key sign-in unless FRANJA_WEB_KEY_LOGIN=off, OpenID Connect when
// FRANJA_OIDC_ISSUER is set (README, "The web app").
func webApp(getenv func(string) string, log *slog.Logger, store *postgres.Store, v *view.View, keys *api.KeyAuthenticator, horizon time.Duration) (*web.App, error) {
	cfg := web.Config{
		Logger: log, Store: store, View: v, Keys: []web.Authenticator{keys},
		AdminToken: getenv("FRANJA_ADMIN_TOKEN"),
		KeyLogin:   getenv("FRANJA_WEB_KEY_LOGIN") != "off",
		PublicURL:  getenv("FRANJA_PUBLIC_URL"),
		TLS:        getenv("FRANJA_TLS_CERT") != "",

		AuditThreshold:    atoiOr(getenv("FRANJA_AUDIT_THRESHOLD"), 10),
		DisclosureHorizon: horizon,
	}
	if iss := getenv("FRANJA_OIDC_ISSUER"); iss != "" {
		cfg.OIDC = &web.OIDCConfig{
			Issuer: iss, ClientID: getenv("FRANJA_OIDC_CLIENT_ID"), ClientSecret: getenv("FRANJA_OIDC_CLIENT_SECRET"),
			RedirectURL: getenv("FRANJA_OIDC_REDIRECT_URL"), GroupsClaim: getenv("FRANJA_OIDC_GROUPS_CLAIM"),
			AdminGroups: corsOrigins(getenv("FRANJA_OIDC_ADMIN_GROUPS")), HRGroups: corsOrigins(getenv("FRANJA_OIDC_HR_GROUPS")),
		}
		if cfg.OIDC.ClientID == "" {
			return nil, fmt.Errorf("%w: FRANJA_OIDC_ISSUER is set but FRANJA_OIDC_CLIENT_ID is not", errUsage)
		}
	}
	return web.New(cfg)
}

// deliveryConfig reads the webhook settings: FRANJA_WEBHOOK_RATE
// (deliveries per second per endpoint, default 50; 0: no limit),
// FRANJA_WEBHOOK_MAX_ATTEMPTS (default 10), FRANJA_WEBHOOK_RETRY_BASE (the
// first retry's wait, a Go duration, default 30s, doubled each time),
// FRANJA_WEBHOOK_WORKERS (deliveries at once per replica, default 200) and
// FRANJA_WEBHOOK_ALLOW_PRIVATE=1 (let webhooks reach private and loopback
// addresses).
func deliveryConfig(getenv func(string) string, store *postgres.Store, log *slog.Logger) delivery.Config {
	cfg := delivery.Config{Store: store, Logger: log, Work: true, Rate: delivery.DefaultRate,
		MaxAttempts:  atoiOr(getenv("FRANJA_WEBHOOK_MAX_ATTEMPTS"), delivery.DefaultMaxAttempts),
		Workers:      atoiOr(getenv("FRANJA_WEBHOOK_WORKERS"), delivery.DefaultWorkers),
		AllowPrivate: getenv("FRANJA_WEBHOOK_ALLOW_PRIVATE") == "1"}
	if r, err := strconv.ParseFloat(getenv("FRANJA_WEBHOOK_RATE"), 64); err == nil && r >= 0 {
		cfg.Rate = r
	}
	if d, err := time.ParseDuration(getenv("FRANJA_WEBHOOK_RETRY_BASE")); err == nil && d > 0 {
		cfg.RetryBase = d
	}
	return cfg
}
