// Package migrations holds the database schema as golang-migrate files,
// embedded once and applied the same way by the server, the CLI and the tests.
package migrations

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // registers pgx5://
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

//go:embed *.sql
var files embed.FS

// ErrDirty reports a schema left half-migrated by a failed migration.
var ErrDirty = errors.New("database schema is dirty")

// Hash returns a digest of every migration file, so that test templates are
// rebuilt whenever the schema changes.
func Hash() string {
	names, _ := fs.Glob(files, "*.sql")
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, _ := files.ReadFile(n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// open returns a migrate instance on dsn (a postgres:// URL). The driver takes
// migrate's advisory lock when it is created and again around Up, so several
// replicas starting at once apply each migration exactly once; lock_timeout in
// the DSN bounds the first of those waits, which has no timeout of its own.
func open(dsn string) (*migrate.Migrate, error) {
	src, err := iofs.New(files, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, driverURL(dsn))
	if err != nil {
		return nil, fmt.Errorf("migrations: connecting: %w", err)
	}
	return m, nil
}

// driverURL rewrites a postgres:// URL (or key=value DSN) into the pgx5://
// URL golang-migrate's pgx driver wants, with a bounded lock wait.
func driverURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return dsn
	}
	u.Scheme = "pgx5"
	q := u.Query()
	if q.Get("x-migrations-table") == "" {
		q.Set("x-migrations-table", "schema_migrations")
	}
	if q.Get("lock_timeout") == "" {
		// Bounds every lock wait of the migrating session, the advisory
		// lock behind a stuck replica included: start-up fails with an
		// error instead of hanging.
		q.Set("lock_timeout", "60s")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Up applies every pending migration. A dirty schema is reported as ErrDirty
// with the version, so the caller can name `franja migrate force`.
func Up(ctx context.Context, dsn string) error {
	m, err := open(dsn)
	if err != nil {
		return err
	}
	defer m.Close()
	// Dirtiness is judged by m.Up, under migrate's lock: read before it, the
	// flag is also set while another replica is applying a migration.
	stop := context.AfterFunc(ctx, func() { m.GracefulStop <- true })
	defer stop()
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		var dirtyErr migrate.ErrDirty
		if errors.As(err, &dirtyErr) {
			return fmt.Errorf("%w at version %d: fix the cause, then run `franja migrate force %d`", ErrDirty, dirtyErr.Version, dirtyErr.Version-1)
		}
		return fmt.Errorf("migrations: up: %w", err)
	}
	return nil
}

// Version returns the applied version and whether it is dirty (0, false when
// nothing is applied).
func Version(dsn string) (uint, bool, error) {
	m, err := open(dsn)
	if err != nil {
		return 0, false, err
	}
	defer m.Close()
	v, dirty, err := m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, nil
	}
	return v, dirty, err
}

// Latest returns the highest version among the embedded files.
func Latest() uint {
	names, _ := fs.Glob(files, "*.up.sql")
	var max uint
	for _, n := range names {
		var v uint
		if _, err := fmt.Sscanf(strings.SplitN(n, "_", 2)[0], "%d", &v); err == nil && v > max {
			max = v
		}
	}
	return max
}

// Force sets the recorded version without running anything and clears the
// dirty flag: the way out after a failed migration has been fixed by hand.
func Force(dsn string, version int) error {
	m, err := open(dsn)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Force(version)
}
