package api

import (
	"cmp"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"franja/decide"
	"franja/metrics"
	"franja/policy"
)

// withMetrics records each request's latency under its route pattern
// (Config.Metrics; nothing when nil).
func (s *Server) withMetrics(next http.Handler) http.Handler {
	if s.metrics == nil {
		return next
	}
	var series routeTable[prometheus.Observer, *metrics.Metrics]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		status := ww.Status()
		series.get(chi.RouteContext(r.Context()), r.Method, status, s.metrics, requestObserver).Observe(time.Since(start).Seconds())
	})
}

// requestObserver is the series of a request answered status, by method,
// on route ("" when no route matched).
func requestObserver(m *metrics.Metrics, route, method string, status int) prometheus.Observer {
	return m.RequestObserver(cmp.Or(route, "unmatched"), method, status)
}

// routeTable keeps what was worked out for each route pattern chi matched
// (with a method and a status), keyed by the pattern's raw parts: looking
// one up allocates nothing, where chi's RoutePattern joins and cleans the
// parts into a new string on every call. work works out a key not seen yet,
// from arg and the pattern RoutePattern gives ("" when nothing matched); it
// is a plain function, not a closure, so that a lookup allocates nothing.
type routeTable[T, A any] struct {
	mu sync.RWMutex
	m  map[string]T
}

// maxRouteKeys bounds a table: routes × methods × statuses seen (methods
// are the client's to choose).
const maxRouteKeys = 4096

func (t *routeTable[T, A]) get(rc *chi.Context, method string, status int, arg A, work func(arg A, pattern, method string, status int) T) T {
	var buf [256]byte
	key := append(buf[:0], method...)
	key = append(key, ' ', byte('0'+status/100%10), byte('0'+status/10%10), byte('0'+status%10))
	if rc != nil {
		for _, p := range rc.RoutePatterns {
			key = append(append(key, ' '), p...)
		}
	}
	t.mu.RLock()
	v, ok := t.m[string(key)]
	t.mu.RUnlock()
	if ok {
		return v
	}
	v = work(arg, rc.RoutePattern(), method, status)
	t.mu.Lock()
	if t.m == nil {
		t.m = map[string]T{}
	}
	if len(t.m) < maxRouteKeys {
		t.m[string(key)] = v
	}
	t.mu.Unlock()
	return v
}

// countDecision counts a decision answered to p.
func (s *Server) countDecision(p *Principal, d *decisionJSON) {
	if s.metrics != nil && p != nil {
		s.metrics.Decision(d.Decision, d.Channel, string(p.Role))
	}
}

// countDecisions counts a batch's decisions answered to p (nil where an
// item was bad), tallied by verdict and channel first: one series update
// per kind, not per item.
func (s *Server) countDecisions(p *Principal, answers []*decide.Answer) {
	if s.metrics == nil || p == nil {
		return
	}
	type kind struct {
		verdict policy.Verdict
		channel policy.Channel
	}
	var kinds []kind
	var counts []int
	for _, a := range answers {
		if a == nil {
			continue
		}
		k := kind{a.Decision.Verdict, a.Question.Channel}
		i := slices.Index(kinds, k)
		if i < 0 {
			i = len(kinds)
			kinds, counts = append(kinds, k), append(counts, 0)
		}
		counts[i]++
	}
	for i, k := range kinds {
		s.metrics.Decisions(string(k.verdict), string(k.channel), string(p.Role), counts[i])
	}
}

// countRateLimited counts a 429 for role ("none": no valid key).
func (s *Server) countRateLimited(role Role) {
	if s.metrics != nil {
		s.metrics.RateLimited(string(role))
	}
}
