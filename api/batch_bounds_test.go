package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Issue 17, findings 4 and 5: batch items are not free.

// checksBody is a batch of n copies of item.
func checksBody(n int, item map[string]any) map[string]any {
	checks := make([]map[string]any, n)
	for i := range checks {
		checks[i] = item
	}
	return map[string]any{"checks": checks}
}

// TestBatchItemsCountAgainstRateLimit: each check of a batch is one
// request against the key's limit; a batch larger than the whole limit is
// a 422 naming the largest batch, one larger than what is left is a 429
// with Retry-After.
func TestBatchItemsCountAgainstRateLimit(t *testing.T) {
	h, _ := newKeyHarness(t, KeyAuthOptions{}, Config{RateLimits: map[Role]int{RoleSystem: 50}, RateWindow: time.Minute})
	impResult(t, impSend(h, "posts", "text/csv", impPostsCSV, ""))
	impResult(t, impSend(h, "people", "text/csv", impPeopleCSV, ""))
	sys := h.createKey(map[string]any{"name": "notifier", "role": "system"})
	item := map[string]any{"person": "E1", "at": "2026-03-04T10:00:00-05:00"}
	send := func(n int) *response {
		return h.do(req{Method: http.MethodPost, Path: "/v1/contact-checks", Token: sys.Token, Body: checksBody(n, item)})
	}
	res := send(51)
	if p := impProblem(t, res, http.StatusUnprocessableEntity); len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, "at most 50 checks") {
		t.Errorf("a batch above the whole limit: %s", res.Body)
	}
	if res := send(30); res.Status != http.StatusOK {
		t.Fatalf("30 of 50: %d %s", res.Status, res.Body)
	}
	res = send(30) // 30 counted, 20 left
	if p := impProblem(t, res, http.StatusTooManyRequests); p.Code != "rate_limited" || res.Header.Get("Retry-After") == "" {
		t.Errorf("30 more: code %s, Retry-After %q", p.Code, res.Header.Get("Retry-After"))
	}
	if res := send(15); res.Status != http.StatusOK {
		t.Errorf("15 of the 19 left: %d %s", res.Status, res.Body)
	}
}

// TestBatchExceptionsBounded: a batch may let at most MaxBatchExceptions
// checks through by exception; more is a 422 and no audit row. Before, a
// system key's two batches wrote 18,632 audit rows naming one requester.
func TestBatchExceptionsBounded(t *testing.T) {
	h := newHarness(t)
	impResult(t, impSend(h, "posts", "text/csv", impPostsCSV, ""))
	impResult(t, impSend(h, "people", "text/csv", impPeopleCSV, ""))
	// Sunday noon in Tokyo, E2's zone: only force majeure lets a call through.
	item := map[string]any{"person": "E2", "at": "2026-03-08T12:00:00+09:00", "channel": "phone",
		"purpose": "force_majeure", "requester": "E1", "justification": "inundación en la sede"}
	audit := func() int { return impCount(t, h, "audit_exceptions") }
	res := h.do(req{Method: http.MethodPost, Path: "/v1/contact-checks", Body: checksBody(MaxBatchExceptions, item)})
	if res.Status != http.StatusOK || audit() != MaxBatchExceptions {
		t.Fatalf("%d exceptions: status %d, %d audit rows; want 200 and %d: %.300s", MaxBatchExceptions, res.Status, audit(), MaxBatchExceptions, res.Body)
	}
	res = h.do(req{Method: http.MethodPost, Path: "/v1/contact-checks", Body: checksBody(MaxBatchExceptions+1, item)})
	if p := impProblem(t, res, http.StatusUnprocessableEntity); !strings.Contains(p.Errors[0].Message, "at most 100") {
		t.Errorf("message %q", p.Errors[0].Message)
	}
	if n := audit(); n != MaxBatchExceptions {
		t.Errorf("%d audit rows after the refused batch; want %d (nothing recorded)", n, MaxBatchExceptions)
	}
}

// TestBatchAccessLogOneStatement: an hr batch of 500 checks about people on
// leave logs its 500 accesses in one statement (one transaction: one
// xmin), not 500 sequential inserts.
func TestBatchAccessLogOneStatement(t *testing.T) {
	h := newHarness(t)
	impResult(t, impSend(h, "posts", "text/csv", impPostsCSV, ""))
	impResult(t, impSend(h, "people", "text/csv", impPeopleCSV, ""))
	impResult(t, impSend(h, "leaves", "text/csv", impLeavesCSV, ""))
	item := map[string]any{"person": "E1", "at": "2026-03-04T10:00:00-05:00"}
	res := h.do(req{Method: http.MethodPost, Path: "/v1/contact-checks", Body: checksBody(500, item)})
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "vacation") {
		t.Fatalf("status %d: %.300s", res.Status, res.Body)
	}
	var rows, transactions int
	err := h.store.Pool().QueryRow(context.Background(),
		`SELECT count(*), count(DISTINCT xmin::text) FROM access_log WHERE what = 'leave_kind' AND person = 'E1'`).Scan(&rows, &transactions)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 500 || transactions != 1 {
		t.Errorf("%d access-log rows in %d transactions; want 500 in 1", rows, transactions)
	}
}
