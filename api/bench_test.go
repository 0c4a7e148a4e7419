package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"franja/calendars"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"franja/postgres"
)

// benchPeople is the size of the benchmarks' staff: scripts/bench-serve.sh's.
const benchPeople = 10_000

// benchSQL loads a dozen posts (one per zone), benchPeople people and ten
// leaves each over 2026, as scripts/bench-serve.sh does.
const benchSQL = `
INSERT INTO posts (code, name, kind, country, time_zone, calendars)
SELECT 'POST' || g, 'Post ' || g, 'embassy', 'CO',
       (ARRAY['America/Bogota','America/New_York','Europe/Madrid','America/Santiago','America/Mexico_City','Asia/Tokyo',
              'Europe/London','America/Sao_Paulo','Australia/Sydney','Africa/Nairobi','Asia/Kolkata','America/Los_Angeles'])[g + 1],
       '{CO}'
FROM generate_series(0, 11) g;
INSERT INTO schedules (post, windows)
SELECT 'POST' || g, '{"mon":["08:00-12:00","13:00-17:00"],"tue":["08:00-12:00","13:00-17:00"],"wed":["08:00-12:00","13:00-17:00"],"thu":["08:00-12:00","13:00-17:00"],"fri":["08:00-12:00","13:00-17:00"]}'
FROM generate_series(0, 11) g;
INSERT INTO people (external_id, full_name, email, post, supervisor)
SELECT 'P' || g, 'Person ' || g, 'p' || g || '@example.org', 'POST' || (g % 12),
       CASE WHEN g >= 10 THEN 'P' || (g / 10) END
FROM generate_series(1, 10000) g;
INSERT INTO leaves (person, kind, start_date, end_date, starts_at, ends_at, delegate)
SELECT 'P' || (i % 10000 + 1),
       (ARRAY['vacation','sick_leave','paid_permission','compensatory_day','study_permission','service_commission'])[i % 6 + 1],
       CASE WHEN i % 10 <> 0 THEN date '2026-01-01' + (i * 37 % 365) END,
       CASE WHEN i % 10 <> 0 THEN date '2026-01-01' + (i * 37 % 365) + i % 10 END,
       CASE WHEN i % 10 = 0 THEN timestamptz '2026-01-01 13:00Z' + (i * 37 % 365) * interval '1 day' END,
       CASE WHEN i % 10 = 0 THEN timestamptz '2026-01-01 15:00Z' + (i * 37 % 365) * interval '1 day' END,
       CASE WHEN i % 50 = 1 THEN 'P' || ((i + 1) % 10000 + 1) END
FROM generate_series(0, 99999) i;`

// benchServer is the API as `franja serve` runs it (key authentication,
// rate limits, a JSON request log at info), over benchSQL, with a system
// key's token.
func benchServer(b *testing.B) (http.Handler, string) {
	b.Helper()
	h := newHarness(b) // the database and the view following its change feed
	ctx := context.Background()
	calendars.List() // the holiday data set, parsed on first use, as franja serve does at start-up
	if _, err := h.store.Pool().Exec(ctx, benchSQL); err != nil {
		b.Fatal(err)
	}
	_, token, err := h.store.CreateAPIKey(ctx, postgres.NewAPIKey{Name: "bench", Role: "system"}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if err := h.view.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	if n := h.view.Snapshot().Len(); n != benchPeople {
		b.Fatalf("%d people in the view, want %d", n, benchPeople)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	keys := NewKeyAuthenticator(h.view, h.store, KeyAuthOptions{Logger: log})
	handler := New(Config{Logger: log, Authenticators: []Authenticator{keys}, Store: h.store, View: h.view, AccessLogEvery: 100,
		RateLimits: map[Role]int{RoleSystem: 1 << 30, RoleAdmin: 100, RoleHR: 100, RoleSupervisor: 100}})
	return handler, token
}

// serve sends one request through handler, failing on a status but 200.
func serve(b *testing.B, handler http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s %s: %d %s", r.Method, r.URL, rec.Code, rec.Body)
	}
	return rec
}

// randomAt is a random instant of 2026, to the second.
func randomAt(rng *rand.Rand) string {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return from.Add(time.Duration(rng.IntN(365*86400)) * time.Second).Format(time.RFC3339)
}

// BenchmarkServe drives the whole handler (router, middleware, auth, rate
// limit, log line, decision, JSON) in process: /healthz, one contactability
// question about a random person at a random instant, and a batch of 1,000.
// The wrk figures (scripts/bench-serve.sh) add the network and the server.
//
//	go test -run x -bench BenchmarkServe -cpuprofile cpu.out ./api/
func BenchmarkServe(b *testing.B) {
	handler, token := benchServer(b)
	b.Run("healthz", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			serve(b, handler, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		}
	})
	b.Run("contactability", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/v1/people/P%d/contactability?at=%s", rng.IntN(benchPeople)+1, randomAt(rng)), nil)
			r.Header.Set("Authorization", "Bearer "+token)
			serve(b, handler, r)
		}
	})
	b.Run("contactability_gzip", func(b *testing.B) {
		// As Go's HTTP client asks by default: the answer (under 1 KiB)
		// is not compressed, but passes through the compressor's check.
		rng := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/v1/people/P%d/contactability?at=%s", rng.IntN(benchPeople)+1, randomAt(rng)), nil)
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Accept-Encoding", "gzip")
			r.Header.Set("Accept-Language", "en-US,en;q=0.9")
			serve(b, handler, r)
		}
	})
	if addr := os.Getenv("FRANJA_BENCH_ADDR"); addr != "" {
		listen(b, handler, token, addr)
	}
	for _, n := range []int{1000, maxChecks} {
		b.Run(fmt.Sprintf("checks_%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			type check struct {
				Person string `json:"person"`
				At     string `json:"at"`
			}
			checks := make([]check, n)
			for i := range checks {
				checks[i] = check{fmt.Sprintf("P%d", rng.IntN(benchPeople)+1), randomAt(rng)}
			}
			body, _ := json.Marshal(map[string]any{"checks": checks})
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/v1/contact-checks", bytes.NewReader(body))
				r.Header.Set("Authorization", "Bearer "+token)
				r.Header.Set("Content-Type", "application/json")
				serve(b, handler, r)
			}
		})
	}
}

// listen serves handler on addr for FRANJA_BENCH_SECONDS (default 30), so
// that a load generator outside (wrk) drives a real net/http server while
// -cpuprofile records it: the profile of BENCHMARKS.md. The system key's
// token is written to FRANJA_BENCH_TOKEN_FILE when set.
func listen(b *testing.B, handler http.Handler, token, addr string) {
	secs, err := strconv.Atoi(os.Getenv("FRANJA_BENCH_SECONDS"))
	if err != nil || secs <= 0 {
		secs = 30
	}
	if f := os.Getenv("FRANJA_BENCH_TOKEN_FILE"); f != "" {
		if err := os.WriteFile(f, []byte(token), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	srv := &http.Server{Addr: addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.ListenAndServe() }()
	b.Logf("serving on %s for %d s", addr, secs)
	time.Sleep(time.Duration(secs) * time.Second)
	_ = srv.Close()
}
