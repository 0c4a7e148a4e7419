package api

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// withMetrics records each request's latency under its route pattern
// (Config.Metrics; nothing when nil).
func (s *Server) withMetrics(next http.Handler) http.Handler {
	if s.metrics == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		s.metrics.Request(route, r.Method, ww.Status(), time.Since(start))
	})
}

// countDecision counts a decision answered to p.
func (s *Server) countDecision(p *Principal, d *decisionJSON) {
	if s.metrics != nil && p != nil {
		s.metrics.Decision(d.Decision, d.Channel, string(p.Role))
	}
}

// countRateLimited counts a 429 for role ("none": no valid key).
func (s *Server) countRateLimited(role Role) {
	if s.metrics != nil {
		s.metrics.RateLimited(string(role))
	}
}
