package api

import (
	"testing"
)

// TestFailedAuthIsLimitedPerAddress: guessing tokens from one address ends
// in 429; valid keys from that address are never counted or refused.
func TestFailedAuthIsLimitedPerAddress(t *testing.T) {
	h := newHarnessWith(t, Config{FailedAuthLimit: 3})
	bad := req{Method: "GET", Path: "/v1/whoami", Token: "frj_guessing_0000000000000000000000000000000000000000"}
	for i := 0; i < 3; i++ {
		if res := h.do(bad); res.Status != 401 {
			t.Fatalf("attempt %d: %d, want 401", i+1, res.Status)
		}
	}
	res := h.do(bad)
	if res.Status != 429 || res.Header.Get("Retry-After") == "" || res.Map(t)["code"] != "rate_limited" {
		t.Fatalf("fourth failure: %d %v %s", res.Status, res.Header, res.Body)
	}
	for i := 0; i < 5; i++ {
		if res := h.do(req{Method: "GET", Path: "/v1/whoami"}); res.Status != 200 {
			t.Fatalf("a valid key from the same address: %d", res.Status)
		}
	}
}
