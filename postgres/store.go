// Package postgres implements Franja's storage on PostgreSQL with pgx. SQL is
// written out beside each method; pgx errors are translated to domain errors
// once, here at the boundary.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/domain"
	"franja/migrations"
)

// Store is the PostgreSQL-backed store.
type Store struct {
	pool *pgxpool.Pool
}

// Open connects a pool to dsn.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parsing DATABASE_URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connecting: %w", err)
	}
	return &Store{pool: pool}, nil
}

// New wraps an existing pool (tests).
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Pool returns the underlying pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Ready reports whether the database answers and carries the latest schema.
func (s *Store) Ready(ctx context.Context) error {
	var v int64
	var dirty bool
	err := s.pool.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations LIMIT 1`).Scan(&v, &dirty)
	if err != nil {
		return fmt.Errorf("database not reachable or not migrated: %w", err)
	}
	if dirty || uint(v) != migrations.Latest() {
		return fmt.Errorf("schema at version %d (dirty=%v), want %d", v, dirty, migrations.Latest())
	}
	return nil
}

// translate maps pgx errors to domain errors at the boundary: no rows → not
// found, unique violation → conflict, check/foreign-key violation → invalid.
// Anything else is wrapped as internal.
//
// format and args name the thing at fault ("post %s"), in words the
// catalogue translates.
func translate(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := domain.T(format, args...)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Errorf(domain.ENotFound, "%s not found", what)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return domain.Errorf(domain.EConflict, "%s already exists (%s)", what, pgErr.ConstraintName)
		case "23503":
			return domain.Errorf(domain.EConflict, "%s refers to something that does not exist, or is still referred to (%s)", what, pgErr.ConstraintName)
		case "23514", "23P01":
			return domain.Errorf(domain.EInvalid, "%s breaks the rule %s", what, pgErr.ConstraintName)
		case "22021", "22P05": // a NUL or invalid UTF-8 in text: the client's
			return domain.Errorf(domain.EMalformed, "%s holds text that is not UTF-8 or has a NUL character", what)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}
