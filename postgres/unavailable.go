package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"franja/domain"
)

// The classes of database failure the store tells apart (metrics name them):
// every one but ErrClassOther is answered 503 with Retry-After.
const (
	ErrClassConnection  = "connection"   // cannot connect, or the connection broke
	ErrClassShutdown    = "shutdown"     // the server is shutting down or starting up
	ErrClassTooMany     = "too_many"     // too many connections
	ErrClassTimeout     = "timeout"      // statement_timeout, or the request's deadline
	ErrClassLockTimeout = "lock_timeout" // lock_timeout: a lock held elsewhere for too long
	ErrClassOther       = "other"        // anything else unexpected: a 500
)

// errorCounts counts the failures translated at the boundary, by class.
var errorCounts sync.Map // class → *atomic.Int64

func countError(class string) {
	c, _ := errorCounts.LoadOrStore(class, new(atomic.Int64))
	c.(*atomic.Int64).Add(1)
}

// ErrorCounts returns how many database failures of each class the store
// has met since start (for metrics).
func ErrorCounts() map[string]int64 {
	out := map[string]int64{}
	for _, c := range []string{ErrClassConnection, ErrClassShutdown, ErrClassTooMany, ErrClassTimeout, ErrClassLockTimeout, ErrClassOther} {
		out[c] = 0
	}
	errorCounts.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// unavailableClass returns the class of err when it means the database
// cannot answer now (down, unreachable, shutting down, out of connections,
// or too slow: a statement or lock timeout, the request's deadline), and ""
// for any other error. Such failures are the dependency's, never the
// client's: they become EUnavailable (503 with Retry-After).
func unavailableClass(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"): // connection_exception
			return ErrClassConnection
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // admin/crash shutdown, cannot_connect_now
			return ErrClassShutdown
		case pgErr.Code == "53300": // too_many_connections
			return ErrClassTooMany
		case pgErr.Code == "57014": // query_canceled: statement_timeout, or our deadline's cancel request
			return ErrClassTimeout
		case pgErr.Code == "55P03": // lock_not_available: lock_timeout
			return ErrClassLockTimeout
		}
		return ""
	}
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), pgconn.Timeout(err):
		return ErrClassTimeout
	case errors.As(err, &connectErr), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &netErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		pgconn.SafeToRetry(err):
		return ErrClassConnection
	}
	return ""
}

// unavailable returns the EUnavailable error for err when unavailableClass
// has a class for it (counting it), else nil.
func unavailable(err error) error {
	class := unavailableClass(err)
	if class == "" {
		return nil
	}
	countError(class)
	if class == ErrClassLockTimeout || class == ErrClassTimeout {
		return domain.Errorf(domain.EUnavailable, "the database is too busy to answer in time; try again in a few seconds")
	}
	return domain.Errorf(domain.EUnavailable, "the database is not answering; try again in a few seconds")
}

// Translate is the boundary for errors the store did not translate itself
// (a transaction's body, a caller's own query on the pool): a domain error
// is kept, a database that cannot answer becomes EUnavailable, anything
// else is returned as it is (an internal error).
func Translate(err error) error {
	var de *domain.Error
	if err == nil || errors.As(err, &de) {
		return err
	}
	if u := unavailable(err); u != nil {
		return u
	}
	return err
}
