package api

import (
	"net/http"

	"franja/domain"
)

// healthz says the process is up; it touches nothing else.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether the service can answer: database reachable, schema
// migrated (and, once loaded, the in-memory view).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.ready != nil {
		if err := s.ready(r.Context()); err != nil {
			logger(r).Warn("not ready", "error", err.Error())
			w.Header().Set("Content-Type", "application/problem+json")
			writeJSON(w, http.StatusServiceUnavailable, Problem{
				Type: "https://franja.dev/problems/not_ready", Title: "Not ready", Status: http.StatusServiceUnavailable,
				Detail: err.Error(), Code: domain.ErrorCode("not_ready"), RequestID: requestID(r.Context()),
			})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// openapi serves the OpenAPI 3.1 document, the source of truth for the API.
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openapiYAML)
}
