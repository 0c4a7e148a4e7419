package api

import (
	"bytes"
	"net/http"
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

// withSync makes a replica answer from its own writes at once: after a
// successful write, the response is held until this replica's in-memory
// view has applied everything committed so far (View.Sync), so a caller that
// got a 2xx for a new leave gets decisions that know it.
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
		if bw.status < 300 && r.URL.Query().Get("dry_run") != "true" {
			if err := s.view.Sync(r.Context()); err != nil {
				// The write is committed; the view will catch up from the
				// feed. Say so in the log, not to the client.
				logger(r).Warn("view did not catch up with a write before the answer", "error", err.Error())
			}
		}
		w.WriteHeader(bw.status)
		_, _ = w.Write(bw.body.Bytes())
	})
}
