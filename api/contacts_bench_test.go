package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkContacts compares, on one database in one run, recording a
// contact through the API (routing, key authentication, the decision, one
// transaction with the contact, its state and first event, hash-chained,
// and for a held one its River job) with a bare INSERT of the same row into
// contacts (its chain trigger included: it is the same table).
// BENCHMARKS.md reports the ratios.
func BenchmarkContacts(b *testing.B) {
	f := newContactFixture(b, "2026-11-26T21:00:00-05:00")
	post := func(b *testing.B, body map[string]any) {
		raw, _ := json.Marshal(body)
		for b.Loop() {
			r := httptest.NewRequest("POST", "/v1/contacts", bytes.NewReader(raw))
			r.Header.Set("Authorization", "Bearer "+f.sys)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			f.handler.ServeHTTP(w, r)
			if w.Code != http.StatusCreated {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	}
	b.Run("api_recorded", func(b *testing.B) { post(b, map[string]any{"person": "E1", "requester": "S1"}) })
	b.Run("api_held", func(b *testing.B) {
		post(b, map[string]any{"person": "E1", "requester": "S1", "deliver": map[string]any{"webhook": f.webhook, "payload": map[string]any{"asunto": "x"}}})
	})
	b.Run("bare_insert", func(b *testing.B) {
		const q = `INSERT INTO contacts (at, person, post, requester, api_key, role, channel, purpose, official_document,
			duration_seconds, justification, decision, reasons, outside_allowed, exception, next_allowed_at, request_id)
			VALUES ($1, 'E1', 'BOG', 'S1', 'bench', 'system', 'email', 'routine', false, 0, '', 'defer',
				'{outside_working_hours}', true, '', $1, '')`
		at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
		for b.Loop() {
			if _, err := f.store.Pool().Exec(context.Background(), q, at); err != nil {
				b.Fatal(err)
			}
		}
	})
}
