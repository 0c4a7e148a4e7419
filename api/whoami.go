package api

import "net/http"

// whoami tells callers which role and person their key carries: the quickest
// way to check a key works.
func (s *Server) whoami(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"role": p.Role, "person": nullable(p.Person), "key": p.KeyPrefix})
}

// nullable turns "" into a JSON null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
