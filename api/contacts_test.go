package api

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"franja/delivery"
	"franja/internal/pgtest"
	"franja/postgres"
)

// contactFixture is a harness whose clock reads *now, with an insert-only
// delivery scheduler, BOG's office week, a supervisor S1 over E1, a
// supervisor key for S1 and a system key, and one webhook.
type contactFixture struct {
	*harness
	now       atomic.Pointer[time.Time]
	sup, sys  string
	webhook   int64
	scheduled func() int
}

func newContactFixture(t testing.TB, at string) *contactFixture {
	t.Helper()
	f := &contactFixture{}
	f.setNow(at)
	store := postgres.New(pgtest.Pool(t))
	runner, err := delivery.New(store.Pool(), delivery.Config{Store: store, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	f.harness, _ = keyHarnessOn(t, store, KeyAuthOptions{Logger: discardLogger()}, Config{Now: func() time.Time { return *f.now.Load() },
		Scheduler: runner, AllowPrivateWebhooks: true, AuditThreshold: 2})
	f.mustCreate("/v1/posts", map[string]any{"code": "BOG", "name": "Sede Bogotá", "kind": "headquarters", "country": "CO",
		"city": "Bogotá", "time_zone": "America/Bogota", "calendars": []string{"CO"}, "schedule": workweek("08:00-12:00", "13:00-17:00")})
	for _, p := range [][3]string{{"S1", "", "direccion_confianza_manejo"}, {"E1", "S1", "none"}, {"E2", "", "none"}} {
		body := map[string]any{"external_id": p[0], "full_name": "Persona " + p[0], "email": strings.ToLower(p[0]) + "@cancilleria.gov.co", "post": "BOG", "exception": p[2]}
		if p[1] != "" {
			body["supervisor"] = p[1]
		}
		f.mustCreate("/v1/people", body)
	}
	f.sup = f.createKey(map[string]any{"name": "S1", "role": "supervisor", "person": "S1"}).Token
	f.sys = f.createKey(map[string]any{"name": "mensajería", "role": "system"}).Token
	f.webhook = int64(f.mustCreate("/v1/webhooks", map[string]any{"name": "receptor", "url": "http://127.0.0.1:9/hook"})["id"].(float64))
	f.scheduled = func() int {
		var n int
		if err := store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM river_job`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return f
}

func (f *contactFixture) setNow(at string) {
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		panic(err)
	}
	f.now.Store(&t)
}

// contact POSTs body as token with an optional Idempotency-Key.
func (f *contactFixture) contact(token, key string, body map[string]any) *response {
	f.t.Helper()
	r := req{Method: "POST", Path: "/v1/contacts", Token: token, Body: body}
	if key != "" {
		r.Header = map[string]string{"Idempotency-Key": key}
	}
	return f.do(r)
}

func (f *contactFixture) count(t testing.TB) int {
	t.Helper()
	var n int
	if err := f.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM contacts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEveryContactIsRecordedWhateverTheDecision(t *testing.T) {
	f := newContactFixture(t, "2026-11-26T21:00:00-05:00") // Thursday night in Bogotá
	// The case: a supervisor's routine and then urgent Teams chat
	// at 21:00, both deferred, both on record.
	res := f.contact(f.sup, "", map[string]any{"person": "E1", "channel": "teams_chat"})
	if res.Status != 201 {
		t.Fatalf("routine: %d %s", res.Status, res.Body)
	}
	m := res.Map(t)
	if m["decision"] != "defer" || m["status"] != "recorded" || m["requester"] != "S1" || m["outside_allowed"] != true {
		t.Errorf("routine contact: %s", res.Body)
	}
	if m["next_allowed_at"] != "2026-11-27T13:00:00Z" || len(m["reasons"].([]any)) == 0 {
		t.Errorf("decision fields: %s", res.Body)
	}
	res = f.contact(f.sup, "", map[string]any{"person": "E1", "channel": "teams_chat", "purpose": "urgent", "justification": "Se necesita el informe consular hoy"})
	if res.Status != 201 || res.Map(t)["decision"] != "defer" {
		t.Fatalf("urgent: %d %s", res.Status, res.Body)
	}
	// A denied call is on record too.
	res = f.contact(f.sys, "", map[string]any{"person": "E2", "channel": "phone", "requester": "S1"})
	if res.Status != 201 || res.Map(t)["decision"] != "deny" {
		t.Fatalf("phone: %d %s", res.Status, res.Body)
	}
	// An exception that lets the contact through is recorded on the contact.
	res = f.contact(f.sys, "", map[string]any{"person": "S1", "purpose": "urgent", "requester": "E2", "justification": "Falla del sistema de visas en el consulado"})
	if m := res.Map(t); res.Status != 201 || m["decision"] != "allow" || m["exception"] != "direccion_confianza_manejo" {
		t.Fatalf("exception: %d %s", res.Status, res.Body)
	}
	if n := f.count(t); n != 4 {
		t.Errorf("%d contacts recorded, want 4", n)
	}
	// The contactability question stays read-only.
	f.ask(f.sup, "E1", "2026-11-26T21:00:00-05:00")
	if n := f.count(t); n != 4 {
		t.Errorf("a question recorded a contact: %d", n)
	}
}

func TestContactRequesterCannotBeSpoofed(t *testing.T) {
	f := newContactFixture(t, "2026-11-26T10:00:00-05:00")
	for name, tc := range map[string]struct {
		token string
		body  map[string]any
		field string
	}{
		"system key without requester": {f.sys, map[string]any{"person": "E1"}, "requester"},
		"system key naming nobody":     {f.sys, map[string]any{"person": "E1", "requester": "E10068"}, "requester"},
		"supervisor naming another":    {f.sup, map[string]any{"person": "E1", "requester": "E2"}, "requester"},
		"admin without requester":      {"", map[string]any{"person": "E1"}, "requester"},
		"bad duration":                 {f.sys, map[string]any{"person": "E1", "requester": "S1", "duration": "30 minutes"}, "duration"},
		"unknown webhook":              {f.sys, map[string]any{"person": "E1", "requester": "S1", "deliver": map[string]any{"webhook": 999}}, "deliver.webhook"},
		"payload over the limit":       {f.sys, map[string]any{"person": "E1", "requester": "S1", "deliver": map[string]any{"webhook": f.webhook, "payload": map[string]any{"x": strings.Repeat("x", 70000)}}}, "deliver.payload"},
		"deliver_by in the past":       {f.sys, map[string]any{"person": "E1", "requester": "S1", "deliver": map[string]any{"webhook": f.webhook}, "deliver_by": "2026-11-26T09:00:00-05:00"}, "deliver_by"},
		"urgent without justification": {f.sys, map[string]any{"person": "E1", "requester": "S1", "purpose": "urgent"}, "justification"},
	} {
		res := f.do(req{Method: "POST", Path: "/v1/contacts", Token: tc.token, Body: tc.body, SkipSpec: true})
		if res.Status != 422 || !strings.Contains(string(res.Body), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s, want 422 on %s", name, res.Status, res.Body, tc.field)
		}
	}
	res := f.contact(f.sys, "", map[string]any{"person": "NOBODY", "requester": "S1"})
	if res.Status != 404 {
		t.Errorf("unknown person: %d %s", res.Status, res.Body)
	}
	res = f.contact(f.sup, "", map[string]any{"person": "E2"})
	if res.Status != 403 {
		t.Errorf("outside the supervisor's line: %d %s", res.Status, res.Body)
	}
	if n := f.count(t); n != 0 {
		t.Errorf("bad contacts recorded %d rows", n)
	}
	// The record keeps both the named requester and the key.
	res = f.contact(f.sys, "", map[string]any{"person": "E1", "requester": "S1"})
	m := res.Map(t)
	if res.Status != 201 || m["requester"] != "S1" || m["api_key"] == "" || m["status"] != "recorded" {
		t.Errorf("system contact: %d %s", res.Status, res.Body)
	}
}

func TestIdempotencyKeyMakesOneContact(t *testing.T) {
	f := newContactFixture(t, "2026-11-26T21:00:00-05:00")
	body := map[string]any{"person": "E1", "requester": "S1", "deliver": map[string]any{"webhook": f.webhook, "payload": map[string]any{"asunto": "Informe"}}}
	first := f.contact(f.sys, "orden-123", body)
	if first.Status != 201 || first.Map(t)["status"] != "held" {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	again := f.contact(f.sys, "orden-123", body)
	if again.Status != 200 || again.Header.Get("Idempotent-Replayed") != "true" || again.Map(t)["id"] != first.Map(t)["id"] {
		t.Errorf("retried: %d %s", again.Status, again.Body)
	}
	body["channel"] = "teams_chat"
	other := f.contact(f.sys, "orden-123", body)
	if other.Status != 422 || !strings.Contains(string(other.Body), "Idempotency-Key") {
		t.Errorf("same key, other body: %d %s", other.Status, other.Body)
	}
	if n := f.count(t); n != 1 {
		t.Errorf("%d contacts, want 1", n)
	}
	if n := f.scheduled(); n != 1 {
		t.Errorf("%d delivery jobs, want 1", n)
	}
	// The held contact is due at the next allowed instant.
	m := first.Map(t)
	if m["deliver_at"] != "2026-11-27T13:00:00Z" || m["local_deliver_at"] != "2026-11-27T08:00:00-05:00" {
		t.Errorf("deliver_at: %s", first.Body)
	}
}

func TestContactStatusesListAndCancel(t *testing.T) {
	f := newContactFixture(t, "2026-11-26T21:00:00-05:00")
	deliver := map[string]any{"webhook": f.webhook}
	held := f.contact(f.sup, "", map[string]any{"person": "E1", "deliver": deliver}).Map(t)
	refused := f.contact(f.sup, "", map[string]any{"person": "E1", "channel": "phone", "deliver": deliver}).Map(t)
	expired := f.contact(f.sup, "", map[string]any{"person": "E1", "deliver": deliver, "deliver_by": "2026-11-27T07:00:00-05:00"}).Map(t)
	for m, want := range map[*map[string]any]string{&held: "held", &refused: "refused", &expired: "expired"} {
		if (*m)["status"] != want {
			t.Errorf("status %v, want %s", (*m)["status"], want)
		}
	}
	id := fmt.Sprint(held["id"])
	res := f.do(req{Method: "POST", Path: "/v1/contacts/" + id + "/cancel", Token: f.sup})
	if res.Status != 200 || res.Map(t)["status"] != "cancelled" {
		t.Fatalf("cancel: %d %s", res.Status, res.Body)
	}
	if h := res.Map(t)["history"].([]any); len(h) != 2 {
		t.Errorf("history: %s", res.Body)
	}
	res = f.do(req{Method: "DELETE", Path: "/v1/contacts/" + id, Token: f.sup})
	if res.Status != 409 {
		t.Errorf("cancel twice: %d %s", res.Status, res.Body)
	}
	res = f.do(req{Method: "GET", Path: "/v1/contacts?status=refused"})
	if items := res.Map(t)["items"].([]any); res.Status != 200 || len(items) != 1 {
		t.Errorf("list refused: %d %s", res.Status, res.Body)
	}
	// A system key sees only the contacts it made; a supervisor those they requested.
	res = f.do(req{Method: "GET", Path: "/v1/contacts/" + id, Token: f.sys})
	if res.Status != 404 {
		t.Errorf("system key reading a supervisor's contact: %d", res.Status)
	}
	res = f.do(req{Method: "GET", Path: "/v1/contacts", Token: f.sup})
	if items := res.Map(t)["items"].([]any); len(items) != 3 {
		t.Errorf("supervisor's list: %d items", len(items))
	}
	f.contact(f.sys, "", map[string]any{"person": "E2", "requester": "S1"})
	res = f.do(req{Method: "GET", Path: "/v1/contacts?limit=1", Token: f.sys})
	if items := res.Map(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["person"] != "E2" || res.Map(t)["next_cursor"] != nil {
		t.Errorf("system key's list: %s", res.Body)
	}
}

func TestWebhooksAdminOnlySecretOnceAndSSRF(t *testing.T) {
	f := newContactFixture(t, "2026-11-26T10:00:00-05:00")
	res := f.do(req{Method: "POST", Path: "/v1/webhooks", Body: map[string]any{"name": "x", "url": "https://mensajeria.example.org/franja"}})
	m := res.Map(t)
	if res.Status != 201 || !strings.HasPrefix(fmt.Sprint(m["secret"]), "whsec_") {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	list := f.do(req{Method: "GET", Path: "/v1/webhooks"})
	if strings.Contains(string(list.Body), "whsec_") || list.Status != 200 {
		t.Errorf("list shows secrets: %s", list.Body)
	}
	if res := f.do(req{Method: "POST", Path: "/v1/webhooks", Token: f.sys, Body: map[string]any{"name": "x", "url": "https://a.example"}}); res.Status != 403 {
		t.Errorf("system key registering: %d", res.Status)
	}
	for _, u := range []string{"ftp://a.example/x", "https://user:pw@a.example/x", "/relative"} {
		if res := f.do(req{Method: "POST", Path: "/v1/webhooks", Body: map[string]any{"name": "x", "url": u}}); res.Status != 422 {
			t.Errorf("%s: %d %s", u, res.Status, res.Body)
		}
	}
	if res := f.do(req{Method: "DELETE", Path: fmt.Sprintf("/v1/webhooks/%v", m["id"])}); res.Status != 204 {
		t.Errorf("delete: %d", res.Status)
	}
	res = f.contact(f.sup, "", map[string]any{"person": "E1", "deliver": map[string]any{"webhook": m["id"]}})
	if res.Status != 422 {
		t.Errorf("contact to a deleted webhook: %d %s", res.Status, res.Body)
	}
	// Without FRANJA_WEBHOOK_ALLOW_PRIVATE, private literals are refused.
	strict := newHarness(t)
	for _, u := range []string{"http://127.0.0.1/x", "http://10.1.2.3/x", "http://169.254.169.254/latest", "http://[::1]/x"} {
		if res := strict.do(req{Method: "POST", Path: "/v1/webhooks", Body: map[string]any{"name": "x", "url": u}}); res.Status != 422 {
			t.Errorf("%s: %d %s", u, res.Status, res.Body)
		}
	}
}

func TestContactDuringAnOutageIs503AndRecordsNothing(t *testing.T) {
	f := newContactFixture(t, "2026-11-26T21:00:00-05:00")
	dead := harnessOn(t, deadStore(t), f.view, Config{})
	for _, body := range []map[string]any{
		{"person": "E1", "requester": "S1"},
		{"person": "E1", "requester": "S1", "deliver": map[string]any{"webhook": f.webhook}},
	} {
		res := dead.do(req{Method: "POST", Path: "/v1/contacts", Body: body})
		if res.Status != 503 || res.Header.Get("Retry-After") == "" {
			t.Errorf("during the outage: %d %s", res.Status, res.Body)
		}
	}
	if n := f.count(t); n != 0 {
		t.Errorf("%d contacts recorded during the outage", n)
	}
}

func TestMonthlyContactsReport(t *testing.T) {
	f := newContactFixture(t, "2026-11-26T21:00:00-05:00")
	// Three evening chats from S1 to E1 (over the threshold of 2), one of
	// them on 30 November at 22:00 in Bogotá: 1 December in UTC, November
	// in the report.
	for _, at := range []string{"2026-11-26T21:00:00-05:00", "2026-11-27T21:00:00-05:00", "2026-11-30T22:00:00-05:00"} {
		f.setNow(at)
		if res := f.contact(f.sup, "", map[string]any{"person": "E1", "channel": "teams_chat"}); res.Status != 201 {
			t.Fatalf("%s: %d %s", at, res.Status, res.Body)
		}
	}
	// WhatsApp in working hours: refused, but not out-of-hours contact.
	f.setNow("2026-11-26T10:00:00-05:00")
	f.contact(f.sup, "", map[string]any{"person": "E1", "channel": "whatsapp"})
	// An exception used, by a system key naming E2.
	f.setNow("2026-11-26T22:00:00-05:00")
	f.contact(f.sys, "", map[string]any{"person": "S1", "purpose": "urgent", "requester": "E2", "justification": "Falla del sistema de visas en el consulado"})
	// December in Bogotá.
	f.setNow("2026-12-01T09:00:00-05:00")
	f.contact(f.sup, "", map[string]any{"person": "E1"})

	res := f.do(req{Method: "GET", Path: "/v1/reports/contacts?month=2026-11"})
	if res.Status != 200 {
		t.Fatalf("report: %d %s", res.Status, res.Body)
	}
	var rep struct {
		Total       map[string]int
		ByRequester []map[string]any `json:"by_requester"`
		ByPair      []map[string]any `json:"by_pair"`
		ByPost      []map[string]any `json:"by_post"`
		Note        *string
	}
	res.JSON(t, &rep)
	if rep.Total["attempts"] != 5 || rep.Total["outside_allowed"] != 4 || rep.Total["exceptions"] != 1 {
		t.Errorf("total: %v", rep.Total)
	}
	top := rep.ByPair[0]
	if top["requester"] != "S1" || top["person"] != "E1" || top["attempts"] != 4.0 || top["outside_allowed"] != 3.0 || top["flagged"] != true {
		t.Errorf("S1→E1: %v", top)
	}
	if len(rep.ByPair) != 2 || rep.ByPair[1]["flagged"] != false || rep.ByRequester[0]["flagged"] != true {
		t.Errorf("pairs and requesters: %v %v", rep.ByPair, rep.ByRequester)
	}
	if len(rep.ByPost) != 1 || rep.ByPost[0]["post"] != "BOG" || rep.ByPost[0]["attempts"] != 5.0 {
		t.Errorf("posts: %v", rep.ByPost)
	}
	if rep.Note == nil || !strings.Contains(*rep.Note, "Ley 1010") {
		t.Errorf("note: %v", rep.Note)
	}
	// December: one routine contact in hours, nothing flagged, no note.
	res = f.do(req{Method: "GET", Path: "/v1/reports/contacts?month=2026-12"})
	if m := res.Map(t); m["note"] != nil || m["total"].(map[string]any)["attempts"] != 1.0 {
		t.Errorf("December: %s", res.Body)
	}
	// CSV: CRLF rows, the pair flagged.
	res = f.do(req{Method: "GET", Path: "/v1/reports/contacts?month=2026-11&format=csv"})
	body := string(res.Body)
	if res.Status != 200 || !strings.HasPrefix(body, "scope,requester,person,post,attempts,outside_allowed,exceptions,flagged\r\n") ||
		!strings.Contains(body, "pair,S1,E1,,4,3,0,true\r\n") {
		t.Errorf("CSV: %d %q", res.Status, body)
	}
	if res := f.do(req{Method: "GET", Path: "/v1/reports/contacts?month=2026-11", Token: f.sup}); res.Status != 403 {
		t.Errorf("supervisor reading the report: %d", res.Status)
	}
}

func TestReportCSVCellsCannotBeFormulas(t *testing.T) {
	for in, want := range map[string]string{"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "E1": "E1"} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHeldContactWithinTheDisclosureHorizon: a contact held for someone on
// a month's leave does not tell a system or supervisor key when it will be
// delivered (the return date), but hr sees it; the contact is held all the
// same.
func TestHeldContactWithinTheDisclosureHorizon(t *testing.T) {
	f := newContactFixture(t, "2026-11-26T10:00:00-05:00")
	f.mustCreate("/v1/people/E1/leaves", map[string]any{"kind": "sick_leave", "external_ref": "L-E1", "start_date": "2026-11-26", "end_date": "2026-12-31"})
	hr := f.createKey(map[string]any{"name": "Talento Humano", "role": "hr"}).Token
	for _, c := range []struct {
		who, token string
		hidden     bool
	}{{"system", f.sys, true}, {"supervisor", f.sup, true}, {"hr", hr, false}} {
		body := map[string]any{"person": "E1", "deliver": map[string]any{"webhook": f.webhook}}
		if c.who != "supervisor" {
			body["requester"] = "S1"
		}
		res := f.contact(c.token, "", body)
		m := res.Map(t)
		if res.Status != 201 || m["status"] != "held" {
			t.Fatalf("%s: %d %s", c.who, res.Status, res.Body)
		}
		if got := m["deliver_at"] == nil && m["disclosure_horizon_reached"] == true && m["ask_again_at"] == "2026-12-10T15:00:00Z"; got != c.hidden {
			t.Errorf("%s: deliver_at %v, disclosure_horizon_reached %v, ask_again_at %v; want hidden %v", c.who, m["deliver_at"], m["disclosure_horizon_reached"], m["ask_again_at"], c.hidden)
		}
		if !c.hidden && m["deliver_at"] != "2027-01-04T13:00:00Z" {
			t.Errorf("hr: deliver_at %v, want the first working morning after the leave", m["deliver_at"])
		}
		// Read back, the same.
		got := f.mustDo(t, req{Method: "GET", Path: "/v1/contacts/" + strconv.Itoa(int(m["id"].(float64))), Token: c.token}, 200).Map(t)
		if (got["deliver_at"] == nil) != c.hidden || (got["next_allowed_at"] == nil) != c.hidden {
			t.Errorf("%s: read back deliver_at %v next_allowed_at %v, want hidden %v", c.who, got["deliver_at"], got["next_allowed_at"], c.hidden)
		}
	}
}
