package api

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestRequestLogLines pins the log lines a request writes: the request line
// (request id first, then method, path, status, bytes, duration, and the
// key and role once authenticated), nothing for a healthy /healthz, and the
// request id on lines handlers write through logger(r).
func TestRequestLogLines(t *testing.T) {
	var buf bytes.Buffer
	h := New(Config{
		Logger:     slog.New(slog.NewJSONHandler(&buf, nil)),
		AdminToken: testAdminToken,
	})
	cases := []struct {
		path, token string
		want        string // a regexp for the whole output, "" for none
	}{
		{"/healthz", "", ""},
		{"/v1/whoami", testAdminToken,
			`^\{"time":"[^"]+","level":"INFO","msg":"request","request_id":"[0-9a-f]{32}","method":"GET","path":"/v1/whoami","status":200,"bytes":\d+,"duration":\d+,"key":"bootstrap","role":"admin","client_request_id":"req-1"\}\n$`},
		{"/v1/whoami", "wrong",
			`^\{"time":"[^"]+","level":"INFO","msg":"request","request_id":"[0-9a-f]{32}","method":"GET","path":"/v1/whoami","status":401,"bytes":\d+,"duration":\d+,"client_request_id":"req-1"\}\n$`},
		{"/readyz", "", ""},
	}
	for _, c := range cases {
		buf.Reset()
		r := httptest.NewRequest(http.MethodGet, c.path, nil)
		r.Header.Set("X-Request-Id", "req-1")
		if c.token != "" {
			r.Header.Set("Authorization", "Bearer "+c.token)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		got := buf.String()
		if c.want == "" {
			if got != "" {
				t.Errorf("%s %s: logged %q, want nothing", c.path, c.token, got)
			}
			continue
		}
		if !regexp.MustCompile(c.want).MatchString(got) {
			t.Errorf("%s %s: logged\n%s\nwant it to match\n%s", c.path, c.token, strings.TrimSpace(got), c.want)
		}
	}
}
