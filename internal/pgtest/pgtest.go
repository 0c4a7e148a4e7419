// Package pgtest gives each test a real, migrated PostgreSQL database of its
// own. The server is TEST_DATABASE_URL, else DATABASE_URL, else a throwaway
// cluster that pgembed starts once per test binary. Tests never skip for
// lack of a database: they fail, saying why.
//
// Every test database is cloned from a template migrated with the app's own
// migrations.Up, one template per migrations.Hash(), so a test pays for a
// CREATE DATABASE … TEMPLATE (tens of milliseconds), not for the migrations.
//
// A package using pgtest should call Main from its TestMain, so that the
// throwaway cluster is stopped and its directory removed.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"franja/internal/pgembed"
	"franja/migrations"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// templateLockKey is the pg_advisory_lock key taken around template creation.
const templateLockKey = 0x6672616e6a61 // "franja"

var (
	serverOnce sync.Once
	baseDSN    string        // a DSN on the server, for admin statements
	admin      *pgxpool.Pool // connections on baseDSN
	embedded   *pgembed.Server
	serverErr  error

	templateMu    sync.Mutex
	templateReady = map[string]bool{}
)

// Main runs the tests of a package, then runs cleanups, stops the throwaway
// cluster (if one was started) and removes its directory, and exits with the
// tests' code.
// Call it from TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M, cleanups ...func()) {
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	if admin != nil {
		admin.Close()
	}
	if embedded != nil {
		if err := embedded.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
		_ = os.RemoveAll(embedded.DataDir())
	}
	os.Exit(code)
}

// DSN returns a postgres:// URL for a fresh database of this test's own,
// migrated to the latest schema. The database is dropped when the test ends
// if it passed, and kept (its name logged) if it failed.
func DSN(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := connectServer(ctx); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	tpl, err := template(ctx)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := databaseName(t.Name())
	q := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " TEMPLATE " + pgx.Identifier{tpl}.Sanitize()
	if _, err := admin.Exec(ctx, q); err != nil {
		t.Fatalf("pgtest: creating the test database: %v", err)
	}
	dsn := withDatabase(baseDSN, name)
	t.Cleanup(func() { dropOrKeep(t, name, dsn) })
	return dsn
}

// Pool returns a pool on a fresh database of this test's own (see DSN),
// closed when the test ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), DSN(t))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// dropOrKeep drops the test's database, or keeps it for inspection when the
// test failed.
func dropOrKeep(t testing.TB, name, dsn string) {
	if t.Failed() {
		where := ""
		if embedded != nil {
			where = " (in a throwaway cluster removed when the test binary exits: set TEST_DATABASE_URL to keep it)"
		}
		t.Logf("pgtest: kept database %s for inspection%s: %s", name, where, dsn)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// FORCE: a pool or connection the test leaked must not make DROP fail.
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("pgtest: dropping %s: %v", name, err)
	}
}

// connectServer picks the server, starting the throwaway cluster on first
// use, and opens the admin pool; once per process.
func connectServer(ctx context.Context) error {
	serverOnce.Do(func() {
		baseDSN, serverErr = pickServer(ctx)
		if serverErr == nil {
			admin, serverErr = pgxpool.New(ctx, baseDSN)
		}
	})
	return serverErr
}

// pickServer returns TEST_DATABASE_URL, DATABASE_URL, or a DSN on a new
// throwaway cluster.
func pickServer(ctx context.Context) (string, error) {
	for _, k := range []string{"TEST_DATABASE_URL", "DATABASE_URL"} {
		if v := os.Getenv(k); v != "" {
			return v, nil
		}
	}
	// Not t.TempDir and not under $HOME: as root the server runs as the
	// postgres user, which must be able to traverse every parent.
	root := "/var/tmp"
	if _, err := os.Stat(root); err != nil {
		root = os.TempDir()
	}
	dir, err := os.MkdirTemp(root, "franja-pgtest-")
	if err != nil {
		return "", err
	}
	s, err := pgembed.Start(ctx, pgembed.Options{DataDir: dir, Database: "postgres", SocketOnly: true, Fast: true})
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("no TEST_DATABASE_URL or DATABASE_URL, and starting a throwaway PostgreSQL failed: %w", err)
	}
	embedded = s
	return s.DSN("postgres"), nil
}

// template returns the name of the migrated template database for the
// current migrations, creating it once per process.
func template(ctx context.Context) (string, error) {
	name := "franja_tpl_" + migrations.Hash()
	templateMu.Lock()
	defer templateMu.Unlock()
	if templateReady[name] {
		return name, nil
	}
	if err := ensureTemplate(ctx, baseDSN, name); err != nil {
		return "", err
	}
	templateReady[name] = true
	return name, nil
}

// ensureTemplate creates the migrated template database name unless it
// exists. Why the lock: `go test ./...` runs package binaries in parallel
// against one TEST_DATABASE_URL, and exactly one of them must build it. It is
// built under another name and renamed when complete, so existence means
// fully migrated, even if a builder was killed halfway.
func ensureTemplate(ctx context.Context, base, name string) error {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("connecting to the server: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx)) // also releases the lock
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockKey); err != nil {
		return fmt.Errorf("locking: %w", err)
	}
	var exists bool
	const q = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`
	if err := conn.QueryRow(ctx, q, name).Scan(&exists); err != nil || exists {
		return err
	}
	build := pgx.Identifier{name + "_build"}.Sanitize()
	stmts := []string{"DROP DATABASE IF EXISTS " + build + " WITH (FORCE)", "CREATE DATABASE " + build}
	if err := execAll(ctx, conn, stmts...); err != nil {
		return err
	}
	if err := migrations.Up(ctx, withDatabase(base, name+"_build")); err != nil {
		return fmt.Errorf("migrating the template: %w", err)
	}
	// IS_TEMPLATE lets a role with only CREATEDB clone it. The rename waits
	// (up to 5 s, in PostgreSQL) for migrate's closed sessions to go away.
	return execAll(ctx, conn, "ALTER DATABASE "+build+" IS_TEMPLATE true",
		"ALTER DATABASE "+build+" RENAME TO "+pgx.Identifier{name}.Sanitize())
}

func execAll(ctx context.Context, conn *pgx.Conn, stmts ...string) error {
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// databaseName returns a new database name that tells which test made it:
// test_<test name, sanitized>_<random>, within PostgreSQL's 63 bytes.
func databaseName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= 40 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	random := make([]byte, 6)
	_, _ = rand.Read(random)
	return "test_" + b.String() + "_" + hex.EncodeToString(random)
}

// withDatabase returns dsn (a URL or a key=value string) aimed at database.
func withDatabase(dsn, database string) string {
	u, err := url.Parse(dsn)
	if err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + database
		u.RawPath = ""
		return u.String()
	}
	// In key=value strings the last occurrence of a key wins.
	return dsn + " dbname=" + database
}
