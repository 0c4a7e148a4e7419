package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/klauspost/compress/gzhttp"
	"github.com/rs/cors"

	"franja/domain"
)

// HTTP semantics every route shares (RFC 9110): HEAD wherever GET is,
// OPTIONS and 405 answered with Allow, CORS for configured origins, gzip
// for large answers, no caching of personal data, and revalidation of
// calendars by ETag.

// routeMethods are the methods a route may serve; HEAD and OPTIONS follow.
var routeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowed lists the methods path answers to ("" when it names no route),
// as an Allow header says it.
func allowed(root *chi.Mux, path string) string {
	var ms []string
	for _, m := range routeMethods {
		if root.Find(chi.NewRouteContext(), m, path) != "" {
			ms = append(ms, m)
			if m == http.MethodGet {
				ms = append(ms, http.MethodHead)
			}
		}
	}
	if len(ms) == 0 {
		return ""
	}
	return strings.Join(append(ms, http.MethodOptions), ", ")
}

// withHead serves HEAD with the GET handler (the server sends no body).
var withHead = middleware.GetHead

// withOptions answers OPTIONS for any route, before authentication: 204
// with Allow (a CORS preflight is answered before this, by withCORS).
func withOptions(root *chi.Mux) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodOptions {
				next.ServeHTTP(w, r)
				return
			}
			allow := allowed(root, r.URL.Path)
			if allow == "" {
				writeError(w, r, domain.Errorf(domain.ENotFound, "no route for %s", r.URL.Path))
				return
			}
			w.Header().Set("Allow", allow)
			w.WriteHeader(http.StatusNoContent)
		})
	}
}

// methodNotAllowed is the 405 answer, with the Allow header RFC 9110
// requires.
func methodNotAllowed(root *chi.Mux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowed(root, r.URL.Path))
		writeError(w, r, domain.Errorf(domain.EMethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path))
	}
}

// corsHeaders are what a browser page may send and read.
var (
	corsRequestHeaders = []string{"Authorization", "Content-Type", "Accept", "Accept-Language", "If-Match", "If-None-Match", "X-Request-Id"}
	corsExposedHeaders = []string{"Content-Language", "ETag", "Location", "Retry-After", "X-Request-Id", "X-Client-Request-Id", "X-Next-Cursor",
		"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
)

// withCORS lets pages on origins (Config.CORSOrigins) call the API; none
// (the default) adds nothing. It runs before authentication, since a
// browser's preflight never carries the token.
func withCORS(origins []string) func(http.Handler) http.Handler {
	if len(origins) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	c := cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: append([]string{http.MethodHead}, routeMethods...),
		AllowedHeaders: corsRequestHeaders,
		ExposedHeaders: corsExposedHeaders,
		MaxAge:         600,
	})
	return c.Handler
}

// withCompression gzips answers of 1 KiB and more for clients that accept
// it (a page of posts is tens of kilobytes of JSON); smaller ones, such as
// a decision, go as they are. ETags are left alone: If-Match compares them
// on writes, which are never compressed.
func withCompression() func(http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		panic(err) // the options are constants
	}
	return func(next http.Handler) http.Handler { return wrap(next) }
}

// withNoStore marks every answer as not to be stored by any cache: /v1
// answers carry personal data (people, leave, decisions, the audit log) or
// secrets. Handlers of shared data (calendars) say otherwise.
func withNoStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Cache-Control"] = noStore
		next.ServeHTTP(w, r)
	})
}

var noStore = []string{"no-store"} // shared: see contentLanguage

// writeRevalidated answers v as JSON that caches may keep but must
// revalidate: with an ETag of its bytes, and 304 Not Modified when
// If-None-Match already names it (weak comparison, RFC 9110 §13.1.2).
func writeRevalidated(w http.ResponseWriter, r *http.Request, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, r, err)
		return
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	tag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", "no-cache")
	if noneMatch(r, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// noneMatch reports whether If-None-Match names tag (or is *).
func noneMatch(r *http.Request, tag string) bool {
	want := strings.TrimPrefix(tag, "W/")
	for _, v := range r.Header.Values("If-None-Match") {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == want {
				return true
			}
		}
	}
	return false
}
