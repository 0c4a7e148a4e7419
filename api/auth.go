package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/netip"
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

// principalOf is the caller withAuth authenticated: in the request's
// requestLog slot when withLogging runs outside (every served request), in
// the context otherwise.
func principalOf(ctx context.Context) *Principal {
	if rl := requestLogOf(ctx); rl != nil && rl.principal != nil {
		return rl.principal
	}
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
				// Set the principal in place: the logging middleware, which
				// runs outside this one, names the key, and the request
				// need not be copied for a context value.
				if rl := requestLogOf(r.Context()); rl != nil {
					rl.principal = p
					next.ServeHTTP(w, r)
					return
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
	if s.authFailures != nil && s.authFailures.RespondOnLimit(w, r, s.clientAddr(r)) {
		return
	}
	writeError(w, r, domain.Errorf(domain.EUnauthorized, message))
}

// clientAddr is the address of the client behind r: the connection's,
// without its port, unless that is a trusted proxy (FRANJA_TRUSTED_PROXIES);
// then X-Forwarded-For is read from its right end, hop by hop, and the
// first address that is not a trusted proxy is the client. Hops a client
// wrote itself sit left of it and are never read: anyone can write them.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(s.trustedProxies) == 0 || !s.trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			return host // a broken header: the last hop that could be read
		}
		if host = hop; !s.trusted(hop) {
			return hop
		}
	}
	return host
}

// trusted reports whether addr is in a trusted proxy's range.
func (s *Server) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.trustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies reads FRANJA_TRUSTED_PROXIES: CIDRs (or single
// addresses) separated by commas.
func ParseTrustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is neither a CIDR (10.0.0.0/8) nor an address", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
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
