package pgembed

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestNoTrust reproduces finding 9 of issue 17: the cluster used to trust
// every process of its OS user on the socket. Now a connection without the
// password is refused, over the socket and over TCP, and the secret the
// passwords derive from is a 0600 file of ours in the data directory.
func TestNoTrust(t *testing.T) {
	dir := dataDir(t)
	s := start(t, Options{DataDir: dir, Fast: true})
	for _, dsn := range []string{s.dsn(SuperUser, "", "postgres"), s.dsn(SuperUser, "wrong", "postgres"),
		"postgres://" + SuperUser + "@/postgres?host=" + s.SocketDir() + "&port=" + strconv.Itoa(s.Port())} {
		conn, err := pgx.Connect(t.Context(), dsn)
		if err == nil {
			conn.Close(t.Context())
			t.Errorf("connected without the right password: %s", dsn)
		} else if !strings.Contains(err.Error(), "password") {
			t.Errorf("%s: %v, want a password failure", dsn, err)
		}
	}
	if got := queryInt(t, s.DSN("postgres"), "select 1"); got != 1 {
		t.Fatalf("with the password: select 1 = %d", got)
	}
	fi, err := os.Lstat(filepath.Join(dir, secretFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || !fi.Mode().IsRegular() {
		t.Errorf("secret file mode %v, want a regular file with 0600", fi.Mode())
	}
	if err := s.EnsureRole(t.Context(), "franja_app"); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureRole(t.Context(), "franja_app"); err != nil {
		t.Fatalf("EnsureRole again: %v", err)
	}
	if got := queryInt(t, s.RoleDSN("franja_app", "postgres"), "select (not rolsuper)::int from pg_roles where rolname = current_user"); got != 1 {
		t.Errorf("franja_app is a superuser")
	}
}

// TestTrustingClusterIsUpgraded: a data directory made by an earlier
// version (initdb --auth=trust, no secret) gets a secret and passwords on
// its next start, keeping its data.
func TestTrustingClusterIsUpgraded(t *testing.T) {
	dir := dataDir(t)
	s := start(t, Options{DataDir: dir, Database: "keep", Fast: true})
	execSQL(t, s.DSN("keep"), "create table kept (n int)", "insert into kept values (7)")
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	// Make it look like an old cluster: trust, and no secret.
	trust := "local all all trust\nhost all all 127.0.0.1/32 trust\n"
	if err := s.writeServerFile(filepath.Join(dir, "pgdata", "pg_hba.conf"), trust); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, secretFile)); err != nil {
		t.Fatal(err)
	}
	s2 := start(t, Options{DataDir: dir, Database: "keep", Fast: true})
	if got := queryInt(t, s2.DSN("keep"), "select n from kept"); got != 7 {
		t.Errorf("after the upgrade kept.n = %d, want 7", got)
	}
	if s2.trusting() {
		t.Error("pg_hba.conf still trusts connections")
	}
	if conn, err := pgx.Connect(t.Context(), s2.dsn(SuperUser, "", "keep")); err == nil {
		conn.Close(t.Context())
		t.Error("connected without a password after the upgrade")
	}
}

// TestMissingSecretIsExplained: a password cluster whose secret is gone
// does not start, and says what to do.
func TestMissingSecretIsExplained(t *testing.T) {
	dir := dataDir(t)
	s := start(t, Options{DataDir: dir, Fast: true})
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, secretFile)); err != nil {
		t.Fatal(err)
	}
	_, err := Start(t.Context(), Options{DataDir: dir, Fast: true})
	if err == nil || !strings.Contains(err.Error(), "restore it") {
		t.Fatalf("start without the secret: %v", err)
	}
}
