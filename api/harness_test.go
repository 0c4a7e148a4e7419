package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/jackc/pgx/v5"

	"franja/calendars"
	"franja/internal/pgtest"
	"franja/postgres"
	"franja/view"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const testAdminToken = "test-admin-token-0123456789abcdef"

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// spec loads openapi.yaml once and checks it is a valid OpenAPI document.
func spec(t testing.TB) routers.Router {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(openapiYAML)
		if err != nil {
			specErr = err
			return
		}
		if err = doc.Validate(context.Background()); err != nil {
			specErr = err
			return
		}
		doc.Servers = nil // match any host
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	if specErr != nil {
		t.Fatalf("openapi.yaml: %v", specErr)
	}
	return specRouter
}

// harness drives the real router on a real, freshly migrated database, and
// checks every request and response against openapi.yaml.
type harness struct {
	t       testing.TB
	handler http.Handler
	store   *postgres.Store
	view    *view.View
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, Config{})
}

// newHarnessWith is newHarness with some of the configuration given: the
// store, the view (following the change feed) and the admin token are
// always the harness's own.
func newHarnessWith(t testing.TB, cfg Config) *harness {
	t.Helper()
	store := postgres.New(pgtest.Pool(t))
	return harnessOn(t, store, startView(t, store), cfg)
}

// harnessOn is a harness on store and v, which follows its change feed.
func harnessOn(t testing.TB, store *postgres.Store, v *view.View, cfg Config) *harness {
	t.Helper()
	cfg.AdminToken, cfg.Store, cfg.View = testAdminToken, store, v
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	return &harness{t: t, handler: New(cfg), store: store, view: v}
}

// startView starts a view following the change feed of store's database,
// as `franja serve` does, and waits for it to load.
func startView(t testing.TB, store *postgres.Store) *view.View {
	t.Helper()
	v := view.New(view.Config{Pool: store.Pool(), LoadStored: loadStored, Logger: discardLogger()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = v.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for v.Ready(ctx) != nil {
		select {
		case <-done:
			t.Fatal("the view stopped before loading")
		case <-time.After(5 * time.Millisecond):
		}
	}
	return v
}

func loadStored(ctx context.Context, tx pgx.Tx) (*calendars.Stored, error) {
	return postgres.ReadStoredCalendars(ctx, tx)
}

// response is a recorded answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it cannot.
func (r *response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *response) Map(t testing.TB) map[string]any {
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// req is a request to send through the harness.
type req struct {
	Method, Path string
	Token        string // "" = admin; "-" = none
	Body         any    // []byte and string are sent as they are; anything else as JSON
	ContentType  string
	Header       map[string]string
	// SkipSpec skips OpenAPI validation (for deliberately broken requests,
	// whose responses are still checked).
	SkipSpec bool
}

// do sends r through the real router and validates request and response
// against the OpenAPI document.
func (h *harness) do(r req) *response {
	h.t.Helper()
	var body []byte
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body = b
	case string:
		body = []byte(b)
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			h.t.Fatal(err)
		}
		if r.ContentType == "" {
			r.ContentType = "application/json"
		}
	}
	hr := httptest.NewRequest(r.Method, r.Path, bytes.NewReader(body))
	if r.ContentType != "" {
		hr.Header.Set("Content-Type", r.ContentType)
	}
	switch r.Token {
	case "":
		hr.Header.Set("Authorization", "Bearer "+testAdminToken)
	case "-":
	default:
		hr.Header.Set("Authorization", "Bearer "+r.Token)
	}
	// English unless a test asks otherwise: most tests read messages, and
	// Spanish (the default) has tests of its own.
	hr.Header.Set("Accept-Language", "en")
	for k, v := range r.Header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, hr)
	res := &response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	h.validate(hr, body, res, r.SkipSpec)
	return res
}

// validate checks the exchange against openapi.yaml: the route must be
// documented, and the response must match its documented status and schema.
func (h *harness) validate(hr *http.Request, body []byte, res *response, skipRequest bool) {
	h.t.Helper()
	if res.Status == http.StatusNotFound && res.Header.Get("Content-Type") == "application/problem+json" && strings.Contains(string(res.Body), `"code":"not_found"`) {
		if _, _, err := spec(h.t).FindRoute(hr); err != nil {
			return // an undocumented path, answered as such
		}
	}
	router := spec(h.t)
	hr.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(hr)
	if err != nil {
		if res.Status == http.StatusMethodNotAllowed {
			return
		}
		h.t.Fatalf("%s %s is not in openapi.yaml: %v", hr.Method, hr.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: hr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	if !skipRequest && res.Status < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			h.t.Errorf("%s %s: request does not match openapi.yaml: %v", hr.Method, hr.URL.Path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.Status,
		Header:                 res.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		h.t.Errorf("%s %s → %d: response does not match openapi.yaml: %v\nbody: %s", hr.Method, hr.URL.Path, res.Status, err, res.Body)
	}
}
