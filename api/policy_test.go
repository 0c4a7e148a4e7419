package api

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestPolicyTable walks every channel × purpose × situation × exception
// category and checks decision, reason codes, next_allowed_at and the
// delegate; then that the audit log holds exactly the contacts an exception
// let through.
func TestPolicyTable(t *testing.T) {
	h := decisionFixture(t)
	situations := []struct {
		name, at, class string
	}{
		{"in hours", "2026-11-26T10:00:00-05:00", "in"},
		{"after hours", "2026-11-26T20:00:00-05:00", "out"},
		{"rest day", "2026-11-28T10:00:00-05:00", "out"},
		{"holiday", "2026-12-08T10:00:00-05:00", "out"},
		{"on leave", "2026-12-01T10:00:00-05:00", "leave"},
	}
	// Who is asked about, by exception category; on leave, L1 (delegate E1)
	// and L2 (no delegate) stand in.
	people := map[string]string{"none": "E1", "direccion_confianza_manejo": "S1", "disponibilidad_permanente": "E2"}
	channelClass := map[string]string{"email": "msg", "teams_chat": "msg", "teams_call": "call", "teams_meeting": "call", "phone": "call", "whatsapp": "personal", "sms": "personal"}

	// expect is the rule book, written out: decision and the reason codes
	// that must appear, by purpose / exception / situation / channel class.
	type want struct {
		decision string
		codes    []string
	}
	expect := func(purpose, exc, sit, ch string) want {
		excepted := exc != "none"
		switch {
		case purpose == "routine" && ch == "personal":
			return want{"deny", []string{"personal_channel"}}
		case sit == "in" && ch == "personal":
			return want{"allow", []string{"within_working_hours", "exception_applied"}}
		case sit == "in":
			return want{"allow", []string{"within_working_hours"}}
		case sit == "leave" && ch == "msg":
			return want{"defer", []string{"on_leave"}}
		case sit == "leave":
			return want{"deny", []string{"on_leave"}}
		case purpose == "force_majeure", purpose == "urgent" && excepted:
			return want{"allow", []string{"exception_applied"}}
		case purpose == "urgent" && ch == "msg":
			return want{"defer", []string{"exception_not_applicable"}}
		case purpose == "urgent":
			return want{"deny", []string{"exception_not_applicable"}}
		case ch == "msg":
			return want{"defer", nil}
		default:
			return want{"deny", nil}
		}
	}

	audited := 0
	for _, sit := range situations {
		for exc, who := range people {
			for _, purpose := range []string{"routine", "urgent", "force_majeure"} {
				for ch, class := range channelClass {
					person := who
					if sit.class == "leave" {
						person = "L1"
						if exc != "none" {
							person = "L2"
						}
					}
					params := []string{"channel", ch, "purpose", purpose}
					if purpose != "routine" {
						params = append(params, "requester", "S1", "justification", "Corte del sistema consular en curso")
					}
					name := strings.Join([]string{sit.name, exc, purpose, ch}, "/")
					status, m := h.ask("", person, sit.at, params...)
					if status != 200 {
						t.Errorf("%s: status %d %v", name, status, m)
						continue
					}
					w := expect(purpose, exc, sit.class, class)
					codes := reasonCodes(m)
					if m["decision"] != w.decision {
						t.Errorf("%s: decision %v %v, want %s %v", name, m["decision"], codes, w.decision, w.codes)
						continue
					}
					for _, c := range w.codes {
						if !slices.Contains(codes, c) {
							t.Errorf("%s: reasons %v lack %s", name, codes, c)
						}
					}
					hasNext := m["next_allowed_at"] != nil
					wantNext := w.decision != "allow" && !slices.Contains(codes, "personal_channel")
					if hasNext != wantNext {
						t.Errorf("%s: next_allowed_at %v, want present=%v", name, m["next_allowed_at"], wantNext)
					}
					if slices.Contains(codes, "exception_applied") {
						audited++
						if m["audit_id"] == nil {
							t.Errorf("%s: let through by an exception without an audit_id", name)
						}
					} else if m["audit_id"] != nil {
						t.Errorf("%s: audit_id %v on a contact no exception let through", name, m["audit_id"])
					}
					if sit.class == "leave" && !slices.Contains(codes, "personal_channel") {
						checkDelegate(t, name, person, m)
					}
					// The delegate's answer is audited on the same terms.
					if d, _ := m["delegate"].(map[string]any); d != nil {
						var dcodes []string
						for _, r := range d["reasons"].([]any) {
							dcodes = append(dcodes, r.(map[string]any)["code"].(string))
						}
						if slices.Contains(dcodes, "exception_applied") {
							audited++
							if d["audit_id"] == nil {
								t.Errorf("%s: the delegate is let through by an exception without an audit_id", name)
							}
						} else if d["audit_id"] != nil {
							t.Errorf("%s: delegate audit_id %v with no exception", name, d["audit_id"])
						}
					}
				}
			}
		}
	}
	var rows int
	if err := h.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM audit_exceptions`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != audited || audited == 0 {
		t.Errorf("audit_exceptions holds %d rows; %d contacts were let through by an exception", rows, audited)
	}
}

// checkDelegate: L1's leave names E1 as encargado, with E1's own answer;
// L2's leave names nobody.
func checkDelegate(t *testing.T, name, person string, m map[string]any) {
	t.Helper()
	d, _ := m["delegate"].(map[string]any)
	switch {
	case person == "L1" && (d == nil || d["person"] != "E1" || d["decision"] == nil):
		t.Errorf("%s: delegate %v, want E1 with a decision", name, m["delegate"])
	case person == "L2" && d != nil:
		t.Errorf("%s: delegate %v for a leave without one", name, d)
	}
}

func TestOfficialDocumentsNeverGoOverPersonalChannels(t *testing.T) {
	h := decisionFixture(t)
	for _, purpose := range []string{"routine", "urgent", "force_majeure"} {
		for _, ch := range []string{"whatsapp", "sms"} {
			_, m := h.ask("", "S1", "2026-11-26T10:00:00-05:00", "channel", ch, "purpose", purpose, "official_document", "true",
				"requester", "E1", "justification", "Envío urgente de la resolución firmada")
			if m["decision"] != "deny" || !slices.Contains(reasonCodes(m), "official_document_channel") {
				t.Errorf("%s over %s: %v %v", purpose, ch, m["decision"], reasonCodes(m))
			}
		}
	}
	_, m := h.ask("", "E1", "2026-11-26T10:00:00-05:00", "channel", "email", "official_document", "true")
	if m["decision"] != "allow" {
		t.Errorf("an official document by email in hours: %v", m["decision"])
	}
}

func TestExceptionsNeedRequesterAndJustification(t *testing.T) {
	h := decisionFixture(t)
	for _, q := range []url.Values{
		{"purpose": {"urgent"}},
		{"purpose": {"urgent"}, "requester": {"S1"}},
		{"purpose": {"force_majeure"}, "justification": {"Inundación en la sede"}},
		{"purpose": {"force_majeure"}, "requester": {"NOBODY"}, "justification": {"Inundación en la sede"}},
		{"purpose": {"urgent"}, "requester": {"S1"}, "justification": {"ya"}},
	} {
		res := h.do(req{Method: "GET", Path: "/v1/people/E1/contactability?" + q.Encode()})
		if res.Status != 400 { // query parameters: 400, as everywhere
			t.Errorf("%v: %d, want 400", q, res.Status)
		}
	}
	var rows int
	_ = h.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM audit_exceptions`).Scan(&rows)
	if rows != 0 {
		t.Errorf("refused requests wrote %d audit rows", rows)
	}
}

func TestAuditTableIsAppendOnly(t *testing.T) {
	h := decisionFixture(t)
	_, m := h.ask("", "S1", "2026-11-26T22:00:00-05:00", "purpose", "urgent", "requester", "E1", "justification", "Caída del sistema de pasaportes")
	if m["audit_id"] == nil {
		t.Fatalf("no audit row: %v", m)
	}
	ctx := context.Background()
	for _, q := range []string{
		`UPDATE audit_exceptions SET justification = 'nada'`,
		`DELETE FROM audit_exceptions`,
		`TRUNCATE audit_exceptions`,
	} {
		if _, err := h.store.Pool().Exec(ctx, q); err == nil {
			t.Errorf("%s succeeded on the audit table", q)
		}
	}
	var j string
	if err := h.store.Pool().QueryRow(ctx, `SELECT justification FROM audit_exceptions`).Scan(&j); err != nil || j != "Caída del sistema de pasaportes" {
		t.Errorf("audit row after the attempts: %q %v", j, err)
	}
}

func TestReasonsInBothLanguages(t *testing.T) {
	h := decisionFixture(t)
	msg := func(lang string) map[string]any {
		res := h.do(req{Method: "GET", Path: "/v1/people/E1/contactability?at=2026-12-08T10:00:00-05:00", Header: map[string]string{"Accept-Language": lang}})
		return res.Map(t)["reasons"].([]any)[0].(map[string]any)
	}
	es, en := msg(""), msg("en-GB,en;q=0.9")
	if !strings.Contains(str(es["message"]), "festivo") || !strings.Contains(str(en["message"]), "public holiday") {
		t.Errorf("messages: es %q, en %q", es["message"], en["message"])
	}
	if es["legal_basis"] == "" || !strings.Contains(str(es["message"]), "Inmaculada") {
		t.Errorf("reason lacks a legal basis or the holiday's name: %v", es)
	}
}

func TestLeaveKindsOnlyForHR(t *testing.T) {
	h := decisionFixture(t)
	// As admin (sees kinds): the reason says vacation.
	_, m := h.ask("", "L1", "2026-12-01T10:00:00-05:00")
	r := m["reasons"].([]any)[0].(map[string]any)
	if r["leave_kind"] != "vacation" {
		t.Errorf("admin sees leave kind %v, want vacation", r["leave_kind"])
	}
	// Access to the kind is itself logged.
	var n int
	_ = h.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM access_log WHERE what = 'leave_kind' AND person = 'L1'`).Scan(&n)
	if n == 0 {
		t.Error("seeing a leave kind left no access_log row")
	}
}
