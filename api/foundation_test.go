package api

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"franja/internal/pgtest"
	"franja/postgres"
	"franja/view"
)

func TestHealthAndReadiness(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		res := h.do(req{Method: "GET", Path: path, Token: "-"})
		if res.Status != http.StatusOK {
			t.Errorf("GET %s = %d, want 200: %s", path, res.Status, res.Body)
		}
	}
}

// TestReadyzUntilTheViewLoads: a replica whose view has not loaded cannot
// decide, so it is not ready, and its decision routes answer 503 with
// Retry-After instead of a 500.
func TestReadyzUntilTheViewLoads(t *testing.T) {
	store := postgres.New(pgtest.Pool(t))
	v := view.New(view.Config{Pool: store.Pool(), Logger: discardLogger()}) // never run
	h := harnessOn(t, store, v, Config{})
	res := h.do(req{Method: "GET", Path: "/readyz", Token: "-"})
	if m := res.Map(t); res.Status != http.StatusServiceUnavailable || m["decisions"] != "unavailable" || res.Header.Get("Retry-After") == "" {
		t.Errorf("GET /readyz before the view loads = %d %s, want 503 with decisions unavailable", res.Status, res.Body)
	}
	res = h.do(req{Method: "GET", Path: "/v1/people/E1/contactability"})
	if res.Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("a decision before the view loads = %d %s, want 503 with Retry-After", res.Status, res.Body)
	}
}

func TestOpenAPIDocumentIsServedAndValid(t *testing.T) {
	h := newHarness(t)
	spec(t) // loads and validates the embedded document
	res := h.do(req{Method: "GET", Path: "/openapi.yaml", Token: "-"})
	if res.Status != http.StatusOK || !strings.HasPrefix(string(res.Body), "openapi: 3.1") {
		t.Fatalf("GET /openapi.yaml = %d %.40q", res.Status, res.Body)
	}
}

func TestV1NeedsABearerToken(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name, auth string
	}{
		{"no header", ""},
		{"wrong scheme", "Basic dXNlcjpwYXNz"},
		{"empty bearer", "Bearer "},
		{"unknown token", "Bearer not-a-real-token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := map[string]string{}
			if c.auth != "" {
				hdr["Authorization"] = c.auth
			}
			res := h.do(req{Method: "GET", Path: "/v1/whoami", Token: "-", Header: hdr})
			if res.Status != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", res.Status)
			}
			if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if res.Map(t)["code"] != "unauthorized" {
				t.Errorf("body = %s", res.Body)
			}
		})
	}
}

func TestUnknownRoutesAndMethodsAreProblems(t *testing.T) {
	h := newHarness(t)
	res := h.do(req{Method: "GET", Path: "/nope", Token: "-"})
	if res.Status != 404 || res.Map(t)["code"] != "not_found" {
		t.Errorf("GET /nope = %d %s", res.Status, res.Body)
	}
	res = h.do(req{Method: "POST", Path: "/healthz", Token: "-"})
	if res.Status != 405 || res.Header.Get("Content-Type") != "application/problem+json" || res.Map(t)["code"] != "method_not_allowed" {
		t.Errorf("POST /healthz = %d %s", res.Status, res.Body)
	}
}

func TestProblemLanguageFollowsAcceptLanguage(t *testing.T) {
	h := newHarness(t)
	for lang, want := range map[string]string{"": "No encontrado", "es-CO": "No encontrado", "en-US,en;q=0.9": "Not found", "fr, en;q=0.5": "Not found", "en;q=0.4, es;q=0.8": "No encontrado"} {
		res := h.do(req{Method: "GET", Path: "/nope", Token: "-", Header: map[string]string{"Accept-Language": lang}})
		if got := res.Map(t)["title"]; got != want {
			t.Errorf("Accept-Language %q: title %q, want %q", lang, got, want)
		}
	}
}

func TestSecurityHeadersAndRequestID(t *testing.T) {
	h := newHarness(t)
	res := h.do(req{Method: "GET", Path: "/healthz", Token: "-", Header: map[string]string{"X-Request-Id": "abc-123"}})
	if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("security headers missing: %v", res.Header)
	}
	// Issue 17, finding 6: the request id is always the server's; the
	// caller's is kept apart, never the request's id.
	serverID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	if id := res.Header.Get("X-Request-Id"); !serverID.MatchString(id) || res.Header.Get("X-Client-Request-Id") != "abc-123" {
		t.Errorf("X-Request-Id = %q, X-Client-Request-Id = %q; want the server's own and the caller's apart", id, res.Header.Get("X-Client-Request-Id"))
	}
	res = h.do(req{Method: "GET", Path: "/healthz", Token: "-", Header: map[string]string{"X-Request-Id": "bad id with spaces\n"}})
	if id := res.Header.Get("X-Request-Id"); !serverID.MatchString(id) || res.Header.Get("X-Client-Request-Id") != "" {
		t.Errorf("X-Request-Id = %q, X-Client-Request-Id = %q; want a generated one and no client id", id, res.Header.Get("X-Client-Request-Id"))
	}
}

func TestPanicBecomesAProblemThatLeaksNothing(t *testing.T) {
	s := &Server{log: discardLogger()}
	r := chi.NewRouter()
	r.Use(withRequestID, s.withLogging, withRecovery)
	r.Get("/boom", func(http.ResponseWriter, *http.Request) { panic("secret: password=hunter2") })
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != 500 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d, content type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Fatalf("the problem leaks the panic: %s", rec.Body)
	}
}

func TestBodyLimitIs413(t *testing.T) {
	called := false
	hdl := withBodyLimit(10)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called = true
		var v map[string]any
		if err := decodeJSON(r, &v); err != nil {
			writeError(w, r, err)
		}
	}))
	// Announced too large: refused before the handler runs.
	rec := httptest.NewRecorder()
	hdl.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(`{"a":"0123456789"}`)))
	if rec.Code != 413 || called {
		t.Fatalf("announced large body: status %d, handler called %v", rec.Code, called)
	}
	// Chunked (no length): refused while reading.
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"a":"0123456789"}`))
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = -1
	rec = httptest.NewRecorder()
	hdl.ServeHTTP(rec, r)
	if rec.Code != 413 {
		t.Fatalf("streamed large body: status %d: %s", rec.Code, rec.Body)
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	type body struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	cases := []struct {
		name, body, ct string
		status         int
	}{
		{"not json", `{"name":`, "application/json", 400},
		{"garbage", `hello`, "application/json", 400},
		{"empty", ``, "application/json", 400},
		{"two values", `{"name":"a"}{"name":"b"}`, "application/json", 400},
		{"unknown field", `{"nmae":"a"}`, "application/json", 400},
		{"wrong type", `{"n":"three"}`, "application/json", 400},
		{"wrong content type", `{"name":"a"}`, "text/plain", 415},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
			r.Header.Set("Content-Type", c.ct)
			rec := httptest.NewRecorder()
			var v body
			if err := decodeJSON(r, &v); err != nil {
				writeError(rec, r, err)
			} else {
				t.Fatalf("decoded %q without error", c.body)
			}
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
		})
	}
}

func TestWhoamiWithTheBootstrapToken(t *testing.T) {
	h := newHarness(t)
	res := h.do(req{Method: "GET", Path: "/v1/whoami"})
	if res.Status != 200 || res.Map(t)["role"] != "admin" {
		t.Fatalf("GET /v1/whoami = %d %s", res.Status, res.Body)
	}
}
