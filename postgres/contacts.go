package postgres

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"franja/domain"
)

// Contact is one recorded contact attempt (table contacts) with its current
// status (contact_state).
type Contact struct {
	ID               int64
	At               time.Time
	Person           string
	Post             string
	Requester        string
	APIKey           string
	Role             string
	Channel          string
	Purpose          string
	OfficialDocument bool
	Duration         time.Duration
	Justification    string
	Decision         string
	Reasons          []string
	OutsideAllowed   bool
	Exception        string
	NextAllowedAt    *time.Time
	Webhook          *int64
	Payload          []byte // JSON, nil without a delivery
	DeliverBy        *time.Time
	IdempotencyKey   string
	RequestSHA256    []byte
	RequestID        string

	// The current state.
	Status    string
	DeliverAt *time.Time
	Attempts  int
	SlotAt    *time.Time
	UpdatedAt time.Time
}

// ContactEvent is one change of a contact's status.
type ContactEvent struct {
	At      time.Time
	Status  string
	Attempt int
	Detail  string
}

// ErrIdempotencyMismatch is returned by CreateContact when the key was used
// for a different request.
var ErrIdempotencyMismatch = errors.New("idempotency key reused with a different request")

const contactColumns = `c.id, c.at, c.person, c.post, c.requester, c.api_key, c.role, c.channel, c.purpose,
	c.official_document, c.duration_seconds, c.justification, c.decision, c.reasons, c.outside_allowed, c.exception,
	c.next_allowed_at, c.webhook, c.payload, c.deliver_by, coalesce(c.idempotency_key, ''), c.request_sha256, c.request_id,
	s.status, s.deliver_at, s.attempts, s.slot_at, s.updated_at`

func scanContact(r pgx.Row) (*Contact, error) {
	var c Contact
	var secs int
	err := r.Scan(&c.ID, &c.At, &c.Person, &c.Post, &c.Requester, &c.APIKey, &c.Role, &c.Channel, &c.Purpose,
		&c.OfficialDocument, &secs, &c.Justification, &c.Decision, &c.Reasons, &c.OutsideAllowed, &c.Exception,
		&c.NextAllowedAt, &c.Webhook, &c.Payload, &c.DeliverBy, &c.IdempotencyKey, &c.RequestSHA256, &c.RequestID,
		&c.Status, &c.DeliverAt, &c.Attempts, &c.SlotAt, &c.UpdatedAt)
	c.Duration = time.Duration(secs) * time.Second
	return &c, err
}

// CreateContact records c (its Status and DeliverAt are its first state)
// and, in the same transaction, calls schedule for a contact to deliver, so
// that a contact is recorded with its delivery job or not at all. With an
// idempotency key already used by the same key, it returns the contact
// recorded then and created false (or ErrIdempotencyMismatch when the
// request's digest differs), writing nothing.
func (s *Store) CreateContact(ctx context.Context, c *Contact, schedule func(tx pgx.Tx, id int64) error) (out *Contact, created bool, err error) {
	// One statement records the contact, its state and its first event:
	// the chains' heads stay locked (serializing contacts) for as short a
	// time as can be.
	const ins = `WITH c AS (
			INSERT INTO contacts (at, person, post, requester, api_key, role, channel, purpose, official_document,
				duration_seconds, justification, decision, reasons, outside_allowed, exception, next_allowed_at, webhook,
				payload, deliver_by, idempotency_key, request_sha256, request_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, nullif($20, ''), $21, $22)
			ON CONFLICT (api_key, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
			RETURNING id),
		s AS (INSERT INTO contact_state (contact, status, deliver_at) SELECT id, $23, $24 FROM c),
		e AS (INSERT INTO contact_events (contact, status) SELECT id, $23 FROM c)
		SELECT id FROM c`
	var id int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, ins, c.At, c.Person, c.Post, c.Requester, c.APIKey, c.Role, c.Channel, c.Purpose,
			c.OfficialDocument, int(c.Duration/time.Second), c.Justification, c.Decision, c.Reasons, c.OutsideAllowed,
			c.Exception, c.NextAllowedAt, c.Webhook, c.Payload, c.DeliverBy, c.IdempotencyKey, c.RequestSHA256,
			c.RequestID, c.Status, c.DeliverAt).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // the key was used: read what it made, below
		}
		if err != nil {
			return err
		}
		created = true
		if schedule != nil {
			return schedule(tx, id)
		}
		return nil
	})
	if err != nil {
		return nil, false, translate(err, "contact")
	}
	if !created {
		prev, err := s.contactByKey(ctx, c.APIKey, c.IdempotencyKey)
		if err != nil {
			return nil, false, err
		}
		if !bytes.Equal(prev.RequestSHA256, c.RequestSHA256) {
			return prev, false, ErrIdempotencyMismatch
		}
		return prev, false, nil
	}
	out, err = s.GetContact(ctx, id)
	return out, true, err
}

func (s *Store) contactByKey(ctx context.Context, key, idem string) (*Contact, error) {
	q := `SELECT ` + contactColumns + ` FROM contacts c JOIN contact_state s ON s.contact = c.id
		WHERE c.api_key = $1 AND c.idempotency_key = $2`
	c, err := scanContact(s.pool.QueryRow(ctx, q, key, idem))
	return c, translate(err, "contact")
}

// GetContact returns contact id with its current state.
func (s *Store) GetContact(ctx context.Context, id int64) (*Contact, error) {
	q := `SELECT ` + contactColumns + ` FROM contacts c JOIN contact_state s ON s.contact = c.id WHERE c.id = $1`
	c, err := scanContact(s.pool.QueryRow(ctx, q, id))
	return c, translate(err, "contact %d", id)
}

// ContactEvents returns contact id's status history, oldest first.
func (s *Store) ContactEvents(ctx context.Context, id int64) ([]ContactEvent, error) {
	const q = `SELECT at, status, attempt, detail FROM contact_events WHERE contact = $1 ORDER BY id`
	rows, err := s.pool.Query(ctx, q, id)
	if err != nil {
		return nil, translate(err, "contact %d", id)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ContactEvent, error) {
		var e ContactEvent
		return e, r.Scan(&e.At, &e.Status, &e.Attempt, &e.Detail)
	})
	return out, translate(err, "contact %d", id)
}

// ContactFilter selects contacts made in [From, To), optionally by person,
// requester, status and the key that made them, after the id After, at
// most Limit.
type ContactFilter struct {
	From, To                          time.Time
	Person, Requester, Status, APIKey string
	After                             int64
	Limit                             int
}

// ListContacts returns contacts in the order they were recorded, and the id
// to resume after (0 on the last page).
func (s *Store) ListContacts(ctx context.Context, f ContactFilter) ([]*Contact, int64, error) {
	q := `SELECT ` + contactColumns + ` FROM contacts c JOIN contact_state s ON s.contact = c.id
		WHERE c.at >= $1 AND c.at < $2 AND ($3 = '' OR c.person = $3) AND ($4 = '' OR c.requester = $4)
			AND ($5 = '' OR s.status = $5) AND ($8 = '' OR c.api_key = $8) AND c.id > $6
		ORDER BY c.id LIMIT $7`
	rows, err := s.pool.Query(ctx, q, f.From, f.To, f.Person, f.Requester, f.Status, f.After, f.Limit+1, f.APIKey)
	if err != nil {
		return nil, 0, translate(err, "contacts")
	}
	var out []*Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			rows.Close()
			return nil, 0, translate(err, "contacts")
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, translate(err, "contacts")
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// Transition is a change of a contact's status.
type Transition struct {
	// From are the statuses the change applies to: from any other, it is
	// not made.
	From    []string
	To      string
	Attempt int
	Detail  string
	// DeliverAt and SlotAt become the state's (nil clears them).
	DeliverAt, SlotAt *time.Time
}

// TransitionContact changes contact id's status as t says, recording the
// event, and reports whether it did (false: the contact was not in one of
// t.From, e.g. cancelled meanwhile).
func (s *Store) TransitionContact(ctx context.Context, id int64, t Transition) (bool, error) {
	const upd = `UPDATE contact_state SET status = $2, deliver_at = $3, slot_at = $4, attempts = greatest(attempts, $5), updated_at = now()
		WHERE contact = $1 AND status = ANY($6)`
	const event = `INSERT INTO contact_events (contact, status, attempt, detail) VALUES ($1, $2, $3, $4)`
	done := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, upd, id, t.To, t.DeliverAt, t.SlotAt, t.Attempt, t.From)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		done = true
		_, err = tx.Exec(ctx, event, id, t.To, t.Attempt, t.Detail)
		return err
	})
	return done, translate(err, "contact %d", id)
}

// SetContactSlot records the delivery slot reserved for contact id.
func (s *Store) SetContactSlot(ctx context.Context, id int64, slot time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE contact_state SET slot_at = $2 WHERE contact = $1`, id, slot)
	return translate(err, "contact %d", id)
}

// ContactCount is a line of the monthly contacts report.
type ContactCount struct {
	Requester, Person, Post string
	Attempts                int
	OutsideAllowed          int
	Exceptions              int
}

// CountContacts counts the contacts whose instant is in [from, to), per
// requester→person pair and post (the caller sums them per requester and
// per post).
func (s *Store) CountContacts(ctx context.Context, from, to time.Time) ([]ContactCount, error) {
	const q = `SELECT requester, person, post, count(*), count(*) FILTER (WHERE outside_allowed),
			count(*) FILTER (WHERE exception <> '')
		FROM contacts WHERE at >= $1 AND at < $2
		GROUP BY requester, person, post ORDER BY requester, person, post`
	rows, err := s.pool.Query(ctx, q, from, to)
	if err != nil {
		return nil, translate(err, "contacts report")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ContactCount, error) {
		var c ContactCount
		return c, r.Scan(&c.Requester, &c.Person, &c.Post, &c.Attempts, &c.OutsideAllowed, &c.Exceptions)
	})
	return out, translate(err, "contacts report")
}

// Webhook is a registered endpoint.
type Webhook struct {
	ID        int64
	Name      string
	URL       string
	Secret    string
	CreatedAt time.Time
	Deleted   bool
}

// CreateWebhook registers w and sets its ID and CreatedAt.
func (s *Store) CreateWebhook(ctx context.Context, w *Webhook) error {
	const q = `INSERT INTO webhooks (name, url, secret) VALUES ($1, $2, $3) RETURNING id, created_at`
	return translate(s.pool.QueryRow(ctx, q, w.Name, w.URL, w.Secret).Scan(&w.ID, &w.CreatedAt), "webhook")
}

// GetWebhook returns webhook id, deleted or not.
func (s *Store) GetWebhook(ctx context.Context, id int64) (*Webhook, error) {
	const q = `SELECT id, name, url, secret, created_at, deleted_at IS NOT NULL FROM webhooks WHERE id = $1`
	var w Webhook
	err := s.pool.QueryRow(ctx, q, id).Scan(&w.ID, &w.Name, &w.URL, &w.Secret, &w.CreatedAt, &w.Deleted)
	if err != nil {
		return nil, translate(err, "webhook %d", id)
	}
	return &w, nil
}

// ListWebhooks returns the endpoints not deleted, oldest first.
func (s *Store) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	const q = `SELECT id, name, url, secret, created_at, false FROM webhooks WHERE deleted_at IS NULL ORDER BY id`
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return nil, translate(err, "webhooks")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Webhook, error) {
		var w Webhook
		return w, r.Scan(&w.ID, &w.Name, &w.URL, &w.Secret, &w.CreatedAt, &w.Deleted)
	})
	return out, translate(err, "webhooks")
}

// DeleteWebhook marks webhook id deleted: it is never called again.
func (s *Store) DeleteWebhook(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE webhooks SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, id)
	if err != nil {
		return translate(err, "webhook %d", id)
	}
	if tag.RowsAffected() == 0 {
		return domain.Errorf(domain.ENotFound, "no webhook has id %d", id)
	}
	return nil
}

// ReserveSlot takes webhook id's next delivery slot at one per interval:
// the slot is the later of now and the slot after the last one taken. The
// row lock makes every replica take distinct slots.
func (s *Store) ReserveSlot(ctx context.Context, id int64, now time.Time, interval time.Duration) (time.Time, error) {
	const q = `UPDATE webhooks SET next_send_at = greatest(next_send_at, $2) + $3::bigint * interval '1 microsecond' WHERE id = $1
		RETURNING next_send_at - $3::bigint * interval '1 microsecond'`
	var slot time.Time
	err := s.pool.QueryRow(ctx, q, id, now, interval.Microseconds()).Scan(&slot)
	return slot, translate(err, "webhook %d", id)
}
