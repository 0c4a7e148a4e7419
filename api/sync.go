package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"franja/domain"
)

// bufferedWriter holds a response until the handler is done.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// withSync makes a 2xx to a write mean that this replica's decisions
// already reflect it: the answer is held until the in-memory view has
// applied everything committed so far (View.Sync: through the change feed,
// or by a reload when the feed is down or slow). When the view cannot catch
// up either (the database went away right after the commit), the answer is
// 503 committed_not_served, which carries the answer the write would have
// had: the write is committed, and sending it again is safe.
func (s *Server) withSync(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.view == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		bw := &bufferedWriter{header: w.Header()}
		next.ServeHTTP(bw, r)
		if bw.status == 0 {
			bw.status = http.StatusOK
		}
		if dry, _ := dryRunParam(r); bw.status < 300 && !dry {
			if err := s.view.Sync(r.Context()); err != nil {
				logger(r).Warn("a committed write is not served by this replica yet", "error", err.Error())
				writeCommitted(w, r, bw)
				return
			}
		}
		w.WriteHeader(bw.status)
		_, _ = w.Write(bw.body.Bytes())
	})
}

// committedProblem is the 503 answer to a write that committed but that
// this replica's decisions do not reflect yet: result_status and result
// are what the write answered (the token of a new API key included: it is
// shown only here).
type committedProblem struct {
	Problem
	ResultStatus int             `json:"result_status"`
	Result       json.RawMessage `json:"result,omitempty"`
}

func writeCommitted(w http.ResponseWriter, r *http.Request, bw *bufferedWriter) {
	e := domain.Errorf(domain.ECommitted, "the change is saved, but this replica's decisions do not reflect it yet (the database stopped answering right after it): it will once the database is back; sending the same request again is safe")
	p := committedProblem{
		Problem:      problemOf(r, e),
		ResultStatus: bw.status,
	}
	if json.Valid(bw.body.Bytes()) {
		p.Result = bytes.TrimSpace(bw.body.Bytes())
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Retry-After", RetryAfter)
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = json.NewEncoder(w).Encode(p)
}
