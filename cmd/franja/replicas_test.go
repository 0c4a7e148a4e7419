package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"franja/internal/pgtest"
)

// call sends a JSON request to p as the e2e admin and decodes the answer.
func (p *process) call(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, _ := http.NewRequest(method, "http://"+p.addr+path, rd)
	r.Header.Set("Authorization", "Bearer e2e-admin-token")
	r.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

// TestTwoReplicasFollowEachOther starts two `franja serve` on one database,
// writes through one and watches the other's decisions change within a
// second; then kills the listening connections and checks a reload.
func TestTwoReplicasFollowEachOther(t *testing.T) {
	dsn := pgtest.DSN(t)
	a := startServe(t, "DATABASE_URL="+dsn)
	b := startServe(t, "DATABASE_URL="+dsn)
	a.waitReady(t)
	b.waitReady(t)

	week := map[string][]string{"mon": {"08:00-17:00"}, "tue": {"08:00-17:00"}, "wed": {"08:00-17:00"}, "thu": {"08:00-17:00"}, "fri": {"08:00-17:00"}}
	mustCall := func(p *process, method, path string, body any, want int) {
		t.Helper()
		if code, m := p.call(t, method, path, body); code != want {
			t.Fatalf("%s %s = %d %v", method, path, code, m)
		}
	}
	mustCall(a, "POST", "/v1/posts", map[string]any{"code": "BOG", "name": "Bogotá", "kind": "headquarters", "country": "CO", "city": "Bogotá", "time_zone": "America/Bogota", "calendars": []string{"CO"}, "schedule": week}, 201)
	mustCall(a, "POST", "/v1/people", map[string]any{"external_id": "E1", "full_name": "Ana", "email": "ana@x.co", "post": "BOG"}, 201)

	const q = "/v1/people/E1/contactability?at=2026-11-26T10:00:00-05:00"
	// A acknowledged the writes: it answers from them at once.
	if code, m := a.call(t, "GET", q, nil); code != 200 || m["decision"] != "allow" {
		t.Fatalf("replica A right after its own write: %d %v", code, m)
	}
	waitDecision := func(p *process, want, code string) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			status, m := p.call(t, "GET", q, nil)
			if status == 200 && m["decision"] == want && strings.Contains(reasonsOf(m), code) {
				return time.Since(start)
			}
			if time.Since(start) > time.Second {
				t.Fatalf("replica did not reach %s/%s within a second: %d %v", want, code, status, m)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitDecision(b, "allow", "within_working_hours")

	mustCall(a, "POST", "/v1/people/E1/leaves", map[string]any{"kind": "vacation", "external_ref": "V1", "start_date": "2026-11-26", "end_date": "2026-11-26"}, 201)
	t.Logf("leave reached replica B in %v", waitDecision(b, "defer", "on_leave"))

	// Remove the leave through B, declare a closure through A.
	_, leaves := b.call(t, "GET", "/v1/people/E1/leaves", nil)
	id := leaves["items"].([]any)[0].(map[string]any)["id"]
	mustCall(b, "DELETE", "/v1/people/E1/leaves/"+jsonNumber(id), nil, 204)
	mustCall(a, "POST", "/v1/posts/BOG/closures", map[string]any{"date": "2026-11-26", "name": "Día cívico"}, 201)
	t.Logf("closure reached replica B in %v", waitDecision(b, "defer", "public_holiday"))

	// A key revoked through A stops working on B within a second.
	code, key := a.call(t, "POST", "/v1/api-keys", map[string]any{"name": "notificaciones", "role": "system"})
	if code != 201 {
		t.Fatalf("creating a key: %d %v", code, key)
	}
	token := key["token"].(string)
	// Keys live in each replica's view: a new one reaches B through the
	// change feed, like its revocation.
	waitWhoami := func(want int, what string) {
		t.Helper()
		start := time.Now()
		for {
			code, _ := b.get(t, "/v1/whoami", token)
			if code == want {
				t.Logf("%s reached replica B in %v", what, time.Since(start))
				return
			}
			if time.Since(start) > time.Second {
				t.Fatalf("%s did not reach replica B within a second (%d)", what, code)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitWhoami(200, "the new key")
	mustCall(a, "DELETE", "/v1/api-keys/"+jsonNumber(key["id"]), nil, 204)
	waitWhoami(401, "the revocation")

	// Kill every listening connection: both replicas reload and stay right.
	killListeners(t, dsn)
	mustCall(a, "DELETE", "/v1/posts/BOG/closures/2026-11-26", nil, 204)
	waitDecision(b, "allow", "within_working_hours")
	for _, p := range []*process{a, b} {
		if err := p.stop(t, syscall.SIGTERM); err != nil {
			t.Errorf("exit: %v", err)
		}
		if n := strings.Count(drain(p.logs), `"msg":"view loaded"`); n < 2 {
			t.Errorf("a replica loaded its view %d times; a lost listener must trigger a reload", n)
		}
	}
}

func reasonsOf(m map[string]any) string {
	b, _ := json.Marshal(m["reasons"])
	return string(b)
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// killListeners terminates every connection LISTENing on the change feed.
func killListeners(t *testing.T, dsn string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var n int
	err = conn.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query = 'LISTEN franja_changes' AND datname = current_database()`).Scan(&n)
	if err != nil || n != 2 {
		t.Fatalf("terminated %d listeners (%v), want 2", n, err)
	}
}
