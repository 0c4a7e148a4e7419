package migrations_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"franja/internal/pgtest"
	"franja/migrations"
)

// serviceDSN creates a login role of the test's own and returns dsn as it.
func serviceDSN(t *testing.T, dsn string) (role, as string) {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	role = "franja_svc_" + hex.EncodeToString(b[:])
	conn := connect(t, dsn)
	if _, err := conn.Exec(t.Context(), "CREATE ROLE "+role+" LOGIN PASSWORD 'svc-secret'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		for _, q := range []string{"DROP OWNED BY " + role, "DROP ROLE " + role} {
			if _, err := c.Exec(context.Background(), q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "svc-secret")
	return role, u.String()
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestServiceRoleCannotTamperWithTheAudit: granted as `franja serve`
// grants it, the service's role writes and reads the audit records and
// the access log, and can neither update, delete, truncate nor disable
// their triggers, nor switch triggers off for its session, nor rewrite the
// chain's head; it still does everything else the service needs.
func TestServiceRoleCannotTamperWithTheAudit(t *testing.T) {
	owner := pgtest.DSN(t)
	role, dsn := serviceDSN(t, owner)
	warnings, err := migrations.Grant(t.Context(), owner, role)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("Grant: %v %v", warnings, err)
	}
	if _, err := migrations.Grant(t.Context(), owner, role); err != nil {
		t.Fatalf("Grant again: %v", err)
	}
	svc := connect(t, dsn)
	ok := []string{
		`INSERT INTO audit_exceptions (requester, person, post, purpose, channel, justification, at, decision, reasons, exception, api_key)
			VALUES ('E2', 'E1', 'BOG', 'urgent', 'phone', 'Caída del sistema', now(), 'allow', '{exception_applied}', 'disponibilidad_permanente', 'frj_x')`,
		`SELECT count(*) FROM audit_exceptions`,
		`INSERT INTO access_log (api_key, role, what) VALUES ('frj_x', 'hr', 'leave_kind')`,
		`INSERT INTO posts (code, name, kind, country, time_zone, calendars) VALUES ('BOG', 'Bogotá', 'headquarters', 'CO', 'America/Bogota', '{CO}')`,
		`UPDATE posts SET name = 'Sede' WHERE code = 'BOG'`,
		`DELETE FROM posts WHERE code = 'BOG'`,
		`SELECT version FROM schema_migrations`,
	}
	for _, q := range ok {
		if _, err := svc.Exec(t.Context(), q); err != nil {
			t.Errorf("the service role cannot %.60s: %v", q, err)
		}
	}
	refused := []string{
		`UPDATE audit_exceptions SET justification = 'nada'`,
		`DELETE FROM audit_exceptions`,
		`TRUNCATE audit_exceptions`,
		`UPDATE access_log SET what = 'x'`,
		`DELETE FROM access_log`,
		`TRUNCATE access_log`,
		`ALTER TABLE audit_exceptions DISABLE TRIGGER USER`,
		`ALTER TABLE audit_exceptions DISABLE TRIGGER audit_exceptions_append_only`,
		`DROP TABLE audit_exceptions`,
		`SET session_replication_role = replica`,
		`UPDATE franja_chain_heads SET seq = 0`,
		`DELETE FROM schema_migrations`,
	}
	for _, q := range refused {
		if _, err := svc.Exec(t.Context(), q); err == nil {
			t.Errorf("the service role may %s", q)
		} else if !strings.Contains(err.Error(), "42501") {
			t.Errorf("%s: %v, want permission denied (42501)", q, err)
		}
	}
}

// TestGrantWarnsAboutAPowerfulRole: a superuser as the service's role
// defeats the point, and Grant says so.
func TestGrantWarnsAboutAPowerfulRole(t *testing.T) {
	owner := pgtest.DSN(t)
	var user string
	if err := connect(t, owner).QueryRow(t.Context(), "SELECT current_user").Scan(&user); err != nil {
		t.Fatal(err)
	}
	warnings, err := migrations.Grant(t.Context(), owner, user)
	if err != nil || len(warnings) != 2 {
		t.Errorf("Grant to the owner, a superuser: %v %v, want two warnings", warnings, err)
	}
}
