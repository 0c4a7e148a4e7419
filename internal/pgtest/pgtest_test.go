package pgtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"franja/migrations"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { Main(m) }

func currentDatabase(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var name string
	if err := pool.QueryRow(t.Context(), "select current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	var exists bool
	const q = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`
	if err := admin.QueryRow(t.Context(), q, name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	return exists
}

func TestParallelTestsGetTheirOwnMigratedDatabase(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{} // database → test
	t.Run("group", func(t *testing.T) {
		for i := range 4 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				dsn := DSN(t)
				if v, dirty, err := migrations.Version(dsn); err != nil || dirty || v != migrations.Latest() {
					t.Errorf("migrations.Version = %d, %v, %v; want %d, clean", v, dirty, err, migrations.Latest())
				}
				pool, err := pgxpool.New(t.Context(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer pool.Close()
				// The same primary key in every test: shared databases would
				// make all but one of these inserts fail.
				if _, err := pool.Exec(t.Context(), "INSERT INTO franja_meta (key, value) VALUES ('owner', $1)", t.Name()); err != nil {
					t.Fatalf("insert into franja_meta: %v", err)
				}
				rows, _ := pool.Query(t.Context(), "SELECT value FROM franja_meta WHERE key = 'owner'")
				owners, err := pgx.CollectRows(rows, pgx.RowTo[string])
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]string{t.Name()}, owners); diff != "" {
					t.Errorf("owners (-want +got):\n%s", diff)
				}
				mu.Lock()
				seen[currentDatabase(t, pool)] = t.Name()
				mu.Unlock()
			})
		}
	})
	if len(seen) != 4 {
		t.Errorf("4 tests used %d databases: %v", len(seen), seen)
	}
	for db := range seen {
		if databaseExists(t, db) {
			t.Errorf("database %s of a passed test was not dropped", db)
		}
	}
}

func TestWritesInOneDatabaseAreInvisibleInAnother(t *testing.T) {
	a, b := Pool(t), Pool(t)
	if _, err := a.Exec(t.Context(), "CREATE TABLE only_in_a (n int); INSERT INTO franja_meta VALUES ('a', 'x')"); err != nil {
		t.Fatal(err)
	}
	var table *string
	var count int
	err := b.QueryRow(t.Context(), "SELECT to_regclass('only_in_a')::text, (SELECT count(*) FROM franja_meta WHERE key = 'a')").Scan(&table, &count)
	if err != nil {
		t.Fatal(err)
	}
	if table != nil || count != 0 {
		t.Errorf("b sees a's writes: table only_in_a %v, %d franja_meta rows", table != nil, count)
	}
}

// fakeTB records cleanups and logs, and fails on demand, so that the
// drop-or-keep rule can be checked from a passing test.
type fakeTB struct {
	testing.TB
	failed   bool
	cleanups []func()
	logs     []string
}

func (f *fakeTB) Failed() bool            { return f.failed }
func (f *fakeTB) Cleanup(fn func())       { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Logf(s string, a ...any) { f.logs = append(f.logs, fmt.Sprintf(s, a...)) }

func databaseOf(t *testing.T, dsn string) string {
	t.Helper()
	conf, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return conf.Database
}

func TestDatabaseDroppedOnPassKeptOnFailure(t *testing.T) {
	for _, failed := range []bool{false, true} {
		t.Run(fmt.Sprint("failed=", failed), func(t *testing.T) {
			f := &fakeTB{TB: t, failed: failed}
			name := databaseOf(t, DSN(f))
			if !databaseExists(t, name) {
				t.Fatalf("database %s was not created", name)
			}
			for _, fn := range f.cleanups {
				fn()
			}
			if got := databaseExists(t, name); got != failed {
				t.Errorf("after cleanup, database exists = %v, want %v", got, failed)
			}
			if failed {
				if len(f.logs) != 1 || !strings.Contains(f.logs[0], name) {
					t.Errorf("logs = %q, want one naming %s", f.logs, name)
				}
				if _, err := admin.Exec(t.Context(), "DROP DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestConcurrentTemplateBuilders plays several test binaries building the
// same template at once: each uses its own session, as separate processes
// would, bypassing the in-process mutex.
func TestConcurrentTemplateBuilders(t *testing.T) {
	if err := connectServer(t.Context()); err != nil {
		t.Fatal(err)
	}
	name := databaseName("franja_tpl_race")
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = ensureTemplate(t.Context(), baseDSN, name) })
	}
	wg.Wait()
	t.Cleanup(func() {
		q := pgx.Identifier{name}.Sanitize()
		admin.Exec(context.Background(), "ALTER DATABASE "+q+" IS_TEMPLATE false")
		admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+q)
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("builder %d: %v", i, err)
		}
	}
	if v, dirty, err := migrations.Version(withDatabase(baseDSN, name)); err != nil || dirty || v != migrations.Latest() {
		t.Errorf("template version = %d, %v, %v; want %d, clean", v, dirty, err, migrations.Latest())
	}
	if databaseExists(t, name+"_build") {
		t.Errorf("%s_build left behind", name)
	}
}

func TestDatabaseName(t *testing.T) {
	tests := []struct {
		testName   string
		wantPrefix string
	}{
		{"TestX", "test_testx_"},
		{"TestX/sub case-1", "test_testx_sub_case_1_"},
		{strings.Repeat("A", 80), "test_" + strings.Repeat("a", 40) + "_"},
		{"TestÄé", "test_test___"},
	}
	for _, tt := range tests {
		got := databaseName(tt.testName)
		if !strings.HasPrefix(got, tt.wantPrefix) || len(got) != len(tt.wantPrefix)+12 || len(got) > 63 {
			t.Errorf("databaseName(%q) = %q, want %q + 12 hex digits, at most 63 bytes", tt.testName, got, tt.wantPrefix)
		}
	}
	if a, b := databaseName("TestX"), databaseName("TestX"); a == b {
		t.Errorf("two calls gave the same name %s", a)
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://franja@/postgres?host=%2Fvar%2Ftmp%2Fx&sslmode=disable", "postgres://franja@/db1?host=%2Fvar%2Ftmp%2Fx&sslmode=disable"},
		{"postgresql://u:p@h:5433/other", "postgresql://u:p@h:5433/db1"},
		{"postgres://u@h", "postgres://u@h/db1"},
		{"host=/tmp dbname=other user=u", "host=/tmp dbname=other user=u dbname=db1"},
	}
	for _, tt := range tests {
		got := withDatabase(tt.dsn, "db1")
		if got != tt.want {
			t.Errorf("withDatabase(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
		conf, err := pgx.ParseConfig(got)
		if err != nil || conf.Database != "db1" {
			t.Errorf("pgx reads %q as database %v (%v), want db1", got, conf, err)
		}
	}
}
