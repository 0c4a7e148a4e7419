package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestRunUsage(t *testing.T) {
	env := func(string) string { return "" }
	var out bytes.Buffer
	if err := run(t.Context(), nil, env, &out); !errors.Is(err, errUsage) {
		t.Errorf("no command: err = %v, want a usage error", err)
	}
	if !strings.Contains(out.String(), "franja serve") {
		t.Errorf("usage not printed: %q", out.String())
	}
	if err := run(t.Context(), []string{"frobnicate"}, env, &out); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "frobnicate") {
		t.Errorf("unknown command: err = %v", err)
	}
	if err := run(t.Context(), []string{"serve", "extra"}, env, &out); !errors.Is(err, errUsage) {
		t.Errorf("serve with arguments: err = %v", err)
	}
	if err := run(t.Context(), []string{"help"}, env, &out); err != nil {
		t.Errorf("help: %v", err)
	}
}
