package delivery

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestClientRefusesPrivateAddressesAndRedirects dials a real server on
// loopback: refused without AllowPrivate, reached with it; and a redirect
// is answered as it is, never followed.
func TestClientRefusesPrivateAddressesAndRedirects(t *testing.T) {
	var followed atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Add(1)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	// A name resolving to loopback is refused too: checked on the dialled address.
	url := "http://localhost" + srv.URL[len("http://127.0.0.1"):] + "/hook"
	_, err := newClient(time.Second, false).Post(url, "application/json", nil)
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("loopback without AllowPrivate: %v", err)
	}
	res, err := newClient(time.Second, true).Post(url, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || followed.Load() != 0 {
		t.Errorf("redirect: %d, followed %d times", res.StatusCode, followed.Load())
	}
}

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://mensajeria.example.org/franja": true, "http://example.org": true,
		"ftp://example.org": false, "https://u:p@example.org": false, "example.org/x": false,
		"https://10.0.0.1/x": false, "https://[::1]/x": false, "https://example.org/#x": false,
	} {
		if _, got := CheckURL(raw, false); got != ok {
			t.Errorf("CheckURL(%q) ok = %v, want %v", raw, got, ok)
		}
	}
	if _, ok := CheckURL("http://127.0.0.1:8080/x", true); !ok {
		t.Error("AllowPrivate refused a loopback address")
	}
}
