package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"franja/domain"
)

// routes is the whole HTTP surface in one function. Each /v1 route states
// the roles that may call it; admin may call everything.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(withRequestID, s.withLogging, withRecovery, withSecurityHeaders, withBodyLimit(s.maxBody))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, domain.Errorf(domain.ENotFound, "no route for %s", r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, domain.Errorf(domain.EMethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path))
	})

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Get("/openapi.yaml", s.openapi)

	r.Route("/v1", func(r chi.Router) {
		r.Use(s.withAuth, s.withRateLimit)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, domain.Errorf(domain.ENotFound, "no route for %s", r.URL.Path))
		})
		r.Get("/whoami", s.whoami)
		s.decisionRoutes(r)
		s.auditRoutes(r)
		r.Group(func(r chi.Router) {
			// Writes that change decisions answer only once this replica's
			// view has them.
			r.Use(s.withSync)
			s.apiKeyRoutes(r)
			s.importRoutes(r)
			s.staffRoutes(r)
			s.calendarRoutes(r)
		})
	})
	return r
}
