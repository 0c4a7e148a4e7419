package postgres_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/domain"
	"franja/internal/pgembed"
	"franja/internal/pgtest"
	"franja/postgres"
)

var keyNow = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

// seedPerson inserts a post and a person with plain SQL, so that these tests
// do not depend on the people code.
func seedPerson(t *testing.T, pool *pgxpool.Pool, externalID string) {
	t.Helper()
	ctx := context.Background()
	_, err := pool.Exec(ctx, `INSERT INTO posts (code, name, kind, country, time_zone) VALUES ('BOG', 'Bogotá', 'headquarters', 'CO', 'America/Bogota') ON CONFLICT DO NOTHING`)
	if err == nil {
		_, err = pool.Exec(ctx, `INSERT INTO people (external_id, full_name, email, post) VALUES ($1, 'Ana Pérez', 'ana@example.org', 'BOG')`, externalID)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestGenerateAPIKeyToken(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		token, prefix, err := postgres.GenerateAPIKeyToken()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := postgres.ParseAPIKeyToken(token)
		if !ok || got != prefix || len(token) != len("frj_")+8+1+43 {
			t.Fatalf("token %q (prefix %q) does not parse back: %q, %v", token, prefix, got, ok)
		}
		if seen[token] || seen[prefix] {
			t.Fatalf("repeated token or prefix %q", token)
		}
		seen[token], seen[prefix] = true, true
	}
}

func TestParseAPIKeyToken(t *testing.T) {
	good := "frj_Ab3dEf9h_" + strings.Repeat("x", 43)
	tests := []struct {
		token, prefix string
		ok            bool
	}{
		{good, "frj_Ab3dEf9h", true},
		{good + "x", "", false},
		{good[:len(good)-1], "", false},
		{strings.Replace(good, "frj_", "frk_", 1), "", false},
		{strings.Replace(good, "Ab3", "A-3", 1), "", false},
		{" " + good, "", false},
		{"", "", false},
		{"test-admin-token", "", false},
	}
	for _, tt := range tests {
		prefix, ok := postgres.ParseAPIKeyToken(tt.token)
		if prefix != tt.prefix || ok != tt.ok {
			t.Errorf("ParseAPIKeyToken(%q) = %q, %v; want %q, %v", tt.token, prefix, ok, tt.prefix, tt.ok)
		}
	}
}

func TestCreateAPIKeyInvalid(t *testing.T) {
	store := postgres.New(pgtest.Pool(t))
	seedPerson(t, store.Pool(), "E1")
	past, far := keyNow.Add(-time.Second), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		key    postgres.NewAPIKey
		fields []string
	}{
		{"unknown role", postgres.NewAPIKey{Name: "x", Role: "root"}, []string{"role"}},
		{"empty name", postgres.NewAPIKey{Name: "  ", Role: "hr"}, []string{"name"}},
		{"long name", postgres.NewAPIKey{Name: strings.Repeat("ñ", 201), Role: "hr"}, []string{"name"}},
		{"supervisor without person", postgres.NewAPIKey{Name: "x", Role: "supervisor"}, []string{"person"}},
		{"unknown person", postgres.NewAPIKey{Name: "x", Role: "supervisor", Person: "E404"}, []string{"person"}},
		{"person on hr key", postgres.NewAPIKey{Name: "x", Role: "hr", Person: "E1"}, []string{"person"}},
		{"expired already", postgres.NewAPIKey{Name: "x", Role: "system", ExpiresAt: &past}, []string{"expires_at"}},
		{"too far", postgres.NewAPIKey{Name: "x", Role: "system", ExpiresAt: &far}, []string{"expires_at"}},
		{"everything", postgres.NewAPIKey{Name: "", Role: "boss", Person: "E1", ExpiresAt: &past}, []string{"name", "role", "person", "expires_at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, token, err := store.CreateAPIKey(context.Background(), tt.key, keyNow)
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != domain.EInvalid || token != "" {
				t.Fatalf("err = %v, token %q; want an invalid error and no token", err, token)
			}
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Field)
			}
			if diff := cmp.Diff(tt.fields, fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	if keys, err := store.ListAPIKeys(context.Background()); err != nil || len(keys) != 0 {
		t.Errorf("invalid keys were stored: %v, %v", keys, err)
	}
}

func TestAPIKeyLifecycle(t *testing.T) {
	ctx := context.Background()
	store := postgres.New(pgtest.Pool(t))
	seedPerson(t, store.Pool(), "E1")
	exp := keyNow.Add(24 * time.Hour)
	sup, token, err := store.CreateAPIKey(ctx, postgres.NewAPIKey{Name: " Jefa de Ana ", Role: "supervisor", Person: "E1", ExpiresAt: &exp}, keyNow)
	if err != nil {
		t.Fatal(err)
	}
	if prefix, _ := postgres.ParseAPIKeyToken(token); prefix != sup.Prefix {
		t.Fatalf("token %q does not carry the key's prefix %q", token, sup.Prefix)
	}
	want := postgres.APIKey{ID: sup.ID, Name: "Jefa de Ana", Role: "supervisor", Person: "E1", Prefix: sup.Prefix, CreatedAt: keyNow, ExpiresAt: &exp}
	if diff := cmp.Diff(want, sup, timeEqual); diff != "" {
		t.Errorf("created key (-want +got):\n%s", diff)
	}

	found, stored, err := store.FindAPIKeyByHash(ctx, postgres.HashAPIKeyToken(token))
	sum := postgres.HashAPIKeyToken(token)
	if err != nil || string(stored) != string(sum[:]) {
		t.Fatalf("FindAPIKeyByHash: %v (hash %x)", err, stored)
	}
	if diff := cmp.Diff(want, found, timeEqual); diff != "" {
		t.Errorf("found key (-want +got):\n%s", diff)
	}
	if !found.Active(keyNow) || found.Active(exp) {
		t.Errorf("Active: want true before expires_at and false at it")
	}
	if _, _, err := store.FindAPIKeyByHash(ctx, postgres.HashAPIKeyToken(token+"x")); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("unknown hash: err = %v, want not found", err)
	}

	checkTouch(t, store, sup.ID)
	checkRevoke(t, store, sup.ID)
}

var timeEqual = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func checkTouch(t *testing.T, store *postgres.Store, id int64) {
	t.Helper()
	ctx := context.Background()
	later, earlier := keyNow.Add(time.Hour), keyNow.Add(time.Minute)
	for _, at := range []time.Time{later, earlier} {
		if err := store.TouchAPIKeys(ctx, []int64{id}, []time.Time{at}); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := store.ListAPIKeys(ctx)
	if err != nil || len(keys) != 1 || keys[0].LastUsedAt == nil || !keys[0].LastUsedAt.Equal(later) {
		t.Errorf("after touches at %v and %v: %+v, %v; want last_used_at %v", later, earlier, keys, err, later)
	}
}

func checkRevoke(t *testing.T, store *postgres.Store, id int64) {
	t.Helper()
	ctx := context.Background()
	first, err := store.RevokeAPIKey(ctx, id, keyNow.Add(time.Hour))
	if err != nil || first.RevokedAt == nil || first.Active(keyNow) {
		t.Fatalf("revoke: %+v, %v", first, err)
	}
	again, err := store.RevokeAPIKey(ctx, id, keyNow.Add(2*time.Hour))
	if err != nil || !again.RevokedAt.Equal(*first.RevokedAt) {
		t.Errorf("revoking again: %+v, %v; want no error and the first revocation time kept", again, err)
	}
	if _, err := store.RevokeAPIKey(ctx, id+1000, keyNow); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("revoking an unknown key: err = %v, want not found", err)
	}
}

func TestAPIKeyPersonDeletedCascades(t *testing.T) {
	ctx := context.Background()
	store := postgres.New(pgtest.Pool(t))
	seedPerson(t, store.Pool(), "E1")
	if _, _, err := store.CreateAPIKey(ctx, postgres.NewAPIKey{Name: "x", Role: "supervisor", Person: "E1"}, keyNow); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Pool().Exec(ctx, `DELETE FROM people WHERE external_id = 'E1'`); err != nil {
		t.Fatal(err)
	}
	if keys, err := store.ListAPIKeys(ctx); err != nil || len(keys) != 0 {
		t.Errorf("keys after deleting their person: %v, %v; want none", keys, err)
	}
}

// TestAPIKeyTokenNotInDump proves that nothing in the database, as pg_dump
// sees it and as every table reads as text, contains a token or its secret.
func TestAPIKeyTokenNotInDump(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := postgres.New(pool)
	var secrets []string
	for _, role := range []string{"admin", "hr", "system"} {
		key, token, err := store.CreateAPIKey(ctx, postgres.NewAPIKey{Name: "key " + role, Role: role}, keyNow)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, token, strings.TrimPrefix(token, key.Prefix+"_"))
	}
	dump := pgDump(t, dsn)
	if !strings.Contains(dump, "key hr") {
		t.Fatalf("the dump does not hold the keys' rows at all:\n%s", dump)
	}
	tables := tablesAsText(t, pool)
	for _, s := range secrets {
		if strings.Contains(dump, s) {
			t.Errorf("pg_dump contains the secret %q", s)
		}
		if strings.Contains(tables, s) {
			t.Errorf("a table contains the secret %q", s)
		}
	}
}

func pgDump(t *testing.T, dsn string) string {
	t.Helper()
	bin, err := pgembed.FindBinDir(os.Getenv)
	if err != nil {
		t.Fatalf("finding pg_dump: %v", err)
	}
	out, err := exec.Command(filepath.Join(bin, "pg_dump"), "--dbname", dsn).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("pg_dump: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("pg_dump: %v", err)
	}
	return string(out)
}

// tablesAsText returns every row of every table in the public schema as text.
func tablesAsText(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if rows.Err() != nil || len(names) < 2 {
		t.Fatalf("tables: %v, %v", names, rows.Err())
	}
	var b strings.Builder
	for _, n := range names {
		var text string
		q := `SELECT COALESCE(string_agg(t::text, E'\n'), '') FROM ` + n + ` t`
		if err := pool.QueryRow(ctx, q).Scan(&text); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		b.WriteString(text)
	}
	return b.String()
}
