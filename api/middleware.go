package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"sync"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"franja/decide"
	"franja/domain"
	"franja/lang"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	loggerKey
	principalKey
)

var requestIDRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID gives every request an id of the server's making (128
// random bits), echoed in X-Request-Id: it names the request in logs,
// problems, audit records and the access log, and no caller can choose,
// reuse or collide it. A caller's own X-Request-Id, when sane (1 to 64 of
// A-Za-z0-9._-; anything else is dropped), is kept apart as the client
// request id, so that a notification service can correlate its own logs:
// logged and recorded as client_request_id, echoed in
// X-Client-Request-Id, never evidence of anything.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		if client := r.Header.Get("X-Request-Id"); requestIDRe.MatchString(client) {
			w.Header().Set("X-Client-Request-Id", client)
			ctx = decide.WithClientRequestID(ctx, client)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// requestLog is what withLogging keeps in a request's context: the slot
// withAuth fills with the caller, and the request's logger, made on first
// use. Most requests log nothing but the one line withLogging writes itself,
// so building a logger with the request id for each of them (slog's With
// copies and pre-formats the handler) was wasted work on the decision path.
type requestLog struct {
	base      *slog.Logger
	id        string
	once      sync.Once
	l         *slog.Logger
	principal *Principal
	lang      lang.Lang   // withLanguage's
	query     queryValues // withSaneText's parse of the query string
}

func (rl *requestLog) logger() *slog.Logger {
	rl.once.Do(func() { rl.l = rl.base.With(slog.String("request_id", rl.id)) })
	return rl.l
}

func requestLogOf(ctx context.Context) *requestLog {
	rl, _ := ctx.Value(loggerKey).(*requestLog)
	return rl
}

// logger returns the request's logger (with its request id), or the default.
func logger(r *http.Request) *slog.Logger {
	if rl := requestLogOf(r.Context()); rl != nil {
		return rl.logger()
	}
	return slog.Default()
}

// withLogging logs request lines, at a cost a decision does not notice:
// every request that failed on the server's side (5xx, at error) or took
// longer than SlowRequest (at warn); one in AccessLogEvery of the others
// (at info; every one at debug); nothing for a healthy /healthz or /readyz.
// Every request is counted in the metrics whatever is logged. Query
// strings are not logged: they may carry a person's id alongside a
// justification.
func (s *Server) withLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rl := &requestLog{base: s.log, id: requestID(r.Context())}
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r.WithContext(context.WithValue(r.Context(), loggerKey, rl)))
		status, took := ww.Status(), time.Since(start)
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case took >= s.slowRequest:
			level = slog.LevelWarn
		case s.quietPaths[r.URL.Path] && status < 400:
			return
		case s.accessLogEvery > 1 && s.accessLogSeen.Add(1)%s.accessLogEvery != 0 && !s.log.Enabled(r.Context(), slog.LevelDebug):
			return // not this one's turn in the sample
		}
		if !s.log.Enabled(r.Context(), level) {
			return
		}
		// The request id first, then the rest: the line reads exactly as
		// rl.logger().Info("request", …) would write it, without building
		// that logger.
		attrs := make([]slog.Attr, 0, 8)
		attrs = append(attrs,
			slog.String("request_id", rl.id),
			slog.String("method", r.Method),
			slog.String("path", redactFeedPath(r.URL.Path)),
			slog.Int("status", status),
			slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("duration", took),
		)
		if p := rl.principal; p != nil {
			attrs = append(attrs, slog.String("key", p.KeyPrefix), slog.String("role", string(p.Role)))
		}
		if c := decide.ClientRequestID(r.Context()); c != "" {
			attrs = append(attrs, slog.String("client_request_id", c))
		}
		s.log.LogAttrs(context.Background(), level, "request", attrs...)
	})
}

// withRecovery turns a panic into a 500 problem that leaks nothing; the stack
// goes to the log only.
func withRecovery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger(r).Error("panic", slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
				writeError(w, r, &domain.Error{Code: domain.EInternal})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// withBodyLimit caps every request body; reading past it fails and the JSON
// and CSV decoders turn that into a 413.
func withBodyLimit(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				writeError(w, r, domain.Errorf(domain.ETooLarge, "the body is %d bytes; the limit is %d", r.ContentLength, n))
				return
			}
			if r.Body != http.NoBody { // a GET has none: nothing to bound
				r.Body = http.MaxBytesReader(w, r.Body, n)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// withSecurityHeaders sets headers that make every response inert in a browser.
func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
