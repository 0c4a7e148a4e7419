package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDisclosureHorizon (issue 17, finding 7): N1's maternity leave runs
// from 1 December 2026 to 30 March 2027 (120 days, a length that names its
// kind). A supervisor or system key asking during it learns that N1 is
// away and, of instants, nothing more than 14 days after what it asked
// about: no next_allowed_at, no slot, no availability, no feed event
// beyond. The answer says so and where to ask again. hr and admin see the
// exact instant.
func TestDisclosureHorizon(t *testing.T) {
	f := newFeedFixture(t)
	h := f.a
	system := h.createKey(map[string]any{"name": "notifier", "role": "system"})
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, f.madrid)
	askAgain := utc(at.Add(DefaultDisclosureHorizon))
	ask := func(token, path string) map[string]any {
		t.Helper()
		res := h.do(req{Method: http.MethodGet, Path: path, Token: token})
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
		}
		return res.Map(t)
	}
	contact := "/v1/people/N1/contactability?at=" + strings.ReplaceAll(local(at, f.madrid), "+", "%2B")
	for name, token := range map[string]string{"supervisor": f.s1.Token, "system": system.Token} {
		m := ask(token, contact)
		if m["decision"] == "allow" || m["next_allowed_at"] != nil || m["disclosure_horizon_reached"] != true || m["ask_again_at"] != askAgain {
			t.Errorf("%s: decision %v, next_allowed_at %v, disclosure_horizon_reached %v, ask_again_at %v; want withheld, ask again at %s",
				name, m["decision"], m["next_allowed_at"], m["disclosure_horizon_reached"], m["ask_again_at"], askAgain)
		}
		if b, _ := json.Marshal(m); strings.Contains(string(b), "maternity") {
			t.Errorf("%s sees the leave kind", name)
		}
	}
	if m := ask("", contact); m["next_allowed_at"] == nil || !strings.HasPrefix(m["next_allowed_at"].(string), "2027-03-3") || m["disclosure_horizon_reached"] != nil {
		t.Errorf("admin: next_allowed_at %v, disclosure %v; want the exact instant after 30 March", m["next_allowed_at"], m["disclosure_horizon_reached"])
	}

	slot := "/v1/people/N1/next-slot?horizon=P180D&after=" + utc(at)
	if m := ask(f.s1.Token, slot); m["start"] != nil || m["disclosure_horizon_reached"] != true || m["ask_again_at"] != askAgain {
		t.Errorf("supervisor next-slot: %v", m)
	}
	if m := ask("", slot); m["start"] == nil || !strings.HasPrefix(m["start"].(string), "2027-03-3") {
		t.Errorf("admin next-slot: start %v", m["start"])
	}

	from := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	avail := "/v1/people/N1/availability?from=" + utc(from) + "&to=" + utc(from.AddDate(0, 0, 90))
	m := ask(f.s1.Token, avail)
	if m["disclosure_horizon_reached"] != true || m["ask_again_at"] != utc(from.Add(DefaultDisclosureHorizon)) {
		t.Errorf("supervisor availability: disclosure %v, ask_again_at %v", m["disclosure_horizon_reached"], m["ask_again_at"])
	}
	for _, iv := range m["intervals"].([]any) {
		if end := iv.(map[string]any)["end"].(string); end > utc(from.Add(DefaultDisclosureHorizon)) {
			t.Errorf("supervisor availability shows an interval ending %s, beyond the horizon", end)
		}
	}
	if m := ask("", avail); len(m["intervals"].([]any)) == 0 || m["disclosure_horizon_reached"] != nil {
		t.Errorf("admin availability: %d intervals, disclosure %v", len(m["intervals"].([]any)), m["disclosure_horizon_reached"])
	}

	// The supervisor's feed of N1 (now is 20 October) ends 14 days ahead,
	// and starts at most 14 days back; an admin's still covers 90 days.
	ends := func(token string) (first, last string) {
		feed := f.createFeed(t, token, map[string]any{"kind": "person", "subject": "N1"})
		res := fetch(f.b, feed["url"].(string), nil)
		_, events := parseGo(t, res.Body)
		first, last = "99999999", ""
		for _, e := range events {
			first, last = min(first, e.Start), max(last, e.End)
		}
		return first, last
	}
	if first, last := ends(f.s1.Token); last > "20261104T" || first < "20261005T22" {
		t.Errorf("supervisor feed spans %s to %s; want within 6 October to 4 November", first, last)
	}
	if _, last := ends(""); last < "20270101" {
		t.Errorf("admin feed ends %s; want 90 days ahead", last)
	}
}
