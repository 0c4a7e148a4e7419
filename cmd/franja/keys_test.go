package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"franja/api"
	"franja/internal/pgtest"
	"franja/postgres"
	"franja/view"
)

// TestKeysCreateAuthenticatesThroughTheRouter: a key made from the command
// line works on the API, is listed without its token, and stops working
// when revoked from the command line.
func TestKeysCreateAuthenticatesThroughTheRouter(t *testing.T) {
	dsn := pgtest.DSN(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return dsn
		}
		return ""
	}
	keys := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(t.Context(), append([]string{"keys"}, args...), env, &out)
		return out.String(), err
	}

	out, err := keys("create", "--role", "hr", "--name", "Talento Humano")
	if err != nil {
		t.Fatalf("keys create: %v\n%s", err, out)
	}
	token := regexp.MustCompile(`(?m)^frj_\w+$`).FindString(out)
	prefix, ok := postgres.ParseAPIKeyToken(token)
	if !ok || !strings.Contains(out, "Created API key 1 ("+prefix+"): role hr") {
		t.Fatalf("keys create printed no usable token:\n%s", out)
	}

	handler, store := keysRouter(t, dsn)
	if code, body := keysWhoami(handler, token); code != http.StatusOK || !strings.Contains(body, `"role":"hr"`) || !strings.Contains(body, prefix) {
		t.Fatalf("whoami with the CLI's key: %d %s", code, body)
	}

	out, err = keys("list")
	if err != nil || !strings.Contains(out, prefix) || !strings.Contains(out, "Talento Humano") || strings.Contains(out, token) {
		t.Fatalf("keys list (must show the prefix, never the token): %v\n%s", err, out)
	}

	if out, err = keys("revoke", "1"); err != nil || !strings.Contains(out, "Revoked API key 1") {
		t.Fatalf("keys revoke: %v\n%s", err, out)
	}
	// A freshly loaded view stands in for a replica the change feed reached.
	if code, _ := keysWhoami(keysHandler(t, store), token); code != http.StatusUnauthorized {
		t.Errorf("whoami after keys revoke: %d, want 401", code)
	}
	if out, err = keys("revoke", "7"); err == nil {
		t.Errorf("revoking an unknown key: no error\n%s", out)
	}
}

func keysRouter(t *testing.T, dsn string) (http.Handler, *postgres.Store) {
	t.Helper()
	store, err := postgres.Open(context.Background(), dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	return keysHandler(t, store), store
}

// keysHandler is the router with the keys of a view loaded from store now.
func keysHandler(t *testing.T, store *postgres.Store) http.Handler {
	t.Helper()
	v := view.New(view.Config{Pool: store.Pool()})
	if err := v.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	keys := api.NewKeyAuthenticator(v, store, api.KeyAuthOptions{})
	return api.New(api.Config{Store: store, View: v, Authenticators: []api.Authenticator{keys}})
}

func keysWhoami(h http.Handler, token string) (int, string) {
	r := httptest.NewRequest("GET", "/v1/whoami", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func TestKeysCreateRefusesInvalidKeys(t *testing.T) {
	dsn := pgtest.DSN(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return dsn
		}
		return ""
	}
	var out bytes.Buffer
	err := run(t.Context(), []string{"keys", "create", "--role", "boss", "--name", "x", "--person", "E1"}, env, &out)
	if err == nil || !strings.Contains(err.Error(), "--role: must be one of") || !strings.Contains(err.Error(), "--person:") {
		t.Errorf("invalid key: err = %v, want every field named", err)
	}
	if strings.Contains(out.String(), "frj_") {
		t.Errorf("a token was printed for an invalid key:\n%s", out.String())
	}
}

// TestKeysUsage: command lines that cannot work fail before any database.
func TestKeysUsage(t *testing.T) {
	env := func(string) string { return "" }
	tests := [][]string{
		{"keys"},
		{"keys", "frobnicate"},
		{"keys", "list", "extra"},
		{"keys", "revoke"},
		{"keys", "revoke", "abc"},
		{"keys", "revoke", "0"},
		{"keys", "create", "--role", "hr", "--name", "Talento", "Humano"},
		{"keys", "create", "--colour", "red"},
		{"keys", "create", "--role", "hr", "--name", "x", "--expires", "2027-01-01"},
	}
	for _, args := range tests {
		var out bytes.Buffer
		if err := run(t.Context(), args, env, &out); !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want a usage error", args, err)
		}
	}
}
