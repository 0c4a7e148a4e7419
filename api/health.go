package api

import (
	"net/http"
	"strings"
	"time"

	"franja/domain"
)

// healthz says the process is up; it touches nothing else.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyState is what /readyz says works now, in both answers. The error
// texts (which may name hosts, users and databases) are in details, for
// admins only.
type readyState struct {
	// Decisions: ok, unavailable (the view is not loaded, or known stale).
	Decisions string `json:"decisions"`
	// Writes: ok, unavailable (the database does not answer).
	Writes string `json:"writes"`
	// ChangeFeed: following, reconnecting, starting.
	ChangeFeed string `json:"change_feed"`
	// ViewAgeSeconds: since the view was last known to hold every commit
	// (null before it loads).
	ViewAgeSeconds *float64      `json:"view_age_seconds"`
	Details        *readyDetails `json:"details,omitempty"`
}

// ready is the 200 answer; notReady the 503, an RFC 9457 problem.
type ready struct {
	Status string `json:"status"` // "ready"
	readyState
}

type notReady struct {
	Problem
	readyState
}

type readyDetails struct {
	DatabaseError      string  `json:"database_error,omitempty"`
	DatabaseSince      *string `json:"database_state_since,omitempty"`
	ViewError          string  `json:"view_error,omitempty"`
	ViewStale          bool    `json:"view_stale"`
	FullReloads        int64   `json:"full_reloads"`
	ChangeFeedLost     int64   `json:"change_feed_lost"`
	ChangeFeedApplied  int64   `json:"change_feed_applied"`
	DatabaseAnswersNow bool    `json:"database_up"`
}

// readyz says whether this replica can give right decisions: its view is
// loaded and not known to be stale. A database outage alone does not make
// it unready (decisions are answered from memory; writes answer 503): it
// says so in the body. It reads only state kept in memory, so it answers at
// once in every state.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	out := readyState{Decisions: "ok", Writes: "ok", ChangeFeed: "following"}
	var d readyDetails
	if s.store != nil {
		h := s.store.Health()
		d.DatabaseAnswersNow, d.DatabaseError = h.Up, h.Err
		if !h.Since.IsZero() {
			since := h.Since.UTC().Format(time.RFC3339)
			d.DatabaseSince = &since
		}
		if !h.Up {
			out.Writes = "unavailable"
		}
	}
	if s.view != nil {
		st := s.view.Status()
		out.ChangeFeed = st.Feed.String()
		d.ViewError, d.ViewStale = st.Err, st.Stale
		d.FullReloads, d.ChangeFeedLost, d.ChangeFeedApplied = st.FullReloads, st.FeedLost, st.Applies
		if st.Loaded {
			age := st.Age.Seconds()
			out.ViewAgeSeconds = &age
		}
		if !st.Loaded || st.Stale {
			out.Decisions = "unavailable"
		}
	}
	if s.isAdmin(w, r) {
		out.Details = &d
	}
	w.Header().Set("Cache-Control", "no-store")
	if out.Decisions == "ok" {
		writeJSON(w, http.StatusOK, ready{Status: "ready", readyState: out})
		return
	}
	// The problem as every other error is written (one language, the
	// catalogue's), with the state beside it.
	p := problemOf(r, domain.Errorf(domain.ENotReady, "This replica cannot give right decisions yet: its in-memory view is not loaded, or lacks a committed change."))
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Retry-After", RetryAfter)
	writeJSON(w, http.StatusServiceUnavailable, notReady{readyState: out, Problem: p})
}

// isAdmin reports whether r carries an admin token. Probes send none. A
// wrong token counts against the address's failed attempts like anywhere
// else, and past the limit no token is even tried.
func (s *Server) isAdmin(w http.ResponseWriter, r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return false
	}
	if s.authFailures != nil {
		if limited, _, _ := s.authFailures.Status(s.clientAddr(r)); limited {
			return false
		}
	}
	for _, a := range s.auth {
		if p, err := a.Authenticate(r.Context(), strings.TrimSpace(token)); err == nil && p != nil {
			return p.Role == RoleAdmin
		}
	}
	if s.authFailures != nil {
		s.authFailures.OnLimit(w, r, s.clientAddr(r))
	}
	return false
}

// withLoadedView answers 503 (Retry-After) until the in-memory view has
// loaded: decisions are answered from it alone.
func (s *Server) withLoadedView(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.view != nil && s.view.Snapshot() == nil {
			writeError(w, r, domain.Errorf(domain.EUnavailable, "this replica is still loading its in-memory view; try again in a few seconds"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// openapi serves the OpenAPI 3.1 document, the source of truth for the API.
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openapiYAML)
}
