package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"franja/domain"
)

// Role and Principal are the domain's: the decision path takes them too.
type (
	Role      = domain.Role
	Principal = domain.Principal
)

// The roles (API.md, Conventions).
const (
	RoleAdmin      = domain.RoleAdmin
	RoleHR         = domain.RoleHR
	RoleSupervisor = domain.RoleSupervisor
	RoleSystem     = domain.RoleSystem
)

// Authenticator resolves a bearer token to a principal. It returns nil (and
// no error) for a token it does not know.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*Principal, error)
}

// adminToken authenticates FRANJA_ADMIN_TOKEN, the bootstrap credential.
type adminToken struct{ sum [32]byte }

// Authenticate compares in constant time, over hashes so that the length of
// the secret does not leak either.
func (a adminToken) Authenticate(_ context.Context, token string) (*Principal, error) {
	s := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(s[:], a.sum[:]) == 1 {
		return &Principal{Role: RoleAdmin, KeyPrefix: "bootstrap"}, nil
	}
	return nil, nil
}

func principalOf(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey).(*Principal)
	return p
}

// withAuth requires a valid bearer token on every route below it.
func (s *Server) withAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			s.refuse(w, r, "send an API key as `Authorization: Bearer <token>`")
			return
		}
		token = strings.TrimSpace(token)
		for _, a := range s.auth {
			p, err := a.Authenticate(r.Context(), token)
			if err != nil {
				writeError(w, r, err)
				return
			}
			if p != nil {
				// Set the principal in place so the logging middleware,
				// which runs outside this one, can name the key.
				if rl := requestLogOf(r.Context()); rl != nil {
					rl.principal = p
				}
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, p)))
				return
			}
		}
		s.refuse(w, r, "the API key is unknown, expired or revoked")
	})
}

// refuse answers a request without a valid key: 401, or 429 once its
// address has failed too often (Config.FailedAuthLimit), so that guessing
// tokens, or flooding the key lookups with made-up ones, is bounded.
// Requests with valid keys are never counted here.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, message string) {
	if s.authFailures != nil && s.authFailures.RespondOnLimit(w, r, clientAddr(r)) {
		return
	}
	writeError(w, r, domain.Errorf(domain.EUnauthorized, message))
}

// clientAddr is the connection's address without its port. Forwarding
// headers are not trusted: anyone can write them.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// allow lets only the given roles through (admin always).
func allow(roles ...Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := principalOf(r.Context())
			if p == nil {
				writeError(w, r, domain.Errorf(domain.EUnauthorized, "send an API key as `Authorization: Bearer <token>`"))
				return
			}
			if p.Role == RoleAdmin {
				next.ServeHTTP(w, r)
				return
			}
			for _, role := range roles {
				if p.Role == role {
					next.ServeHTTP(w, r)
					return
				}
			}
			writeError(w, r, domain.Errorf(domain.EForbidden, "a %s key may not use this endpoint", p.Role))
		})
	}
}
