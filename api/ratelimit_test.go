package api

import (
	"net/http"
	"testing"
	"time"
)

func TestRateLimitPerKey(t *testing.T) {
	// A one-minute window keeps the test clear of window boundaries: httprate
	// slides the window, weighting the previous one by how much of it remains.
	h, _ := newKeyHarness(t, KeyAuthOptions{}, Config{RateLimits: map[Role]int{RoleAdmin: 3, RoleHR: 0}, RateWindow: time.Minute})
	other := h.createKey(map[string]any{"name": "second admin", "role": "admin"}) // request 1 of the bootstrap key
	hr := h.createKey(map[string]any{"name": "hr", "role": "hr"})                 // request 2
	if res := h.do(req{Method: "GET", Path: "/v1/api-keys"}); res.Status != http.StatusOK {
		t.Fatalf("request 3: %d", res.Status)
	}
	res := h.do(req{Method: "GET", Path: "/v1/api-keys"})
	var p Problem
	res.JSON(t, &p)
	if res.Status != http.StatusTooManyRequests || p.Code != "rate_limited" || res.Header.Get("Retry-After") != "60" {
		t.Fatalf("request 4: %d, Retry-After %q, %s; want 429 rate_limited with Retry-After 60", res.Status, res.Header.Get("Retry-After"), res.Body)
	}
	if res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("429 Content-Type = %q", res.Header.Get("Content-Type"))
	}
	// Each key has its own budget; a role given 0 has none.
	if res := h.do(req{Method: "GET", Path: "/v1/api-keys", Token: other.Token}); res.Status != http.StatusOK {
		t.Errorf("another admin key: %d, want 200", res.Status)
	}
	for i := range 10 {
		if status, _ := h.whoamiAs(hr.Token); status != http.StatusOK {
			t.Fatalf("unlimited hr key, request %d: %d", i+1, status)
		}
	}
}

func TestNewRateLimiters(t *testing.T) {
	l := newRateLimiters(map[Role]int{RoleSystem: 5, RoleHR: 0, RoleAdmin: -1}, 0, func(Role) {})
	if len(l) != 1 || l[RoleSystem] == nil {
		t.Errorf("limiters = %v, want one, for system (0 and below are unlimited)", l)
	}
	if got := newRateLimiters(nil, 0, func(Role) {}); len(got) != 0 {
		t.Errorf("nil limits: %v, want none", got)
	}
	for role, n := range DefaultRateLimits {
		if n <= 0 || (role != RoleSystem && n >= DefaultRateLimits[RoleSystem]) {
			t.Errorf("default for %s = %d: want positive, and system's the largest", role, n)
		}
	}
}
