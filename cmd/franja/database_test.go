package main

import (
	"strings"
	"testing"
	"time"
)

func TestMalformedDatabaseURLsAreExplained(t *testing.T) {
	for url, want := range map[string]string{
		"localhost:5432":                        "is not a URL; write it as postgres://",
		"host=localhost dbname=franja user=me":  "looks like a key=value connection string",
		"host=db password=s3cret":               "password=…",
		"mysql://root@localhost/franja":         `the scheme "mysql"`,
		"postgres://":                           "names no server",
		"postgres://me@localhost:99999/franja":  "cannot be read",
		"postgres://me@localhost:5432/franja":   "",
		"postgresql://me@localhost:5432/franja": "",
		"postgres://franja@/franja?host=/tmp/x": "",
	} {
		err := checkDatabaseURL("DATABASE_URL", url)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: %v", url, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: %v, want it to say %q", url, err, want)
		case err != nil && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("%q: the message shows the password: %v", url, err)
		}
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, args := range [][]string{{"serve", "--help"}, {"migrate", "--help"}, {"migrate", "-h"}, {"keys", "--help"},
		{"keys", "create", "--help"}, {"import", "--help"}, {"seed", "--help"}, {"healthcheck", "--help"}, {"help"}, {"--help"}} {
		var out strings.Builder
		// No database settings: a command that tried to start one would fail.
		getenv := func(k string) string {
			if k == "PG_BIN" {
				return "/nonexistent"
			}
			return ""
		}
		if err := run(t.Context(), args, getenv, &out); err != nil || !strings.Contains(out.String(), "Usage") && !strings.Contains(out.String(), "franja") {
			t.Errorf("franja %s: %v, %q", strings.Join(args, " "), err, out.String())
		}
	}
}

func TestLogsWriteDurationsForPeople(t *testing.T) {
	var out strings.Builder
	newLogger(func(string) string { return "" }, &out).Info("postgres ready", "elapsed", 521*time.Millisecond)
	if !strings.Contains(out.String(), `"elapsed":"521ms"`) {
		t.Errorf("log line %s, want \"elapsed\":\"521ms\"", out.String())
	}
}
