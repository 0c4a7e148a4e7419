package api

import (
	"encoding/csv"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// urgentAfterHours asks, as requester, to reach S1 (dirección, confianza y
// manejo) after hours: let through by the exception, so audited.
func (h *harness) urgentAfterHours(requester, why string) map[string]any {
	h.t.Helper()
	_, m := h.ask("", "S1", "2026-11-26T21:00:00-05:00", "purpose", "urgent", "requester", requester, "justification", why)
	if m["audit_id"] == nil {
		h.t.Fatalf("not audited: %v", m)
	}
	return m
}

func TestAuditLogListsExceptionContacts(t *testing.T) {
	h := decisionFixture(t)
	h.urgentAfterHours("E1", "Falla del sistema de visas en el consulado")
	h.urgentAfterHours("E2", "Emergencia consular: connacional detenido")
	// A routine contact is not an exception: nothing is written.
	h.ask("", "E1", "2026-11-26T10:00:00-05:00")

	res := h.do(req{Method: "GET", Path: "/v1/audit/exceptions"})
	items := res.Map(t)["items"].([]any)
	if res.Status != 200 || len(items) != 2 {
		t.Fatalf("audit log: %d %s", res.Status, res.Body)
	}
	first := items[0].(map[string]any)
	for k, want := range map[string]any{"requester": "E1", "person": "S1", "post": "BOG", "purpose": "urgent", "channel": "email",
		"justification": "Falla del sistema de visas en el consulado", "at": "2026-11-27T02:00:00Z", "decision": "allow"} {
		if first[k] != want {
			t.Errorf("%s = %v, want %v", k, first[k], want)
		}
	}
	res = h.do(req{Method: "GET", Path: "/v1/audit/exceptions?" + url.Values{"requester": {"E2"}}.Encode()})
	if items := res.Map(t)["items"].([]any); len(items) != 1 {
		t.Errorf("filtered by requester: %d rows", len(items))
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	res = h.do(req{Method: "GET", Path: "/v1/audit/exceptions?from=" + future})
	if items := res.Map(t)["items"].([]any); len(items) != 0 {
		t.Errorf("asked from an hour ahead: %d rows", len(items))
	}
	// Pages of one walk both rows.
	res = h.do(req{Method: "GET", Path: "/v1/audit/exceptions?limit=1"})
	m := res.Map(t)
	next, _ := m["next_cursor"].(string)
	res = h.do(req{Method: "GET", Path: "/v1/audit/exceptions?limit=1&cursor=" + next})
	second := res.Map(t)["items"].([]any)
	if next == "" || len(second) != 1 || second[0].(map[string]any)["requester"] != "E2" {
		t.Errorf("second page: %s", res.Body)
	}
}

func TestAuditLogAsCSV(t *testing.T) {
	h := decisionFixture(t)
	h.urgentAfterHours("E1", "=HYPERLINK(\"http://evil\") needs escaping")
	res := h.do(req{Method: "GET", Path: "/v1/audit/exceptions?format=csv"})
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "id" || rows[1][3] != "E1" {
		t.Fatalf("CSV rows %v (%v)", rows, err)
	}
	if lines := strings.SplitAfter(string(res.Body), "\n"); len(lines) != 3 || !strings.HasSuffix(lines[0], "\r\n") || !strings.HasSuffix(lines[1], "\r\n") {
		t.Errorf("CSV lines must end with CRLF (RFC 4180): %q", res.Body)
	}
	if !strings.HasPrefix(rows[1][11], "'=") {
		t.Errorf("a justification starting with = reaches a spreadsheet as a formula: %q", rows[1][11])
	}
}

func TestExceptionReportFlagsPersistentRequesters(t *testing.T) {
	h := decisionFixture(t)
	h2 := *h
	h2.handler = New(Config{AdminToken: testAdminToken, Store: h.store, View: h.view, AuditThreshold: 2, Logger: discardLogger()})
	for i := 0; i < 3; i++ {
		h2.urgentAfterHours("E1", "Seguimiento urgente del caso consular")
	}
	h2.urgentAfterHours("E2", "Emergencia consular: connacional detenido")
	month := time.Now().In(mustZone(t, "America/Bogota")).Format("2006-01")
	res := h2.do(req{Method: "GET", Path: "/v1/reports/exceptions?month=" + month})
	if res.Status != 200 {
		t.Fatalf("report: %d %s", res.Status, res.Body)
	}
	m := res.Map(t)
	byReq := m["by_requester"].([]any)
	top, second := byReq[0].(map[string]any), byReq[1].(map[string]any)
	if m["total"] != 4.0 || top["requester"] != "E1" || top["count"] != 3.0 || top["flagged"] != true || second["flagged"] != false {
		t.Errorf("report: %s", res.Body)
	}
	if note, _ := m["note"].(string); !strings.Contains(note, "threshold") {
		t.Errorf("a report that flags someone has no note saying why: %v", m["note"])
	}
	if bp := m["by_post"].([]any); len(bp) != 1 || bp[0].(map[string]any)["post"] != "BOG" {
		t.Errorf("by post: %v", bp)
	}
	quiet := h.do(req{Method: "GET", Path: "/v1/reports/exceptions?month=" + month}) // threshold 10: nobody flagged
	if m := quiet.Map(t); m["note"] != nil {
		t.Errorf("a report that flags nobody says %q", m["note"])
	}
	if res := h2.do(req{Method: "GET", Path: "/v1/reports/exceptions?month=2026-13", SkipSpec: true}); res.Status != 400 {
		t.Errorf("month=2026-13: %d", res.Status)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestReadingLeaveIsLogged(t *testing.T) {
	h := decisionFixture(t)
	count := func() int {
		var n int
		_ = h.store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM access_log WHERE what = 'leave_kind' AND person = 'L1'`).Scan(&n)
		return n
	}
	before := count()
	res := h.do(req{Method: "GET", Path: "/v1/people/L1/leaves"})
	items := res.Map(t)["items"].([]any)
	if res.Status != 200 || len(items) == 0 || count() != before+1 {
		t.Fatalf("listing L1's leave: %d, %d access rows (before %d)", res.Status, count(), before)
	}
	id := jsonID(items[0].(map[string]any)["id"])
	if res := h.do(req{Method: "GET", Path: "/v1/people/L1/leaves/" + id}); res.Status != 200 || count() != before+2 {
		t.Fatalf("reading one leave: %d, %d access rows", res.Status, count())
	}
}

func jsonID(v any) string { return strconv.FormatInt(int64(v.(float64)), 10) }
