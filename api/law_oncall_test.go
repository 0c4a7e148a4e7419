package api

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// onCallFixture adds the Miami consulate's rota: G1 keeps the line over
// the weekend of 27–30 November 2026 and from 7 to 15 December (backup G2
// both times), while G2 is on vacation 7–13 December and G1 14–20
// December; G2 keeps it over Christmas (backup G3), imported from CSV.
func onCallFixture(t *testing.T) *lawFixture {
	f := newLawFixture(t)
	hr := f.as("hr")
	f.mustDo(t, req{Method: "POST", Path: "/v1/posts/CON-MIAMI/on-call-turns", Token: hr, Body: map[string]any{
		"person": "G1", "backup": "G2", "starts_at": "2026-11-27T17:00:00-05:00", "ends_at": "2026-11-30T08:30:00-05:00", "external_ref": "GUARDIA-MIA-48"}}, 201)
	f.mustDo(t, req{Method: "POST", Path: "/v1/posts/CON-MIAMI/on-call-turns", Token: hr, Body: map[string]any{
		"person": "G1", "backup": "G2", "starts_at": "2026-12-07T16:30:00-05:00", "ends_at": "2026-12-15T08:30:00-05:00", "external_ref": "GUARDIA-MIA-50"}}, 201)
	csv := "post,person,backup,starts_at,ends_at,external_ref\nCON-MIAMI,G2,G3,2026-12-24T16:30:00-05:00,2026-12-26T08:30:00-05:00,GUARDIA-MIA-52\n"
	res := f.do(req{Method: "POST", Path: "/v1/imports/on-call-turns", Token: hr, Body: csv, ContentType: "text/csv"})
	if res.Status != 200 || res.Map(t)["created"] != float64(1) {
		t.Fatalf("importing the Christmas turn: %d %s", res.Status, res.Body)
	}
	return f
}

// TestOnCallTable: during a turn its person may be reached for urgent
// matters outside working hours, holidays included, and each such contact
// is audited; its backup likewise while the person is on leave; outside a
// turn, or for routine work, nothing changes.
func TestOnCallTable(t *testing.T) {
	f := onCallFixture(t)
	urgent := url.Values{"purpose": {"urgent"}, "channel": {"phone"}, "requester": {"G3"}, "justification": {"Connacional detenido esta noche"}}
	cases := []struct {
		name, person, at string
		routine          bool
		decision, code   string
		onCall           bool
	}{
		{"the turn's person, Saturday 03:00", "G1", "2026-11-28T03:00:00-05:00", false, "allow", "exception_applied", true},
		{"the same hour for routine work", "G1", "2026-11-28T03:00:00-05:00", true, "deny", "rest_day", false},
		{"the same person outside any turn", "G1", "2026-12-02T22:00:00-05:00", false, "deny", "exception_not_applicable", false},
		{"the backup while the person is there", "G2", "2026-11-28T03:00:00-05:00", false, "deny", "exception_not_applicable", false},
		{"the person on vacation is not reached", "G1", "2026-12-14T22:00:00-05:00", false, "deny", "on_leave", false},
		{"their backup is, instead", "G2", "2026-12-14T22:00:00-05:00", false, "allow", "exception_applied", true},
		{"the backup on vacation is not reached either", "G2", "2026-12-09T22:00:00-05:00", false, "deny", "on_leave", false},
		{"the person, back from the backup's vacation week", "G1", "2026-12-09T22:00:00-05:00", false, "allow", "exception_applied", true},
		{"Christmas Day, on call: holidays included", "G2", "2026-12-25T12:00:00-05:00", false, "allow", "exception_applied", true},
	}
	audited := 0
	for _, lang := range langs {
		for _, c := range cases {
			q := url.Values{"at": {c.at}}
			if c.routine {
				q.Set("channel", "phone")
			} else {
				for k, v := range urgent {
					q[k] = v
				}
			}
			name := lang + ": " + c.name
			status, m := f.askIn(lang, "system", c.person, q)
			r := reason(m, c.code)
			if status != 200 || m["decision"] != c.decision || r == nil {
				t.Errorf("%s: %d %v %v, want %s with %s", name, status, m["decision"], reasonCodes(m), c.decision, c.code)
				continue
			}
			if c.onCall != (r["ground"] == "on_call") || c.onCall != (m["audit_id"] != nil) {
				t.Errorf("%s: ground %v, audit %v; on call %v", name, r["ground"], m["audit_id"], c.onCall)
			}
			if c.onCall {
				audited++
				mustContain(t, name, str(r["message"]), inLang(lang, "está de turno de disponibilidad en su sede", "on an on-call turn at their post"))
				if r["legal_basis"] != "Ley 2191 de 2022, art. 6, lit. b" {
					t.Errorf("%s: legal basis %v", name, r["legal_basis"])
				}
			}
		}
	}
	var rows, onCall int
	_ = f.store.Pool().QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE exception = 'on_call') FROM audit_exceptions`).Scan(&rows, &onCall)
	if rows != audited || onCall != audited {
		t.Errorf("audit_exceptions: %d rows, %d marked on_call; %d contacts let through by a turn", rows, onCall, audited)
	}
}

// TestWhoIsOnCall: GET /v1/posts/{code}/on-call names the turn and who
// keeps the line (the backup while the person is away), with their answer
// for an urgent phone call; audited only when it is asked as that call.
func TestWhoIsOnCall(t *testing.T) {
	f := onCallFixture(t)
	cases := []struct {
		name, role, at, extra string
		status                int
		person, role2         string
		primaryAway, audited  bool
	}{
		{"Saturday night: the turn's person", "system", "2026-11-28T03:00:00-05:00", "", 200, "G1", "primary", false, false},
		{"the person on vacation: the backup", "system", "2026-12-14T22:00:00-05:00", "", 200, "G2", "backup", true, false},
		{"no turn: nobody", "system", "2026-12-02T22:00:00-05:00", "", 200, "", "", false, false},
		{"asked as the call itself: audited", "system", "2026-11-28T03:00:00-05:00", "&requester=G3&justification=Connacional+detenido+esta+noche", 200, "G1", "primary", false, true},
		{"hr may ask", "hr", "2026-12-25T12:00:00-05:00", "", 200, "G2", "primary", false, false},
		{"a supervisor, for their line", "supervisor:G3", "2026-11-28T03:00:00-05:00", "", 200, "G1", "primary", false, false},
		{"a supervisor, about someone outside it", "supervisor:G3", "2026-12-14T22:00:00-05:00", "", 403, "", "", false, false},
		{"a supervisor of another post's people", "supervisor:S1", "2026-11-28T03:00:00-05:00", "", 403, "", "", false, false},
		{"half an audit is refused", "system", "2026-11-28T03:00:00-05:00", "&requester=G3", 422, "", "", false, false},
	}
	for _, lang := range langs {
		hdr := map[string]string{"Accept-Language": lang} // the harness asks for English unless told
		for _, c := range cases {
			name := lang + ": " + c.name
			res := f.do(req{Method: "GET", Path: "/v1/posts/CON-MIAMI/on-call?at=" + url.QueryEscape(c.at) + c.extra, Token: f.as(c.role), Header: hdr})
			if res.Status != c.status {
				t.Errorf("%s: %d %s, want %d", name, res.Status, res.Body, c.status)
				continue
			}
			if c.status != 200 {
				continue
			}
			m := res.Map(t)
			oc, _ := m["on_call"].(map[string]any)
			switch {
			case c.person == "" && (oc != nil || m["turn"] != nil):
				t.Errorf("%s: %v", name, m)
			case c.person == "":
			case oc == nil || oc["person"] != c.person || oc["role"] != c.role2 || m["primary_away"] != c.primaryAway || m["audited"] != c.audited:
				t.Errorf("%s: %v, want %s as %s (away %v, audited %v)", name, m, c.person, c.role2, c.primaryAway, c.audited)
			default:
				d := oc["decision"].(map[string]any)
				r := reason(d, "exception_applied")
				if d["decision"] != "allow" || r == nil || r["ground"] != "on_call" || (d["audit_id"] != nil) != c.audited {
					t.Errorf("%s: decision %v", name, d)
				} else {
					mustContain(t, name, str(r["message"]), inLang(lang, "está de turno", "on-call turn"))
				}
			}
		}
	}
	var rows int
	_ = f.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM audit_exceptions WHERE exception = 'on_call'`).Scan(&rows)
	if rows != 2 { // the audited case, in each language
		t.Errorf("audit rows %d, want 2: looking up who is on call is not a contact", rows)
	}
	if res := f.do(req{Method: "GET", Path: "/v1/posts/NOWHERE/on-call", Token: f.as("system")}); res.Status != 404 {
		t.Errorf("unknown post: %d", res.Status)
	}
}

// TestOnCallTurnsCRUD: hr keeps the rota; a supervisor reads their line's
// turns; turns of a post never overlap; bad turns say what to fix; the
// CSV import reports every bad row and writes nothing.
func TestOnCallTurnsCRUD(t *testing.T) {
	f := onCallFixture(t)
	hr := f.as("hr")
	turn := func(body map[string]any) map[string]any {
		out := map[string]any{"person": "G1", "backup": "G2", "starts_at": "2027-01-08T17:00:00-05:00", "ends_at": "2027-01-11T08:30:00-05:00"}
		for k, v := range body {
			out[k] = v
		}
		return out
	}
	for _, lang := range langs {
		hdr := map[string]string{"Accept-Language": lang} // the harness asks for English unless told
		for _, c := range []struct {
			name   string
			token  string
			path   string
			body   map[string]any
			status int
			detail [2]string // Spanish, English
		}{
			{"overlapping another turn", hr, "CON-MIAMI", turn(map[string]any{"starts_at": "2026-11-29T12:00:00-05:00", "ends_at": "2026-11-30T12:00:00-05:00"}), 409, [2]string{"se superpone al turno", "overlaps turn"}},
			{"an unknown person", hr, "CON-MIAMI", turn(map[string]any{"person": "NOBODY"}), 422, [2]string{`ninguna persona tiene el external_id "NOBODY"`, `no person has the external_id "NOBODY"`}},
			{"backing up oneself", hr, "CON-MIAMI", turn(map[string]any{"backup": "G1"}), 422, [2]string{"alguien distinto de la persona de turno", "someone other than the person on call"}},
			{"ending before it starts", hr, "CON-MIAMI", turn(map[string]any{"ends_at": "2027-01-08T16:00:00-05:00"}), 422, [2]string{"debe ser posterior a starts_at", "must be after starts_at"}},
			{"longer than 31 days", hr, "CON-MIAMI", turn(map[string]any{"ends_at": "2027-03-01T08:30:00-05:00"}), 422, [2]string{"como máximo 31 días", "at most 31 days"}},
			{"an instant without offset", hr, "CON-MIAMI", turn(map[string]any{"starts_at": "2027-01-08T17:00:00"}), 422, [2]string{"RFC 3339", "RFC 3339"}},
			{"an unknown post", hr, "NOWHERE", turn(nil), 404, [2]string{`no se encontró el puesto "NOWHERE"`, `post "NOWHERE" not found`}},
			{"a system key", f.as("system"), "CON-MIAMI", turn(nil), 403, [2]string{}},
			{"a supervisor key", f.as("supervisor:G3"), "CON-MIAMI", turn(nil), 403, [2]string{}},
		} {
			res := f.do(req{Method: "POST", Path: "/v1/posts/" + c.path + "/on-call-turns", Token: c.token, Body: c.body, Header: hdr, SkipSpec: c.status == 422})
			p := res.Map(t)
			text := str(p["detail"])
			for _, e := range asList(p["errors"]) {
				text += " " + str(e.(map[string]any)["message"])
			}
			if res.Status != c.status || !strings.Contains(text, inLang(lang, c.detail[0], c.detail[1])) || p["title"] == nil {
				t.Errorf("%s: %s: %d %s, want %d saying %q", lang, c.name, res.Status, res.Body, c.status, inLang(lang, c.detail[0], c.detail[1]))
			}
		}
	}
	// Re-sending a turn's external_ref updates it, never duplicates it.
	created := f.mustDo(t, req{Method: "POST", Path: "/v1/posts/CON-MIAMI/on-call-turns", Token: hr, Body: turn(map[string]any{"external_ref": "GUARDIA-MIA-02"})}, 201)
	f.mustDo(t, req{Method: "POST", Path: "/v1/posts/CON-MIAMI/on-call-turns", Token: hr, Body: turn(map[string]any{"external_ref": "GUARDIA-MIA-02"})}, 200)
	moved := f.mustDo(t, req{Method: "POST", Path: "/v1/posts/CON-MIAMI/on-call-turns", Token: hr, Body: turn(map[string]any{"external_ref": "GUARDIA-MIA-02", "person": "G3"})}, 200).Map(t)
	if moved["person"] != "G3" || moved["id"] != created.Map(t)["id"] || moved["local_starts_at"] != "2027-01-08T17:00:00-05:00" {
		t.Errorf("re-sent turn: %v", moved)
	}
	list := func(token string) []string {
		m := f.mustDo(t, req{Method: "GET", Path: "/v1/posts/CON-MIAMI/on-call-turns?from=2026-11-01T00:00:00Z&to=2027-02-01T00:00:00Z", Token: token}, 200).Map(t)
		var refs []string
		for _, it := range m["items"].([]any) {
			refs = append(refs, str(it.(map[string]any)["external_ref"]))
		}
		return refs
	}
	if got := list(hr); !slices.Equal(got, []string{"GUARDIA-MIA-48", "GUARDIA-MIA-50", "GUARDIA-MIA-52", "GUARDIA-MIA-02"}) {
		t.Errorf("hr's list: %v", got)
	}
	// G3 supervises G1, and backs up (and now keeps) turns themself.
	if got := list(f.as("supervisor:G3")); !slices.Equal(got, []string{"GUARDIA-MIA-48", "GUARDIA-MIA-50", "GUARDIA-MIA-52", "GUARDIA-MIA-02"}) {
		t.Errorf("G3's list: %v", got)
	}
	if got := list(f.as("supervisor:S1")); len(got) != 0 {
		t.Errorf("S1 sees another line's turns: %v", got)
	}
	// Deleting a turn reaches the decisions at once.
	id := int(moved["id"].(float64))
	f.mustDo(t, req{Method: "DELETE", Path: "/v1/posts/CON-MIAMI/on-call-turns/" + strconv.Itoa(id), Token: hr}, 204)
	m := f.mustDo(t, req{Method: "GET", Path: "/v1/posts/CON-MIAMI/on-call?at=2027-01-09T03:00:00-05:00", Token: f.as("system")}, 200).Map(t)
	if m["turn"] != nil {
		t.Errorf("the deleted turn still answers: %v", m)
	}
	f.mustDo(t, req{Method: "DELETE", Path: "/v1/posts/CON-MIAMI/on-call-turns/" + strconv.Itoa(id), Token: hr}, 404)
	// The import reports every bad row, and writes nothing.
	bad := "post,person,backup,starts_at,ends_at,external_ref\n" +
		"CON-MIAMI,G1,G2,2027-02-05T17:00:00-05:00,2027-02-08T08:30:00-05:00,GUARDIA-MIA-06\n" +
		"CON-MIAMI,G2,,2027-02-07T17:00:00-05:00,2027-02-09T08:30:00-05:00,GUARDIA-MIA-07\n" +
		"CON-MIAMI,NOBODY,,2027-02-12T17:00:00-05:00,2027-02-15T08:30:00-05:00,GUARDIA-MIA-08\n" +
		"CON-MIAMI,G1,G1,2027-02-19T17:00:00-05:00,2027-02-22T08:30:00-05:00,GUARDIA-MIA-09\n" +
		"CON-MIAMI,G3,,2026-11-28T00:00:00-05:00,2026-11-29T00:00:00-05:00,GUARDIA-MIA-10\n"
	res := f.do(req{Method: "POST", Path: "/v1/imports/on-call-turns", Token: hr, Body: bad, ContentType: "text/csv"})
	lines := map[float64]string{}
	for _, e := range asList(res.Map(t)["errors"]) {
		e := e.(map[string]any)
		lines[e["line"].(float64)] += str(e["message"])
	}
	if res.Status != 422 || len(lines) != 4 || !strings.Contains(lines[3], "overlaps line 2") || !strings.Contains(lines[4], "NOBODY") ||
		!strings.Contains(lines[5], "someone other") || !strings.Contains(lines[6], "overlaps turn") {
		t.Errorf("bad import: %d %v", res.Status, lines)
	}
	if got := list(hr); len(got) != 3 {
		t.Errorf("a refused import wrote: %v", got)
	}
	good := "post,person,backup,starts_at,ends_at,external_ref\nCON-MIAMI,G1,G2,2027-02-05T17:00:00-05:00,2027-02-08T08:30:00-05:00,GUARDIA-MIA-06\n"
	dry := f.do(req{Method: "POST", Path: "/v1/imports/on-call-turns?dry_run=true", Token: hr, Body: good, ContentType: "text/csv"})
	if dry.Status != 200 || !strings.Contains(string(dry.Body), `"created":1`) || len(list(hr)) != 3 {
		t.Errorf("dry run: %d %s, %d turns", dry.Status, dry.Body, len(list(hr)))
	}
	for _, want := range []string{`"created":1`, `"unchanged":1`} {
		res := f.do(req{Method: "POST", Path: "/v1/imports/on-call-turns", Token: hr, Body: good, ContentType: "text/csv"})
		if res.Status != 200 || !strings.Contains(string(res.Body), want) {
			t.Errorf("import: %d %s, want %s", res.Status, res.Body, want)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
