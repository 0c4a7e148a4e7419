package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestClientRequestIDIsNotEvidence (issue 17, finding 6): a caller's
// X-Request-Id never becomes the request id of an audit record or an
// access-log row; it is kept in client_request_id, and every CSV cell is
// escaped for spreadsheets (a request id "-10-20" computed as -30). The
// hash chains still verify, rows written before and after the column.
func TestClientRequestIDIsNotEvidence(t *testing.T) {
	h := newHarness(t)
	impResult(t, impSend(h, "posts", "text/csv", impPostsCSV, ""))
	impResult(t, impSend(h, "people", "text/csv", impPeopleCSV, ""))
	check := map[string]any{"checks": []map[string]any{{"person": "E2", "at": "2026-03-08T12:00:00+09:00", "channel": "phone",
		"purpose": "force_majeure", "requester": "E1", "justification": "=HYPERLINK(\"x\")"}}}
	send := func(clientID string) *response {
		res := h.do(req{Method: http.MethodPost, Path: "/v1/contact-checks", Body: check, Header: map[string]string{"X-Request-Id": clientID}})
		if res.Status != http.StatusOK {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
		return res
	}
	first, second := send("-10-20"), send("-10-20") // the same client id twice
	if first.Header.Get("X-Request-Id") == second.Header.Get("X-Request-Id") {
		t.Errorf("two requests share the request id %q", first.Header.Get("X-Request-Id"))
	}
	res := h.do(req{Method: http.MethodGet, Path: "/v1/audit/exceptions?format=csv", Header: map[string]string{"X-Request-Id": "-10-20"}})
	rows, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("CSV: %v, %d rows: %s", err, len(rows), res.Body)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	serverID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, row := range rows[1:] {
		if id := row[col["request_id"]]; !serverID.MatchString(id) {
			t.Errorf("request_id %q: want the server's", id)
		}
		if c := row[col["client_request_id"]]; c != "'-10-20" {
			t.Errorf("client_request_id cell %q, want '-10-20 (escaped)", c)
		}
		if j := row[col["justification"]]; !strings.HasPrefix(j, "'=") {
			t.Errorf("justification cell %q, want escaped", j)
		}
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s: %q would be a formula", rows[0][i], cell)
			}
		}
	}
	var logged int
	if err := h.store.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM access_log WHERE client_request_id = '-10-20' AND request_id ~ '^[0-9a-f]{32}$'`).Scan(&logged); err != nil || logged == 0 {
		t.Errorf("access log of the audit read: %d rows with the client id apart (%v)", logged, err)
	}
	reports, err := h.store.VerifyChains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if len(r.Problems) > 0 {
			t.Errorf("chain %s: %v", r.Table, r.Problems)
		}
	}
}
