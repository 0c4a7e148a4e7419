package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/httprate"

	"franja/domain"
)

// DefaultRateLimits are the requests each key may make per second, by role,
// that `franja serve` applies. system keys carry notification traffic, so
// theirs is generous; the people-driven roles need far less.
var DefaultRateLimits = map[Role]int{
	RoleSystem:     2000,
	RoleAdmin:      100,
	RoleHR:         100,
	RoleSupervisor: 100,
}

// DefaultFailedAuthLimit is how many requests without a valid key one
// address may make per minute before getting 429 instead of 401.
const DefaultFailedAuthLimit = 120

// newFailedAuthLimiter counts requests without a valid key per address;
// n <= 0 means no limit.
func newFailedAuthLimiter(n int, count func(Role)) *httprate.RateLimiter {
	if n <= 0 {
		return nil
	}
	return httprate.NewRateLimiter(n, time.Minute, httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
		count("none")
		writeError(w, r, domain.Errorf(domain.ERateLimited, "too many requests without a valid API key from this address; wait the seconds in Retry-After"))
	}))
}

// newRateLimiters builds one limiter per role in limits (a role left out, or
// given 0, is unlimited) over window (default and minimum one second, since
// Retry-After counts whole seconds). Counters live in this process: each
// replica enforces its own share.
func newRateLimiters(limits map[Role]int, window time.Duration, count func(Role)) map[Role]*keyLimiter {
	if window < time.Second {
		window = time.Second
	}
	out := map[Role]*keyLimiter{}
	for role, n := range limits {
		if n <= 0 {
			continue
		}
		out[role] = newKeyLimiter(n, window, func(w http.ResponseWriter, r *http.Request) {
			count(role)
			writeError(w, r, domain.Errorf(domain.ERateLimited, "this key may make %d requests per %s; wait the seconds in Retry-After and try again", n, window))
		})
	}
	return out
}

// withRateLimit limits each key (after withAuth) to its role's rate.
func (s *Server) withRateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r.Context())
		if p != nil {
			if l := s.limiters[p.Role]; l != nil && l.respond(w, r, rateKey(p), 1) {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// chargeItems counts the items of a batch of n against the key's rate
// limit, each as one request (withRateLimit counted the request itself as
// the first). A batch larger than the whole limit could never pass: 422,
// naming the largest batch the key may send. One larger than what is left
// of the window: 429 with Retry-After, and nothing answered. It reports
// whether it answered.
func (s *Server) chargeItems(w http.ResponseWriter, r *http.Request, n int) bool {
	p := principalOf(r.Context())
	if p == nil || n <= 1 {
		return false
	}
	l, limit := s.limiters[p.Role], s.rateLimits[p.Role]
	if l == nil || limit <= 0 {
		return false
	}
	if n > limit {
		writeError(w, r, domain.Invalid("too many checks for this key's rate limit", domain.FieldError{Field: "checks",
			Message: "holds %d checks, but this key may make %d requests per %s and each check counts as one; send at most %d checks a batch",
			Args:    []any{n, limit, s.rateWindow, limit}}))
		return true
	}
	return l.respond(w, r, rateKey(p), n-1)
}

// rateKey names the key a request counts against: its prefix (unique), or
// its id should an authenticator leave the prefix empty.
func rateKey(p *Principal) string {
	if p.KeyPrefix != "" {
		return p.KeyPrefix
	}
	return "id:" + strconv.FormatInt(p.KeyID, 10)
}
