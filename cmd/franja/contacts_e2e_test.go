package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"franja/internal/pgtest"
)

// delivery is one POST the receiver got.
type arrival struct {
	id, timestamp, signature string
	body                     []byte
	at                       time.Time
}

// receiver is a real HTTP endpoint recording every delivery; /fail answers
// 500 to the first failures requests of each webhook-id.
type receiver struct {
	mu       sync.Mutex
	got      map[string][]arrival
	failures int
	srv      *httptest.Server
}

func newReceiver(t *testing.T, failures int) *receiver {
	r := &receiver{got: map[string][]arrival{}, failures: failures}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		a := arrival{id: req.Header.Get("webhook-id"), timestamp: req.Header.Get("webhook-timestamp"),
			signature: req.Header.Get("webhook-signature"), body: body, at: time.Now()}
		r.mu.Lock()
		r.got[a.id] = append(r.got[a.id], a)
		n := len(r.got[a.id])
		r.mu.Unlock()
		if strings.HasSuffix(req.URL.Path, "/fail") && n <= r.failures {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// distinct is how many webhook-ids arrived.
func (r *receiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// all is the arrival time of every delivery.
func (r *receiver) all() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Time
	for _, as := range r.got {
		for _, a := range as {
			out = append(out, a.at)
		}
	}
	return out
}

func (r *receiver) arrivals(id string) []arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]arrival(nil), r.got[id]...)
}

// verify checks a's signature by the Standard Webhooks algorithm, written
// out here independently of package delivery.
func verify(secret string, a arrival) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(a.id + "." + a.timestamp + "."))
	mac.Write(a.body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range strings.Split(a.signature, " ") {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

// everyDay is a schedule with the same window every day of the week.
func everyDay(window string) map[string][]string {
	s := map[string][]string{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		s[d] = []string{window}
	}
	return s
}

func mustCall(t *testing.T, p *process, method, path string, body any, want int) map[string]any {
	t.Helper()
	code, m := p.call(t, method, path, body)
	if code != want {
		t.Fatalf("%s %s = %d %v", method, path, code, m)
	}
	return m
}

// TestHeldContactDeliveredWhenTheWindowOpens runs the real binary against a
// real receiver: a contact deferred until a window about a minute away is
// delivered within seconds after it opens and never before, signed, once,
// across a SIGKILL and restart of franja serve; leave added while held
// holds it again; a cancelled one is never delivered; a receiver answering
// 500 gets retries with growing waits.
func TestHeldContactDeliveredWhenTheWindowOpens(t *testing.T) {
	dsn := pgtest.DSN(t)
	env := []string{"DATABASE_URL=" + dsn, "FRANJA_WEBHOOK_ALLOW_PRIVATE=1", "FRANJA_WEBHOOK_RETRY_BASE=1s"}
	p := startServe(t, env...)
	p.waitReady(t)
	rcv := newReceiver(t, 2)

	// The window opens at the first whole minute at least 40 s from now
	// (the server's clock is real), in UTC, every day.
	now := time.Now().UTC()
	opens := now.Add(40 * time.Second).Truncate(time.Minute).Add(time.Minute)
	window := opens.Format("15:04") + "-" + opens.Add(30*time.Minute).Format("15:04")
	open := now.Add(-time.Hour).Truncate(time.Minute)
	mustCall(t, p, "POST", "/v1/posts", map[string]any{"code": "WIN", "name": "Ventana", "kind": "other", "country": "CO", "city": "X",
		"time_zone": "UTC", "calendars": []string{}, "schedule": everyDay(window)}, 201)
	mustCall(t, p, "POST", "/v1/posts", map[string]any{"code": "OPEN", "name": "Abierta", "kind": "other", "country": "CO", "city": "X",
		"time_zone": "UTC", "calendars": []string{}, "schedule": everyDay(open.Format("15:04") + "-" + open.Add(3*time.Hour).Format("15:04"))}, 201)
	for _, id := range []string{"SUP", "A", "B", "C"} {
		mustCall(t, p, "POST", "/v1/people", map[string]any{"external_id": id, "full_name": "Persona " + id, "email": strings.ToLower(id) + "@x.co", "post": "WIN"}, 201)
	}
	mustCall(t, p, "POST", "/v1/people", map[string]any{"external_id": "R", "full_name": "Persona R", "email": "r@x.co", "post": "OPEN"}, 201)
	ok := mustCall(t, p, "POST", "/v1/webhooks", map[string]any{"name": "ok", "url": rcv.srv.URL + "/ok"}, 201)
	fail := mustCall(t, p, "POST", "/v1/webhooks", map[string]any{"name": "fail", "url": rcv.srv.URL + "/fail"}, 201)
	secret := ok["secret"].(string)

	contact := func(person string, hook map[string]any) string {
		t.Helper()
		m := mustCall(t, p, "POST", "/v1/contacts", map[string]any{"person": person, "requester": "SUP",
			"deliver": map[string]any{"webhook": hook["id"], "payload": map[string]any{"asunto": "Informe " + person}}}, 201)
		return jsonNumber(m["id"])
	}
	a, b, c := contact("A", ok), contact("B", ok), contact("C", ok)
	_, held := p.call(t, "GET", "/v1/contacts/"+a, nil)
	if held["status"] != "held" || held["deliver_at"] != opens.Format(time.RFC3339) {
		t.Fatalf("contact A: %v, want held until %s", held, opens.Format(time.RFC3339))
	}
	r := contact("R", fail) // allowed now: delivered at once, after two 500s
	mustCall(t, p, "POST", "/v1/people/B/leaves", map[string]any{"kind": "vacation", "external_ref": "V-B",
		"start_date": opens.Format("2006-01-02"), "end_date": opens.Format("2006-01-02")}, 201)
	mustCall(t, p, "POST", "/v1/contacts/"+c+"/cancel", nil, 200)

	// Kill the server while A is held, and start it again.
	if err := p.stop(t, syscall.SIGKILL); err == nil {
		t.Log("franja serve exited cleanly after SIGKILL?")
	}
	p = startServe(t, env...)
	p.waitReady(t)

	// R: retried with backoff until delivered.
	deadline := time.Now().Add(45 * time.Second)
	for len(rcv.arrivals(r)) < 3 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	got := rcv.arrivals(r)
	if len(got) != 3 {
		t.Fatalf("contact R arrived %d times, want 3 (two 500s, then delivered)\n%s", len(got), drain(p.logs))
	}
	if first, second := got[1].at.Sub(got[0].at), got[2].at.Sub(got[1].at); first < 800*time.Millisecond || second < first {
		t.Errorf("retry waits %v then %v: want ≥ ~1 s and growing", first, second)
	}
	for _, x := range got[1:] {
		if x.id != got[0].id {
			t.Errorf("webhook-id changed across retries: %s, %s", got[0].id, x.id)
		}
	}

	// A: delivered within seconds after the window opens, never before.
	for len(rcv.arrivals(a)) == 0 && time.Now().Before(opens.Add(30*time.Second)) {
		time.Sleep(50 * time.Millisecond)
	}
	arrived := rcv.arrivals(a)
	if len(arrived) == 0 {
		t.Fatalf("contact A was not delivered within 30 s of %s", opens)
	}
	if early := opens.Sub(arrived[0].at); early > 0 {
		t.Errorf("contact A arrived %v before its window opened", early)
	}
	t.Logf("contact A arrived %v after the window opened", arrived[0].at.Sub(opens))
	if late := arrived[0].at.Sub(opens); late > 15*time.Second {
		t.Errorf("contact A arrived %v after the window opened", late)
	}
	if !verify(secret, arrived[0]) {
		t.Errorf("signature %q does not verify", arrived[0].signature)
	}
	var msg struct {
		Type    string
		Contact struct{ ID, Person string }
		Payload map[string]any
	}
	if err := json.Unmarshal(arrived[0].body, &msg); err != nil || msg.Type != "contact.deliver" || msg.Contact.Person != "A" || msg.Payload["asunto"] != "Informe A" {
		t.Errorf("body: %s (%v)", arrived[0].body, err)
	}
	ts, _ := strconv.ParseInt(arrived[0].timestamp, 10, 64)
	if d := time.Since(time.Unix(ts, 0)); d < 0 || d > time.Minute {
		t.Errorf("webhook-timestamp %s is %v off", arrived[0].timestamp, d)
	}

	time.Sleep(3 * time.Second) // anything duplicated would arrive by now
	if n := len(rcv.arrivals(a)); n != 1 {
		t.Errorf("contact A delivered %d times", n)
	}
	if n := len(rcv.arrivals(b)) + len(rcv.arrivals(c)); n != 0 {
		t.Errorf("contacts on leave or cancelled delivered %d times", n)
	}
	_, mb := p.call(t, "GET", "/v1/contacts/"+b, nil)
	if mb["status"] != "held" || !strings.Contains(fmt.Sprint(mb["history"]), "on_leave") {
		t.Errorf("contact B (leave added while held): %v", mb)
	}
	_, ma := p.call(t, "GET", "/v1/contacts/"+a, nil)
	if ma["status"] != "delivered" {
		t.Errorf("contact A: %v", ma)
	}
	_, mr := p.call(t, "GET", "/v1/contacts/"+r, nil)
	if mr["status"] != "delivered" || jsonNumber(mr["attempts"]) != "3" {
		t.Errorf("contact R: %v", mr)
	}
}
