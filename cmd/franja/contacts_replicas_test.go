package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"franja/internal/pgtest"
)

// heldContacts is how many contacts TestTwoReplicasReleaseHeldContacts
// holds: FRANJA_TEST_HELD_CONTACTS overrides it (BENCHMARKS.md ran 10,000).
func heldContacts() int {
	if n, err := strconv.Atoi(os.Getenv("FRANJA_TEST_HELD_CONTACTS")); err == nil && n > 0 {
		return n
	}
	return 1000
}

// TestTwoReplicasReleaseHeldContacts starts two franja serve on one
// database, holds many contacts for one window, and checks that when it
// opens each is delivered exactly once to a deduplicating receiver, none
// early, spread at the configured rate (FRANJA_WEBHOOK_RATE).
func TestTwoReplicasReleaseHeldContacts(t *testing.T) {
	n := heldContacts()
	rate := 400.0
	if r, err := strconv.ParseFloat(os.Getenv("FRANJA_TEST_RATE"), 64); err == nil {
		rate = r // 0: unlimited, to measure the release rate
	}
	dsn := pgtest.DSN(t)
	env := []string{"DATABASE_URL=" + dsn, "FRANJA_WEBHOOK_ALLOW_PRIVATE=1", "FRANJA_RATE_LIMIT_SYSTEM=0",
		"FRANJA_WEBHOOK_RATE=" + strconv.FormatFloat(rate, 'f', -1, 64)}
	a, b := startServe(t, env...), startServe(t, env...)
	a.waitReady(t)
	b.waitReady(t)
	rcv := newReceiver(t, 0)

	now := time.Now().UTC()
	lead := 15*time.Second + time.Duration(n)*12*time.Millisecond // time to record them, on a loaded machine
	opens := now.Add(lead).Truncate(time.Minute).Add(time.Minute)
	window := opens.Format("15:04") + "-" + opens.Add(time.Hour).Format("15:04")
	mustCall(t, a, "POST", "/v1/posts", map[string]any{"code": "WIN", "name": "Ventana", "kind": "other", "country": "CO", "city": "X",
		"time_zone": "UTC", "calendars": []string{}, "schedule": everyDay(window)}, 201)
	const people = 20
	for i := range people {
		mustCall(t, a, "POST", "/v1/people", map[string]any{"external_id": "P" + strconv.Itoa(i), "full_name": "Persona", "email": "p@x.co", "post": "WIN"}, 201)
	}
	hook := mustCall(t, a, "POST", "/v1/webhooks", map[string]any{"name": "ok", "url": rcv.srv.URL + "/ok"}, 201)
	waitPerson(t, b, "P"+strconv.Itoa(people-1))
	// A system key (unlimited here), not the admin token (100 requests/s).
	token := mustCall(t, a, "POST", "/v1/api-keys", map[string]any{"name": "mensajería", "role": "system"}, 201)["token"].(string)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if code, _ := b.get(t, "/v1/whoami", token); code == 200 || time.Now().After(deadline) {
			break
		}
	}

	start := time.Now()
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for w := range 8 {
		p := a
		if w%2 == 1 {
			p = b
		}
		wg.Go(func() {
			client := &http.Client{}
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				body, _ := json.Marshal(map[string]any{"person": "P" + strconv.Itoa(int(i%people)), "requester": "P0",
					"deliver": map[string]any{"webhook": hook["id"], "payload": map[string]any{"n": i}}})
				r, _ := http.NewRequest("POST", "http://"+p.addr+"/v1/contacts", bytes.NewReader(body))
				r.Header.Set("Authorization", "Bearer "+token)
				r.Header.Set("Content-Type", "application/json")
				res, err := client.Do(r)
				if err != nil || res.StatusCode != 201 {
					if failed.Add(1) == 1 && res != nil {
						b, _ := io.ReadAll(res.Body)
						t.Logf("first failure: %d %s", res.StatusCode, b)
					}
				}
				if res != nil {
					res.Body.Close()
				}
			}
		})
	}
	wg.Wait()
	recorded := time.Since(start)
	t.Logf("recorded %d held contacts in %v (%.0f/s) through two replicas", n, recorded, float64(n)/recorded.Seconds())
	if failed.Load() > 0 {
		t.Fatalf("%d contacts were not recorded", failed.Load())
	}
	if time.Now().After(opens) {
		t.Fatalf("recording took past the window's opening (%v): raise lead", recorded)
	}

	// Wait for every delivery.
	deadline := opens.Add(30*time.Second + time.Duration(float64(n)/max(rate, 1)*1.5*float64(time.Second)))
	for rcv.distinct() < n && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // duplicates would arrive by now
	all := rcv.all()
	if d := rcv.distinct(); d != n || len(all) != n {
		t.Fatalf("%d distinct contacts in %d deliveries, want %d once each", d, len(all), n)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Before(all[j]) })
	if early := opens.Sub(all[0]); early > 0 {
		t.Errorf("the first delivery arrived %v before the window opened", early)
	}
	span := all[len(all)-1].Sub(all[0])
	t.Logf("released %d held contacts: first %v after opening, last %v after (%.0f/s over the span)", n,
		all[0].Sub(opens), all[len(all)-1].Sub(opens), float64(n)/max(span.Seconds(), 0.001))
	if rate > 0 {
		// Spread: slots are taken 1/rate apart and nothing is sent before
		// its slot; arrivals jitter with the machine's load, so count
		// them over two seconds: never more than the rate allows (+10%).
		for i, j := 0, 0; i < len(all); i++ {
			for all[i].Sub(all[j]) >= 2*time.Second {
				j++
			}
			if in := i - j + 1; float64(in) > 2*rate*1.1+2 {
				t.Fatalf("%d deliveries within two seconds ending %v, over the rate %v", in, all[i].Sub(opens), rate)
			}
		}
		if want := time.Duration(float64(n-1) / rate * 0.9 * float64(time.Second)); span < want {
			t.Errorf("delivered over %v, faster than the rate allows (%v)", span, want)
		}
	}
}

// waitPerson waits until p's view has person id.
func waitPerson(t *testing.T, p *process, id string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if code, _ := p.call(t, "GET", "/v1/people/"+id+"/contactability", nil); code == 200 {
			return
		}
	}
	t.Fatalf("replica never saw %s", id)
}
