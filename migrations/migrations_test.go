package migrations_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"franja/internal/pgtest"
	"franja/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestUpIsIdempotentAndReportsTheVersion(t *testing.T) {
	dsn := pgtest.DSN(t) // already migrated from the template
	if err := migrations.Up(context.Background(), dsn); err != nil {
		t.Fatalf("Up on a migrated database: %v", err)
	}
	v, dirty, err := migrations.Version(dsn)
	if err != nil || dirty || v != migrations.Latest() {
		t.Fatalf("version %d dirty %v (%v), want %d clean", v, dirty, err, migrations.Latest())
	}
}

func TestDirtySchemaStopsUpAndNamesForce(t *testing.T) {
	dsn := pgtest.DSN(t)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// What a migration that failed halfway leaves behind.
	if _, err := conn.Exec(context.Background(), `UPDATE schema_migrations SET dirty = true`); err != nil {
		t.Fatal(err)
	}
	err = migrations.Up(context.Background(), dsn)
	if !errors.Is(err, migrations.ErrDirty) || !strings.Contains(err.Error(), "franja migrate force") {
		t.Fatalf("Up on a dirty schema: %v, want ErrDirty naming franja migrate force", err)
	}
	// force clears it, and Up then succeeds.
	latest := int(migrations.Latest())
	if err := migrations.Force(dsn, latest); err != nil {
		t.Fatal(err)
	}
	if err := migrations.Up(context.Background(), dsn); err != nil {
		t.Fatalf("Up after force: %v", err)
	}
}

// emptyDatabase creates an unmigrated database beside the test's own.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	dsn := pgtest.DSN(t)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	name := "empty_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	if _, err := conn.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), dsn); err == nil {
			_, _ = c.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestConcurrentUpsAgree(t *testing.T) {
	// Replicas starting together on an empty database: the advisory lock
	// serialises them, and each migration is applied once.
	dsn := emptyDatabase(t)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() { errs <- migrations.Up(context.Background(), dsn) }()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Up: %v", err)
		}
	}
	v, dirty, err := migrations.Version(dsn)
	if err != nil || dirty || v != migrations.Latest() {
		t.Fatalf("after concurrent Ups: version %d dirty %v (%v)", v, dirty, err)
	}
}
