// Package api is Franja's HTTP surface: chi routes (the whole surface is
// readable in routes.go), handlers, JSON, and the one place errors become
// RFC 9457 problems.
package api

import (
	"cmp"
	"context"
	"crypto/sha256"
	_ "embed"
	"log/slog"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/go-chi/httprate"

	"franja/contacts"
	"franja/decide"
	"franja/metrics"
	"franja/postgres"
	"franja/view"
)

//go:embed openapi.yaml
var openapiYAML []byte

// Config is what the HTTP layer needs from the process.
type Config struct {
	Logger *slog.Logger
	// AdminToken, when not empty, is a bootstrap bearer token with the admin role.
	AdminToken string
	// RequestTimeout is the deadline of every request (default
	// DefaultRequestTimeout): past it, what waits on the database gives up
	// and answers 503.
	RequestTimeout time.Duration
	// MaxBodyBytes caps request bodies (default 32 MiB, enough for a 200,000-row import).
	MaxBodyBytes int64
	// Authenticators resolve API keys, after the bootstrap token.
	Authenticators []Authenticator
	// Store is the PostgreSQL store (the source of truth).
	Store *postgres.Store
	// RateLimits caps the requests each key may make per RateWindow, by
	// role; a role left out, or given 0, is unlimited (nil: no limits).
	// DefaultRateLimits is what `franja serve` uses.
	RateLimits map[Role]int
	// RateWindow is the rate limits' window (default and minimum 1 s).
	RateWindow time.Duration
	// FailedAuthLimit caps the requests without a valid key one address may
	// make per minute (0: no cap; `franja serve` uses DefaultFailedAuthLimit).
	FailedAuthLimit int
	// View is the in-memory view decisions are answered from.
	View *view.View
	// Now returns the current instant (the default for `at`); time.Now when nil.
	Now func() time.Time
	// TrustedProxies are the reverse proxies (FRANJA_TRUSTED_PROXIES) whose
	// X-Forwarded-For names the client, for the failed-authentication
	// limiter; none: the connection's address, always.
	TrustedProxies []netip.Prefix
	// DisclosureHorizon is how far ahead system and supervisor keys see
	// exactly (0: DefaultDisclosureHorizon; negative: no bound).
	DisclosureHorizon time.Duration
	// PublicURL is the service's address as subscribers reach it (e.g.
	// https://franja.example.gov.co), the base of feed URLs; "" takes the
	// scheme and host of the request that creates the feed.
	PublicURL string
	// CORSOrigins are the origins whose pages may call the API from a
	// browser (FRANJA_CORS_ORIGINS); none, the default, allows none.
	CORSOrigins []string
	// AuditThreshold is the number of exception contacts a requester may
	// make in a month before the report flags them (default 10).
	AuditThreshold int
	// Metrics, when set, records requests, decisions and rate-limit
	// rejections.
	Metrics *metrics.Metrics
	// Pages, when set, is the web app (package web), served under / beside
	// the API and never under /v1.
	Pages http.Handler
	// Contacts records contacts; nil makes one on Store and View that
	// schedules deliveries with Scheduler.
	Contacts *contacts.Service
	// Scheduler holds contacts for delivery (nil: a contact asking for
	// delivery is answered 503). Used only when Contacts is nil.
	Scheduler contacts.Scheduler
	// AllowPrivateWebhooks lets webhooks be registered at private and
	// loopback addresses (FRANJA_WEBHOOK_ALLOW_PRIVATE=1).
	AllowPrivateWebhooks bool
	// AccessLogEvery logs one in that many request lines of requests that
	// neither failed on the server's side nor were slow (FRANJA_LOG_SAMPLE;
	// 0 or 1: every one). At debug level every line is logged.
	AccessLogEvery uint64
	// SlowRequest is how long a request may take before its line is logged
	// at warn whatever the sample (FRANJA_LOG_SLOW; default 500 ms).
	SlowRequest time.Duration
}

// DefaultSlowRequest is Config.SlowRequest's default.
const DefaultSlowRequest = 500 * time.Millisecond

// Server holds the dependencies of the handlers.
type Server struct {
	log        *slog.Logger
	timeout    time.Duration
	auth       []Authenticator
	maxBody    int64
	quietPaths map[string]bool
	store      *postgres.Store
	limiters   map[Role]*keyLimiter
	rateLimits map[Role]int // the limiters' limits, for batches (chargeItems)
	rateWindow time.Duration
	// authFailures counts requests without a valid key, per address.
	authFailures *httprate.RateLimiter
	view         *view.View
	decide       *decide.Service
	contacts     *contacts.Service
	// allowPrivateWebhooks: see Config.AllowPrivateWebhooks.
	allowPrivateWebhooks bool
	now                  func() time.Time
	// disclosureHorizon bounds what system and supervisor keys see ahead
	// (disclosure.go).
	disclosureHorizon time.Duration
	trustedProxies    []netip.Prefix
	// auditThreshold: see Config.AuditThreshold.
	auditThreshold int
	publicURL      string
	metrics        *metrics.Metrics
	corsOrigins    []string
	pages          http.Handler
	// accessLogEvery, slowRequest: see Config; accessLogSeen counts the
	// request lines the sample skipped or took.
	accessLogEvery uint64
	slowRequest    time.Duration
	accessLogSeen  atomic.Uint64
}

// New returns the HTTP handler for the whole API.
func New(cfg Config) http.Handler {
	s := &Server{
		log:         cfg.Logger,
		timeout:     cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout),
		maxBody:     cfg.MaxBodyBytes,
		quietPaths:  map[string]bool{"/healthz": true, "/readyz": true},
		store:       cfg.Store,
		view:        cfg.View,
		now:         cfg.Now,
		metrics:     cfg.Metrics,
		publicURL:   cfg.PublicURL,
		corsOrigins: cfg.CORSOrigins,
		pages:       cfg.Pages,

		accessLogEvery: cfg.AccessLogEvery,
		slowRequest:    cmp.Or(cfg.SlowRequest, DefaultSlowRequest),
	}
	s.decide = decide.New(viewOrNil(cfg.View), storeOrNil(cfg.Store), s.log)
	s.trustedProxies = cfg.TrustedProxies
	switch s.disclosureHorizon = cfg.DisclosureHorizon; {
	case s.disclosureHorizon == 0:
		s.disclosureHorizon = DefaultDisclosureHorizon
	case s.disclosureHorizon < 0:
		s.disclosureHorizon = 0
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.contacts, s.allowPrivateWebhooks = cfg.Contacts, cfg.AllowPrivateWebhooks
	if s.contacts == nil {
		s.contacts = contacts.New(s.decide, cfg.Store, cfg.Scheduler, s.now)
	}
	s.auditThreshold = cfg.AuditThreshold
	if s.auditThreshold <= 0 {
		s.auditThreshold = 10
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.maxBody == 0 {
		s.maxBody = 32 << 20
	}
	if cfg.AdminToken != "" {
		s.auth = append(s.auth, adminToken{sum: sha256.Sum256([]byte(cfg.AdminToken))})
	}
	s.auth = append(s.auth, cfg.Authenticators...)
	s.limiters = newRateLimiters(cfg.RateLimits, cfg.RateWindow, s.countRateLimited)
	s.rateLimits, s.rateWindow = cfg.RateLimits, max(cfg.RateWindow, time.Second)
	s.authFailures = newFailedAuthLimiter(cfg.FailedAuthLimit, s.countRateLimited)
	return s.routes()
}

// viewOrNil and storeOrNil keep a nil pointer from becoming a non-nil
// interface.
func viewOrNil(v *view.View) decide.Views {
	if v == nil {
		return nil
	}
	return v
}

func storeOrNil(s *postgres.Store) decide.Recorder {
	if s == nil {
		return nil
	}
	return s
}

// DefaultRequestTimeout is Config.RequestTimeout's default: enough for a
// 200,000-row import on a loaded machine.
const DefaultRequestTimeout = 60 * time.Second

// withDeadline gives every request a deadline: a handler waiting on a
// database that does not answer gives up (503) instead of holding the
// connection and the client.
func (s *Server) withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
