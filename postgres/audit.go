package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one contact let through by an exception.
type AuditEntry struct {
	ID            int64     `json:"id"`
	Requester     string    `json:"requester"`
	Person        string    `json:"person"`
	Post          string    `json:"post"`
	Purpose       string    `json:"purpose"`
	Channel       string    `json:"channel"`
	Justification string    `json:"justification"`
	At            time.Time `json:"at"`
	AskedAt       time.Time `json:"asked_at"`
	Decision      string    `json:"decision"`
	Reasons       []string  `json:"reasons"`
	Exception     string    `json:"exception"`
	APIKey        string    `json:"api_key"`
	RequestID     string    `json:"request_id"`
	// ClientRequestID is the caller's own X-Request-Id, for its
	// correlation: chosen by the caller, so never evidence.
	ClientRequestID string `json:"client_request_id"`
}

// RecordExceptions writes entries in one transaction and returns their ids.
// The caller gives its answer only once this has committed: no audit row, no
// exception.
func (s *Store) RecordExceptions(ctx context.Context, entries []*AuditEntry) ([]int64, error) {
	const q = `INSERT INTO audit_exceptions
		(requester, person, post, purpose, channel, justification, at, decision, reasons, exception, api_key, request_id, client_request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`
	ids := make([]int64, len(entries))
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		for _, e := range entries {
			batch.Queue(q, e.Requester, e.Person, e.Post, e.Purpose, e.Channel, e.Justification, e.At,
				e.Decision, e.Reasons, e.Exception, e.APIKey, e.RequestID, e.ClientRequestID)
		}
		br := tx.SendBatch(ctx, batch)
		for i := range entries {
			if err := br.QueryRow().Scan(&ids[i]); err != nil {
				br.Close()
				return err
			}
		}
		return br.Close()
	})
	if err != nil {
		return nil, translate(err, "audit records")
	}
	return ids, nil
}

// AccessEntry records who saw personal data.
type AccessEntry struct {
	APIKey, Role, What, Person, RequestID string
	ClientRequestID                       string // the caller's own id, never evidence
}

// RecordAccess appends to the access log.
func (s *Store) RecordAccess(ctx context.Context, e AccessEntry) error {
	return s.RecordAccesses(ctx, []AccessEntry{e})
}

// RecordAccesses appends entries to the access log in one statement, in
// their order (a batch of checks about many people on leave is one insert,
// not one per person).
func (s *Store) RecordAccesses(ctx context.Context, entries []AccessEntry) error {
	const q = `INSERT INTO access_log (api_key, role, what, person, request_id, client_request_id)
		SELECT k, r, w, p, q, c FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
			WITH ORDINALITY AS e(k, r, w, p, q, c, n)
		ORDER BY n`
	if len(entries) == 0 {
		return nil
	}
	cols := make([][]string, 6)
	for i := range cols {
		cols[i] = make([]string, len(entries))
	}
	for i, e := range entries {
		cols[0][i], cols[1][i], cols[2][i], cols[3][i], cols[4][i], cols[5][i] = e.APIKey, e.Role, e.What, e.Person, e.RequestID, e.ClientRequestID
	}
	_, err := s.pool.Exec(ctx, q, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5])
	return translate(err, "access log entry")
}

// AuditFilter selects audit rows: asked in [From, To), optionally by
// requester and person, after the id After (keyset pagination, newest last).
type AuditFilter struct {
	From, To          time.Time
	Requester, Person string
	After             int64
	Limit             int
}

// ListExceptions returns audit rows in the order they were written, and the
// id to resume after (0 on the last page).
func (s *Store) ListExceptions(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error) {
	const q = `SELECT id, requester, person, post, purpose, channel, justification, at, asked_at,
			decision, reasons, exception, api_key, request_id, client_request_id
		FROM audit_exceptions
		WHERE asked_at >= $1 AND asked_at < $2 AND ($3 = '' OR requester = $3) AND ($4 = '' OR person = $4) AND id > $5
		ORDER BY id LIMIT $6`
	rows, err := s.pool.Query(ctx, q, f.From, f.To, f.Requester, f.Person, f.After, f.Limit+1)
	if err != nil {
		return nil, 0, translate(err, "audit log")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.Requester, &e.Person, &e.Post, &e.Purpose, &e.Channel, &e.Justification, &e.At, &e.AskedAt,
			&e.Decision, &e.Reasons, &e.Exception, &e.APIKey, &e.RequestID, &e.ClientRequestID)
		return e, err
	})
	if err != nil {
		return nil, 0, translate(err, "audit log")
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// ExceptionCount is a number of exception contacts by a key (a requester or
// a post).
type ExceptionCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// CountExceptions counts the exception contacts asked in [from, to), per
// requester and per post, most first.
func (s *Store) CountExceptions(ctx context.Context, from, to time.Time) (byRequester, byPost []ExceptionCount, err error) {
	const q = `SELECT %s, count(*) FROM audit_exceptions WHERE asked_at >= $1 AND asked_at < $2 GROUP BY 1 ORDER BY 2 DESC, 1`
	count := func(col string) ([]ExceptionCount, error) {
		rows, err := s.pool.Query(ctx, fmt.Sprintf(q, col), from, to)
		if err != nil {
			return nil, translate(err, "audit report")
		}
		counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ExceptionCount, error) {
			var c ExceptionCount
			return c, r.Scan(&c.Key, &c.Count)
		})
		return counts, translate(err, "audit report")
	}
	if byRequester, err = count("requester"); err != nil {
		return nil, nil, err
	}
	byPost, err = count("post")
	return byRequester, byPost, err
}
