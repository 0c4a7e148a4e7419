package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"franja/internal/pgtest"
	"franja/postgres"
)

// newKeyHarness is newHarness with the database-backed key authenticator
// wired in as `franja serve` wires it.
func newKeyHarness(t testing.TB, opts KeyAuthOptions, cfg Config) (*harness, *KeyAuthenticator) {
	t.Helper()
	store := postgres.New(pgtest.Pool(t))
	return keyHarnessOn(t, store, opts, cfg)
}

func keyHarnessOn(t testing.TB, store *postgres.Store, opts KeyAuthOptions, cfg Config) (*harness, *KeyAuthenticator) {
	t.Helper()
	v := startView(t, store)
	keys := NewKeyAuthenticator(v, store, opts)
	cfg.Authenticators = []Authenticator{keys}
	return harnessOn(t, store, v, cfg), keys
}

// createdKey is the answer to POST /v1/api-keys.
type createdKey struct {
	ID        int64   `json:"id"`
	Token     string  `json:"token"`
	Prefix    string  `json:"prefix"`
	Name      string  `json:"name"`
	Role      string  `json:"role"`
	Person    *string `json:"person"`
	Status    string  `json:"status"`
	ExpiresAt *string `json:"expires_at"`
}

func (h *harness) createKey(body map[string]any) createdKey {
	h.t.Helper()
	res := h.do(req{Method: "POST", Path: "/v1/api-keys", Body: body})
	if res.Status != http.StatusCreated {
		h.t.Fatalf("creating a key: %d %s", res.Status, res.Body)
	}
	var k createdKey
	res.JSON(h.t, &k)
	return k
}

func (h *harness) whoamiAs(token string) (int, map[string]any) {
	h.t.Helper()
	res := h.do(req{Method: "GET", Path: "/v1/whoami", Token: token})
	if res.Status != http.StatusOK {
		if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			h.t.Errorf("a %d without WWW-Authenticate: Bearer (got %q)", res.Status, got)
		}
		return res.Status, nil
	}
	return res.Status, res.Map(h.t)
}

func TestAPIKeyLifecycle(t *testing.T) {
	h, _ := newKeyHarness(t, KeyAuthOptions{}, Config{})
	res := h.do(req{Method: "POST", Path: "/v1/api-keys", Body: map[string]any{"name": "Talento Humano", "role": "hr"}})
	if res.Status != http.StatusCreated || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("POST: %d (Cache-Control %q) %s", res.Status, res.Header.Get("Cache-Control"), res.Body)
	}
	var k createdKey
	res.JSON(t, &k)
	if !strings.HasPrefix(k.Token, k.Prefix+"_") || k.Status != "active" || k.Person != nil || k.Name != "Talento Humano" {
		t.Fatalf("created key: %+v", k)
	}
	if got := res.Header.Get("Location"); got != "/v1/api-keys/"+strconv.FormatInt(k.ID, 10) {
		t.Errorf("Location = %q", got)
	}

	status, who := h.whoamiAs(k.Token)
	want := map[string]any{"role": "hr", "person": nil, "key": k.Prefix}
	if diff := cmp.Diff(want, who); status != http.StatusOK || diff != "" {
		t.Fatalf("whoami with the new key: %d (-want +got):\n%s", status, diff)
	}

	list := h.do(req{Method: "GET", Path: "/v1/api-keys"})
	if list.Status != http.StatusOK || !strings.Contains(string(list.Body), k.Prefix) || strings.Contains(string(list.Body), k.Token) {
		t.Fatalf("list must show the prefix and never the token: %d %s", list.Status, list.Body)
	}
	if strings.Contains(string(list.Body), `"token"`) {
		t.Errorf("list has a token field: %s", list.Body)
	}

	del := "/v1/api-keys/" + strconv.FormatInt(k.ID, 10)
	for range 2 { // revoking twice is fine
		if res := h.do(req{Method: "DELETE", Path: del}); res.Status != http.StatusNoContent {
			t.Fatalf("DELETE: %d %s", res.Status, res.Body)
		}
	}
	if status, _ := h.whoamiAs(k.Token); status != http.StatusUnauthorized {
		t.Errorf("whoami right after revocation: %d, want 401", status)
	}
	var after struct{ Items []createdKey }
	h.do(req{Method: "GET", Path: "/v1/api-keys"}).JSON(t, &after)
	if len(after.Items) != 1 || after.Items[0].Status != "revoked" {
		t.Errorf("list after revocation: %+v", after.Items)
	}
	for _, path := range []string{"/v1/api-keys/99999", "/v1/api-keys/abc", "/v1/api-keys/0"} {
		if res := h.do(req{Method: "DELETE", Path: path, SkipSpec: true}); res.Status != http.StatusNotFound {
			t.Errorf("DELETE %s: %d, want 404", path, res.Status)
		}
	}
}

func TestAPIKeyCreateInvalid(t *testing.T) {
	h, _ := newKeyHarness(t, KeyAuthOptions{}, Config{})
	seedKeyPerson(t, h.store, "E1")
	past := time.Now().Add(-time.Minute).Format(time.RFC3339)
	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"unknown role", map[string]any{"name": "x", "role": "root"}, []string{"role"}},
		{"missing role", map[string]any{"name": "x"}, []string{"role"}},
		{"empty name", map[string]any{"name": "", "role": "hr"}, []string{"name"}},
		{"long name", map[string]any{"name": strings.Repeat("a", 201), "role": "hr"}, []string{"name"}},
		{"supervisor without person", map[string]any{"name": "x", "role": "supervisor"}, []string{"person"}},
		{"supervisor, unknown person", map[string]any{"name": "x", "role": "supervisor", "person": "E404"}, []string{"person"}},
		{"person on a system key", map[string]any{"name": "x", "role": "system", "person": "E1"}, []string{"person"}},
		{"expired already", map[string]any{"name": "x", "role": "hr", "expires_at": past}, []string{"expires_at"}},
		{"expiry without offset", map[string]any{"name": "x", "role": "hr", "expires_at": "2030-01-01T00:00:00"}, []string{"expires_at"}},
		{"all at once", map[string]any{"role": "boss", "person": "E1", "expires_at": "soon"}, []string{"expires_at", "name", "role", "person"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(req{Method: "POST", Path: "/v1/api-keys", Body: tt.body, SkipSpec: true})
			var p Problem
			res.JSON(t, &p)
			var fields []string
			for _, f := range p.Errors {
				fields = append(fields, f.Field)
			}
			if res.Status != http.StatusUnprocessableEntity || p.Code != "invalid" {
				t.Fatalf("%d %s, want 422 invalid", res.Status, res.Body)
			}
			if diff := cmp.Diff(tt.fields, fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	var list struct{ Items []createdKey }
	h.do(req{Method: "GET", Path: "/v1/api-keys"}).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("invalid keys were stored: %+v", list.Items)
	}
}

func seedKeyPerson(t testing.TB, store *postgres.Store, id string) {
	t.Helper()
	ctx := context.Background()
	_, err := store.Pool().Exec(ctx, `INSERT INTO posts (code, name, kind, country, time_zone) VALUES ('BOG', 'Bogotá', 'headquarters', 'CO', 'America/Bogota')`)
	if err == nil {
		_, err = store.Pool().Exec(ctx, `INSERT INTO people (external_id, full_name, email, post) VALUES ($1, 'Ana', 'ana@example.org', 'BOG')`, id)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestAPIKeyRolesAndAdminOnly(t *testing.T) {
	h, _ := newKeyHarness(t, KeyAuthOptions{}, Config{})
	seedKeyPerson(t, h.store, "E1")
	sup := h.createKey(map[string]any{"name": "Jefa", "role": "supervisor", "person": "E1"})
	hr := h.createKey(map[string]any{"name": "Talento Humano", "role": "hr"})
	admin := h.createKey(map[string]any{"name": "Otra administradora", "role": "admin", "expires_at": "2099-01-01T00:00:00-05:00"})

	if _, who := h.whoamiAs(sup.Token); who["role"] != "supervisor" || who["person"] != "E1" {
		t.Errorf("supervisor whoami: %v", who)
	}
	for _, tok := range []string{sup.Token, hr.Token} {
		if res := h.do(req{Method: "GET", Path: "/v1/api-keys", Token: tok}); res.Status != http.StatusForbidden {
			t.Errorf("a non-admin key listing keys: %d, want 403", res.Status)
		}
		if res := h.do(req{Method: "POST", Path: "/v1/api-keys", Token: tok, Body: map[string]any{"name": "x", "role": "admin"}}); res.Status != http.StatusForbidden {
			t.Errorf("a non-admin key creating a key: %d, want 403", res.Status)
		}
	}
	if res := h.do(req{Method: "GET", Path: "/v1/api-keys", Token: admin.Token}); res.Status != http.StatusOK {
		t.Errorf("an admin key listing keys: %d", res.Status)
	}
	if admin.ExpiresAt == nil || *admin.ExpiresAt != "2099-01-01T05:00:00Z" {
		t.Errorf("expires_at = %v, want the instant in UTC", admin.ExpiresAt)
	}
}

// keyClock is a settable test clock.
type keyClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *keyClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *keyClock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func newKeyClock(t time.Time) *keyClock { return &keyClock{t: t} }

func TestAPIKeyExpires(t *testing.T) {
	clk := newKeyClock(time.Now())
	h, _ := newKeyHarness(t, KeyAuthOptions{Now: clk.Now}, Config{})
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	k := h.createKey(map[string]any{"name": "x", "role": "system", "expires_at": exp.Format(time.RFC3339)})
	if status, _ := h.whoamiAs(k.Token); status != http.StatusOK {
		t.Fatalf("before expiry: %d", status)
	}
	clk.Set(exp) // a key stops working at expires_at exactly
	if status, _ := h.whoamiAs(k.Token); status != http.StatusUnauthorized {
		t.Errorf("at expiry: %d, want 401", status)
	}
}

// TestUnauthenticatedAnswersAreAlike: whatever is wrong with a token, the
// answer is the same 401 with a Bearer challenge.
func TestUnauthenticatedAnswersAreAlike(t *testing.T) {
	clk := newKeyClock(time.Now())
	h, _ := newKeyHarness(t, KeyAuthOptions{Now: clk.Now}, Config{})
	revoked := h.createKey(map[string]any{"name": "revoked", "role": "hr"})
	h.do(req{Method: "DELETE", Path: "/v1/api-keys/" + strconv.FormatInt(revoked.ID, 10)})
	expiring := h.createKey(map[string]any{"name": "expired", "role": "hr", "expires_at": time.Now().Add(time.Minute).Format(time.RFC3339)})
	clk.Set(time.Now().Add(time.Hour))
	unknown, _, err := postgres.GenerateAPIKeyToken()
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, tok := range []string{revoked.Token, expiring.Token, unknown, revoked.Token[:20], "garbage", revoked.Token + "x"} {
		res := h.do(req{Method: "GET", Path: "/v1/whoami", Token: tok})
		var p Problem
		res.JSON(t, &p)
		if res.Status != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("token %q: %d (WWW-Authenticate %q)", tok, res.Status, res.Header.Get("WWW-Authenticate"))
		}
		details = append(details, p.Detail)
	}
	for _, d := range details[1:] {
		if d != details[0] {
			t.Errorf("details differ, which tells an attacker why a token failed: %q", details)
			break
		}
	}
}

// TestKeysReachOtherReplicas: a key created on one replica authenticates on
// another as soon as its change feed brings it, and its revocation stops it
// there the same way; the replica that made the change answers only once
// its own view has it.
func TestKeysReachOtherReplicas(t *testing.T) {
	store := postgres.New(pgtest.Pool(t))
	a, _ := keyHarnessOn(t, store, KeyAuthOptions{}, Config{})
	b, _ := keyHarnessOn(t, store, KeyAuthOptions{}, Config{})
	k := a.createKey(map[string]any{"name": "x", "role": "system"})
	if status, _ := a.whoamiAs(k.Token); status != http.StatusOK {
		t.Fatalf("the creating replica, at once: %d", status)
	}
	waitStatus(t, b, k.Token, http.StatusOK)
	a.do(req{Method: "DELETE", Path: "/v1/api-keys/" + strconv.FormatInt(k.ID, 10)})
	if status, _ := a.whoamiAs(k.Token); status != http.StatusUnauthorized {
		t.Errorf("the revoking replica: %d, want 401 at once", status)
	}
	waitStatus(t, b, k.Token, http.StatusUnauthorized)
}

// waitStatus polls whoami with token on h until it answers want (5 s at most).
func waitStatus(t *testing.T, h *harness, token string, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, _ := h.whoamiAs(token)
		if status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("whoami on the other replica: %d, want %d", status, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestKeysAuthenticateWithoutTheDatabase: authentication reads the view
// only, so a key keeps working while the database is unreachable.
func TestKeysAuthenticateWithoutTheDatabase(t *testing.T) {
	h, keys := newKeyHarness(t, KeyAuthOptions{}, Config{})
	k := h.createKey(map[string]any{"name": "x", "role": "system"})
	h.store.Pool().Close() // every query now fails
	p, err := keys.Authenticate(context.Background(), k.Token)
	if err != nil || p == nil || p.Role != RoleSystem {
		t.Fatalf("with the pool closed: %+v, %v", p, err)
	}
}

// TestLastUsedAtIsWrittenInBatches: uses are remembered in memory and
// written by Flush, one statement for every key, the latest use of each;
// a failed flush keeps them for the next.
func TestLastUsedAtIsWrittenInBatches(t *testing.T) {
	t0 := time.Now().Truncate(time.Second)
	clk := newKeyClock(t0)
	h, keys := newKeyHarness(t, KeyAuthOptions{Now: clk.Now, Logger: discardLogger()}, Config{})
	k1 := h.createKey(map[string]any{"name": "one", "role": "system"})
	k2 := h.createKey(map[string]any{"name": "two", "role": "hr"})
	lastUsed := func() map[int64]*time.Time {
		list, err := h.store.ListAPIKeys(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]*time.Time{}
		for _, k := range list {
			out[k.ID] = k.LastUsedAt
		}
		return out
	}
	for _, at := range []time.Duration{0, 30 * time.Second, 61 * time.Second} {
		clk.Set(t0.Add(at))
		h.whoamiAs(k1.Token)
	}
	clk.Set(t0.Add(5 * time.Second))
	h.whoamiAs(k2.Token)
	if got := lastUsed(); got[k1.ID] != nil || got[k2.ID] != nil {
		t.Fatalf("last_used_at written before a flush: %v", got)
	}
	if err := keys.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := lastUsed()
	if got[k1.ID] == nil || !got[k1.ID].Equal(t0.Add(61*time.Second)) || got[k2.ID] == nil || !got[k2.ID].Equal(t0.Add(5*time.Second)) {
		t.Errorf("after a flush: %v, want k1 at t0+61s and k2 at t0+5s", got)
	}
	// A use older than the one written never moves it back.
	clk.Set(t0.Add(10 * time.Second))
	h.whoamiAs(k1.Token)
	if err := keys.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); !got[k1.ID].Equal(t0.Add(61 * time.Second)) {
		t.Errorf("an older use moved last_used_at back to %v", got[k1.ID])
	}
	// A flush that fails keeps what it could not write.
	clk.Set(t0.Add(90 * time.Second))
	h.whoamiAs(k2.Token)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := keys.Flush(ctx); err == nil {
		t.Fatal("a flush with a cancelled context succeeded")
	}
	if err := keys.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); !got[k2.ID].Equal(t0.Add(90 * time.Second)) {
		t.Errorf("the use a failed flush held was lost: %v", got[k2.ID])
	}
}

// BenchmarkKeyAuthenticate measures the per-request cost of authenticating a
// key (from the view).
func BenchmarkKeyAuthenticate(b *testing.B) {
	h, keys := newKeyHarness(b, KeyAuthOptions{}, Config{})
	k := h.createKey(map[string]any{"name": "bench", "role": "system"})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if p, err := keys.Authenticate(ctx, k.Token); p == nil || err != nil {
			b.Fatal(p, err)
		}
	}
}
