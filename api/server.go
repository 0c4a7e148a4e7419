// Package api is Franja's HTTP surface: chi routes (the whole surface is
// readable in routes.go), handlers, JSON, and the one place errors become
// RFC 9457 problems.
package api

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/httprate"

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
	// Ready reports whether the service can answer (database reachable,
	// migrations applied). Nil means always ready.
	Ready func(ctx context.Context) error
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
	// CORSOrigins are the origins whose pages may call the API from a
	// browser (FRANJA_CORS_ORIGINS); none, the default, allows none.
	CORSOrigins []string
	// AuditThreshold is the number of exception contacts a requester may
	// make in a month before the report flags them (default 10).
	AuditThreshold int
}

// Server holds the dependencies of the handlers.
type Server struct {
	log        *slog.Logger
	ready      func(ctx context.Context) error
	auth       []Authenticator
	maxBody    int64
	quietPaths map[string]bool
	store      *postgres.Store
	limiters   map[Role]*httprate.RateLimiter
	// authFailures counts requests without a valid key, per address.
	authFailures *httprate.RateLimiter
	view         *view.View
	now          func() time.Time
	// auditThreshold: see Config.AuditThreshold.
	auditThreshold int
	corsOrigins    []string
}

// New returns the HTTP handler for the whole API.
func New(cfg Config) http.Handler {
	s := &Server{
		log:          cfg.Logger,
		ready:        cfg.Ready,
		maxBody:      cfg.MaxBodyBytes,
		quietPaths:   map[string]bool{"/healthz": true, "/readyz": true},
		store:        cfg.Store,
		limiters:     newRateLimiters(cfg.RateLimits, cfg.RateWindow),
		authFailures: newFailedAuthLimiter(cfg.FailedAuthLimit),
		view:         cfg.View,
		now:          cfg.Now,
		corsOrigins:  cfg.CORSOrigins,
	}
	if s.now == nil {
		s.now = time.Now
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
	return s.routes()
}
