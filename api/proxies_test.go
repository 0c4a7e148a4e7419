package api

import (
	"net/http"
	"net/netip"
	"testing"
)

// TestTrustedProxies (issue 17, finding 10): behind a trusted proxy
// (FRANJA_TRUSTED_PROXIES) the failed-authentication limiter counts each
// client named by X-Forwarded-For apart; hops a client wrote itself, and
// the header from anyone not trusted, are ignored. (httptest's requests
// come from 192.0.2.1, the "proxy" here.)
func TestTrustedProxies(t *testing.T) {
	wrong := func(h *harness, xff string) int {
		return h.do(req{Method: http.MethodGet, Path: "/v1/whoami", Token: "wrong-token", Header: map[string]string{"X-Forwarded-For": xff}}).Status
	}
	untrusted := newHarnessWith(t, Config{FailedAuthLimit: 2})
	wrong(untrusted, "203.0.113.5")
	wrong(untrusted, "203.0.113.6")
	if got := wrong(untrusted, "203.0.113.7"); got != http.StatusTooManyRequests {
		t.Errorf("no trusted proxies: a third address in X-Forwarded-For got %d, want 429 (one connection, one budget)", got)
	}

	h := newHarnessWith(t, Config{FailedAuthLimit: 2, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}})
	for i := range 2 {
		if got := wrong(h, "203.0.113.5"); got != http.StatusUnauthorized {
			t.Fatalf("client A, attempt %d: %d, want 401", i+1, got)
		}
	}
	if got := wrong(h, "203.0.113.5"); got != http.StatusTooManyRequests {
		t.Errorf("client A, attempt 3: %d, want 429", got)
	}
	if got := wrong(h, "203.0.113.6"); got != http.StatusUnauthorized {
		t.Errorf("client B behind the same proxy: %d, want 401 (a budget of its own)", got)
	}
	if got := wrong(h, "198.51.100.1, 203.0.113.5"); got != http.StatusTooManyRequests {
		t.Errorf("client A prepending a hop of its own: %d, want 429 (only the proxy's hop is read)", got)
	}
	if got := wrong(h, "203.0.113.5, 192.0.2.7"); got != http.StatusTooManyRequests {
		t.Errorf("client A through two trusted proxies: %d, want 429", got)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.1 ,fd00::/8")
	if err != nil || len(got) != 3 || got[1].Bits() != 32 {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,nope"); err == nil {
		t.Error("a bad entry was accepted")
	}
}
