// Package postgres implements Franja's storage on PostgreSQL with pgx. SQL is
// written out beside each method; pgx errors are translated to domain errors
// once, here at the boundary.
package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/domain"
)

// Store is the PostgreSQL-backed store.
type Store struct {
	pool   *pgxpool.Pool
	health health
}

// Options tune a pool; zero values take the defaults.
type Options struct {
	// MaxConns caps the pool (default DefaultMaxConns).
	MaxConns int32
	// ConnectTimeout bounds each connection attempt (default
	// DefaultConnectTimeout, unless the DSN sets connect_timeout).
	ConnectTimeout time.Duration
	// StatementTimeout and LockTimeout are the sessions' statement_timeout
	// and lock_timeout (defaults DefaultStatementTimeout and
	// DefaultLockTimeout; negative: none). A transaction left idle is ended
	// after twice the statement timeout.
	StatementTimeout, LockTimeout time.Duration
	// AppName is the sessions' application_name (default "franja").
	AppName string
}

// The defaults of Options.
const (
	DefaultMaxConns         = 16
	DefaultConnectTimeout   = 5 * time.Second
	DefaultStatementTimeout = 30 * time.Second
	DefaultLockTimeout      = 5 * time.Second
)

// Open connects a pool to dsn (lazily: see Ping) and returns a store on it.
func Open(ctx context.Context, dsn string, o Options) (*Store, error) {
	pool, err := OpenPool(ctx, dsn, o)
	if err != nil {
		return nil, err
	}
	return New(pool), nil
}

// OpenPool returns a pool on dsn configured by o. It connects lazily, so it
// succeeds while the database is down.
func OpenPool(ctx context.Context, dsn string, o Options) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parsing the database URL: %w", err)
	}
	cfg.MaxConns = cmp.Or(o.MaxConns, DefaultMaxConns)
	cfg.MinConns = 0
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = cmp.Or(o.ConnectTimeout, DefaultConnectTimeout)
	}
	params := cfg.ConnConfig.RuntimeParams
	params["application_name"] = cmp.Or(o.AppName, "franja")
	if st := cmp.Or(o.StatementTimeout, DefaultStatementTimeout); st > 0 {
		params["statement_timeout"] = millis(st)
		params["idle_in_transaction_session_timeout"] = millis(2 * st)
	}
	if lt := cmp.Or(o.LockTimeout, DefaultLockTimeout); lt > 0 {
		params["lock_timeout"] = millis(lt)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return pool, nil
}

func millis(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// New wraps an existing pool (tests).
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Pool returns the underlying pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// translate maps pgx errors to domain errors at the boundary: no rows → not
// found, unique violation → conflict, check/foreign-key violation → invalid.
// A database that cannot answer is unavailable (see unavailableClass).
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
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if u := unavailable(err); u != nil {
		return u
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
	countError(ErrClassOther)
	return fmt.Errorf("%s: %w", what, err)
}
