package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

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
	keys := NewKeyAuthenticator(store, opts)
	t.Cleanup(keys.Close)
	cfg.AdminToken, cfg.Ready, cfg.Store, cfg.Logger = testAdminToken, store.Ready, store, discardLogger()
	cfg.Authenticators = []Authenticator{keys}
	return &harness{t: t, handler: New(cfg), store: store}, keys
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

func TestRevocationReachesOtherReplicas(t *testing.T) {
	store := postgres.New(pgtest.Pool(t))
	a, _ := keyHarnessOn(t, store, KeyAuthOptions{}, Config{})
	short, _ := keyHarnessOn(t, store, KeyAuthOptions{CacheTTL: 50 * time.Millisecond}, Config{})
	long, longKeys := keyHarnessOn(t, store, KeyAuthOptions{CacheTTL: time.Hour}, Config{})
	k := a.createKey(map[string]any{"name": "x", "role": "system"})
	for _, h := range []*harness{a, short, long} {
		if status, _ := h.whoamiAs(k.Token); status != http.StatusOK {
			t.Fatalf("before revocation: %d", status)
		}
	}
	a.do(req{Method: "DELETE", Path: "/v1/api-keys/" + strconv.FormatInt(k.ID, 10)})
	if status, _ := a.whoamiAs(k.Token); status != http.StatusUnauthorized {
		t.Errorf("the revoking replica: %d, want 401 at once", status)
	}
	time.Sleep(100 * time.Millisecond)
	if status, _ := short.whoamiAs(k.Token); status != http.StatusUnauthorized {
		t.Errorf("a replica whose cache entry expired: %d, want 401", status)
	}
	if status, _ := long.whoamiAs(k.Token); status != http.StatusOK {
		t.Errorf("a replica with a long TTL still has the key cached: %d (the test no longer shows Forget matters)", status)
	}
	longKeys.Forget(k.ID) // what a change feed does
	if status, _ := long.whoamiAs(k.Token); status != http.StatusUnauthorized {
		t.Errorf("after Forget: %d, want 401", status)
	}
}

func TestLastUsedAtIsWrittenAtMostOnceAMinute(t *testing.T) {
	t0 := time.Now().Truncate(time.Second)
	clk := newKeyClock(t0)
	h, keys := newKeyHarness(t, KeyAuthOptions{Now: clk.Now}, Config{})
	k := h.createKey(map[string]any{"name": "x", "role": "system"})
	steps := []struct {
		at   time.Duration
		want time.Duration // last_used_at after the request, from t0
	}{
		{0, 0},
		{30 * time.Second, 0},
		{59 * time.Second, 0},
		{61 * time.Second, 61 * time.Second},
		{90 * time.Second, 61 * time.Second},
	}
	for _, s := range steps {
		clk.Set(t0.Add(s.at))
		if status, _ := h.whoamiAs(k.Token); status != http.StatusOK {
			t.Fatalf("at +%v: %d", s.at, status)
		}
		keys.Close() // wait for the background write
		list, err := h.store.ListAPIKeys(context.Background())
		if err != nil || len(list) != 1 || list[0].LastUsedAt == nil {
			t.Fatalf("at +%v: %+v, %v", s.at, list, err)
		}
		if got := list[0].LastUsedAt.Sub(t0); got != s.want {
			t.Errorf("at +%v: last_used_at = t0%+v, want t0+%v", s.at, got, s.want)
		}
	}
}

func TestTTLCache(t *testing.T) {
	c := NewTTLCache(30 * time.Millisecond)
	a, b := [32]byte{1}, [32]byte{2}
	c.Put(a, postgres.APIKey{ID: 1})
	c.Put(b, postgres.APIKey{ID: 2})
	if k, ok := c.Get(a); !ok || k.ID != 1 {
		t.Fatalf("Get after Put: %v, %v", k, ok)
	}
	c.Forget(1)
	if _, ok := c.Get(a); ok {
		t.Error("Get after Forget found the key")
	}
	if _, ok := c.Get(b); !ok {
		t.Error("Forget(1) dropped key 2")
	}
	time.Sleep(60 * time.Millisecond)
	if _, ok := c.Get(b); ok {
		t.Error("Get after the TTL found the key")
	}
}

// BenchmarkKeyAuthenticate measures the per-request cost of authenticating a
// key that is in the cache (the common case).
func BenchmarkKeyAuthenticate(b *testing.B) {
	store := postgres.New(pgtest.Pool(b))
	keys := NewKeyAuthenticator(store, KeyAuthOptions{CacheTTL: time.Hour})
	defer keys.Close()
	_, token, err := store.CreateAPIKey(context.Background(), postgres.NewAPIKey{Name: "bench", Role: "system"}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if p, err := keys.Authenticate(ctx, token); p == nil || err != nil {
			b.Fatal(p, err)
		}
	}
}

// revokeAfterLookup is a pgx tracer that, once armed, revokes a key (on
// another connection) and makes the authenticator forget it right after the
// authenticator's lookup has read the key as still active: the worst timing
// for a revocation.
type revokeAfterLookup struct {
	armed  atomic.Bool
	revoke func()
}

func (h *revokeAfterLookup) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (h *revokeAfterLookup) TraceQueryEnd(_ context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if data.Err == nil && strings.Contains(data.CommandTag.String(), "SELECT") && h.armed.CompareAndSwap(true, false) {
		h.revoke()
	}
}

// TestRevokedKeyIsNeverCachedBack: a lookup that read a key just before it
// was revoked must not put it back in the cache after Forget.
func TestRevokedKeyIsNeverCachedBack(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	plain, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	hook := &revokeAfterLookup{}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = hook
	traced, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer traced.Close()

	keys := NewKeyAuthenticator(postgres.New(traced), KeyAuthOptions{CacheTTL: time.Hour})
	defer keys.Close()
	k, token, err := postgres.New(plain).CreateAPIKey(ctx, postgres.NewAPIKey{Name: "race", Role: "system"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	hook.revoke = func() {
		if _, err := postgres.New(plain).RevokeAPIKey(ctx, k.ID, time.Now()); err != nil {
			t.Error(err)
		}
		keys.Forget(k.ID)
	}
	hook.armed.Store(true)
	if p, err := keys.Authenticate(ctx, token); p == nil || err != nil {
		t.Fatalf("the lookup that raced the revocation: %+v, %v (it read the key before)", p, err)
	}
	if hook.armed.Load() {
		t.Fatal("the hook never ran: the test no longer races anything")
	}
	if p, err := keys.Authenticate(ctx, token); p != nil || err != nil {
		t.Errorf("after revocation and Forget, the key still authenticates (cached back): %+v, %v", p, err)
	}
}
