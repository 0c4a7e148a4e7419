package delivery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"franja/api"
	"franja/calendars"
	"franja/contacts"
	"franja/decide"
	"franja/delivery"
	"franja/internal/pgtest"
	"franja/postgres"
	"franja/view"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// world is the API and a working delivery runner on one test database, as
// franja serve wires them, with a receiver that always answers 500.
type world struct {
	t       *testing.T
	api     http.Handler
	store   *postgres.Store
	hits    atomic.Int32
	webhook float64
}

func newWorld(t *testing.T) *world {
	w := &world{t: t}
	log := slog.New(slog.DiscardHandler)
	w.store = postgres.New(pgtest.Pool(t))
	v := view.New(view.Config{Pool: w.store.Pool(), Logger: log, LoadStored: func(ctx context.Context, tx pgx.Tx) (*calendars.Stored, error) {
		return postgres.ReadStoredCalendars(ctx, tx)
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = v.Run(ctx); done <- struct{}{} }()
	for v.Ready(ctx) != nil {
		time.Sleep(5 * time.Millisecond)
	}
	runner, err := delivery.New(w.store.Pool(), delivery.Config{Store: w.store, Logger: log, Work: true, AllowPrivate: true,
		MaxAttempts: 2, RetryBase: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(decide.New(v, w.store, log), w.store, runner, nil)
	runner.SetContacts(cs)
	go func() { _ = runner.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	w.api = api.New(api.Config{Logger: log, AdminToken: "delivery-test-admin-token", Store: w.store, View: v, Contacts: cs, AllowPrivateWebhooks: true})
	rcv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		w.hits.Add(1)
		rw.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(rcv.Close)

	// OPEN's window covers now; SHUT's never opens before tomorrow.
	now := time.Now().UTC()
	from := now.Add(-time.Hour).Truncate(time.Minute)
	w.call("POST", "/v1/posts", map[string]any{"code": "OPEN", "name": "Abierta", "kind": "other", "country": "CO", "time_zone": "UTC",
		"calendars": []string{}, "schedule": everyDay(from.Format("15:04") + "-" + from.Add(3*time.Hour).Format("15:04"))}, 201)
	w.call("POST", "/v1/posts", map[string]any{"code": "SHUT", "name": "Cerrada", "kind": "other", "country": "CO", "time_zone": "UTC",
		"calendars": []string{}, "schedule": everyDay(now.Add(-3*time.Hour).Format("15:04") + "-" + now.Add(-2*time.Hour).Format("15:04"))}, 201)
	for _, p := range [][2]string{{"R", "OPEN"}, {"H", "SHUT"}, {"G", "SHUT"}} {
		w.call("POST", "/v1/people", map[string]any{"external_id": p[0], "full_name": "Persona " + p[0], "email": "p@x.co", "post": p[1]}, 201)
	}
	w.webhook = w.call("POST", "/v1/webhooks", map[string]any{"name": "falla", "url": rcv.URL}, 201)["id"].(float64)
	return w
}

func everyDay(window string) map[string][]string {
	s := map[string][]string{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		s[d] = []string{window}
	}
	return s
}

func (w *world) call(method, path string, body any, want int) map[string]any {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r := httptest.NewRequest(method, path, rd)
	r.Header.Set("Authorization", "Bearer delivery-test-admin-token")
	r.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	w.api.ServeHTTP(rec, r)
	if rec.Code != want {
		w.t.Fatalf("%s %s = %d %s", method, path, rec.Code, rec.Body)
	}
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return m
}

func (w *world) contact(person string) string {
	w.t.Helper()
	m := w.call("POST", "/v1/contacts", map[string]any{"person": person, "requester": "R", "deliver": map[string]any{"webhook": w.webhook}}, 201)
	return fmt.Sprint(m["id"])
}

// due makes contact id's job due now, as if its time had come.
func (w *world) due(id string) {
	w.t.Helper()
	_, err := w.store.Pool().Exec(context.Background(), `UPDATE river_job SET scheduled_at = now() WHERE args->>'contact' = $1`, id)
	if err != nil {
		w.t.Fatal(err)
	}
}

// waitStatus waits until contact id has status.
func (w *world) waitStatus(id, status string) map[string]any {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m := w.call("GET", "/v1/contacts/"+id, nil, 200)
		if m["status"] == status {
			return m
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("contact %s is %v, not %s, after 30 s: %v", id, m["status"], status, m)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDeliveryEndsAsTheWorldChanges: retries end in failed (dead) after the
// last attempt; a held contact whose person was deleted is cancelled when
// due, one whose webhook was deleted too; one due too early is held again,
// never delivered.
func TestDeliveryEndsAsTheWorldChanges(t *testing.T) {
	w := newWorld(t)
	dead := w.contact("R")
	m := w.waitStatus(dead, "failed")
	if w.hits.Load() != 2 || !strings.Contains(fmt.Sprint(m["history"]), "http_500") {
		t.Errorf("failed after %d attempts: %v", w.hits.Load(), m)
	}

	gone, early, unhooked := w.contact("G"), w.contact("H"), ""
	w.call("DELETE", "/v1/people/G", nil, 204)
	w.due(gone)
	if m := w.waitStatus(gone, "cancelled"); !strings.Contains(fmt.Sprint(m["history"]), "person_unavailable") {
		t.Errorf("person deleted: %v", m)
	}
	before := w.call("GET", "/v1/contacts/"+early, nil, 200)["deliver_at"]
	w.due(early)
	time.Sleep(7 * time.Second) // River's scheduler runs every 5 s
	if m := w.call("GET", "/v1/contacts/"+early, nil, 200); m["status"] != "held" || m["deliver_at"] != before {
		t.Errorf("woken early: %v, want held until %v", m, before)
	}
	unhooked = w.contact("H")
	w.call("DELETE", fmt.Sprintf("/v1/webhooks/%v", w.webhook), nil, 204)
	w.due(unhooked)
	if m := w.waitStatus(unhooked, "cancelled"); !strings.Contains(fmt.Sprint(m["history"]), "webhook_deleted") {
		t.Errorf("webhook deleted: %v", m)
	}
	if n := w.hits.Load(); n != 2 {
		t.Errorf("the receiver was called %d times, want 2 (the dead contact's attempts)", n)
	}
}
