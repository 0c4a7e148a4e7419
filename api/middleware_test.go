package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
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

// TestRequestLogSampling: with AccessLogEvery, one ordinary request line in
// that many is written, at info; every server-side failure (at error) and
// every slow request (at warn) is written whatever the sample; at debug,
// every line is.
func TestRequestLogSampling(t *testing.T) {
	serve := func(level slog.Level, slow time.Duration, paths ...string) []string {
		var buf bytes.Buffer
		h := New(Config{
			Logger:         slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level})),
			AdminToken:     testAdminToken,
			AccessLogEvery: 4,
			SlowRequest:    slow,
		})
		for _, p := range paths {
			r := httptest.NewRequest(http.MethodGet, p, nil)
			r.Header.Set("Authorization", "Bearer "+testAdminToken)
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
		var levels []string
		for line := range strings.Lines(buf.String()) {
			var l struct{ Level, Msg, Path string }
			if err := json.Unmarshal([]byte(line), &l); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			if l.Msg == "request" {
				levels = append(levels, l.Level+" "+l.Path)
			}
		}
		return levels
	}
	whoami := slices.Repeat([]string{"/v1/whoami"}, 8)
	cases := []struct {
		name  string
		level slog.Level
		slow  time.Duration
		paths []string
		want  []string
	}{
		{"one in four", slog.LevelInfo, 0, whoami, []string{"INFO /v1/whoami", "INFO /v1/whoami"}},
		{"failures always", slog.LevelInfo, 0, []string{"/v1/people/E1/contactability", "/v1/people/E1/contactability", "/v1/whoami"},
			[]string{"ERROR /v1/people/E1/contactability", "ERROR /v1/people/E1/contactability"}},
		{"failures at error level", slog.LevelError, 0, []string{"/v1/people/E1/contactability", "/v1/whoami", "/v1/whoami", "/v1/whoami", "/v1/whoami"},
			[]string{"ERROR /v1/people/E1/contactability"}},
		{"slow always", slog.LevelWarn, time.Nanosecond, []string{"/v1/whoami", "/v1/whoami", "/healthz"},
			[]string{"WARN /v1/whoami", "WARN /v1/whoami", "WARN /healthz"}},
		{"debug: every line", slog.LevelDebug, 0, whoami[:3], []string{"INFO /v1/whoami", "INFO /v1/whoami", "INFO /v1/whoami"}},
		{"warn: no ordinary line", slog.LevelWarn, 0, whoami, nil},
	}
	for _, c := range cases {
		if got := serve(c.level, c.slow, c.paths...); !slices.Equal(got, c.want) {
			t.Errorf("%s: logged %q, want %q", c.name, got, c.want)
		}
	}
}
