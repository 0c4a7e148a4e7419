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

	"franja/postgres"
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
}

// Server holds the dependencies of the handlers.
type Server struct {
	log        *slog.Logger
	ready      func(ctx context.Context) error
	auth       []Authenticator
	maxBody    int64
	quietPaths map[string]bool
	store      *postgres.Store
}

// New returns the HTTP handler for the whole API.
func New(cfg Config) http.Handler {
	s := &Server{
		log:        cfg.Logger,
		ready:      cfg.Ready,
		maxBody:    cfg.MaxBodyBytes,
		quietPaths: map[string]bool{"/healthz": true, "/readyz": true},
		store:      cfg.Store,
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
