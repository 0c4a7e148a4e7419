// Package contacts is the use case of a contact: someone wants to reach a
// person now. It decides exactly as the contactability question does
// (package decide), records the attempt whatever the decision, and, when a
// delivery is asked, hands it to a Scheduler in the same transaction. The
// HTTP API, the delivery worker (which decides again at delivery time) and
// the web pages all call it.
package contacts

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"franja/decide"
	"franja/domain"
	"franja/policy"
	"franja/postgres"
	"franja/view"
)

// Statuses of a contact (API.md, Contacts).
const (
	Recorded   = "recorded"
	Refused    = "refused"
	Held       = "held"
	Delivering = "delivering"
	Delivered  = "delivered"
	Failed     = "failed"
	Cancelled  = "cancelled"
	Expired    = "expired"
)

// Statuses lists every status, for validation.
var Statuses = []string{Recorded, Refused, Held, Delivering, Delivered, Failed, Cancelled, Expired}

// Pending are the statuses of a contact still to be delivered.
var Pending = []string{Held, Delivering}

// MaxPayload is the largest delivery payload, in bytes of JSON.
const MaxPayload = 64 << 10

// Scheduler enqueues deliveries: ScheduleTx makes contact id due at at, in
// tx (the transaction that records the contact).
type Scheduler interface {
	ScheduleTx(ctx context.Context, tx pgx.Tx, id int64, at time.Time) error
}

// Service records contacts.
type Service struct {
	decide *decide.Service
	store  *postgres.Store
	sched  Scheduler
	now    func() time.Time
}

// New returns a Service deciding with d, recording in store and scheduling
// deliveries with sched (nil: a contact asking for delivery is refused
// with 503, as no worker could deliver it).
func New(d *decide.Service, store *postgres.Store, sched Scheduler, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{decide: d, store: store, sched: sched, now: now}
}

// Request is one contact, as asked.
type Request struct {
	Question decide.Question
	// Webhook and Payload ask for delivery; DeliverBy bounds it.
	Webhook   *int64
	Payload   json.RawMessage
	DeliverBy *time.Time
	// IdempotencyKey makes a retried request the same contact.
	IdempotencyKey string
}

// Result is a recorded contact; Answer is the decision made now (nil when
// an idempotency key returned a contact recorded before).
type Result struct {
	Contact *postgres.Contact
	Answer  *decide.Answer
	Created bool
}

// Create decides and records r for p. problems are what the caller found
// wrong while reading r; Create adds its own, so that all are reported at
// once. Nothing is recorded unless the request is valid.
func (s *Service) Create(ctx context.Context, p *domain.Principal, requestID string, r Request, problems ...domain.FieldError) (*Result, error) {
	snap, err := s.decide.Snapshot()
	if err != nil {
		return nil, err
	}
	q := &r.Question
	q.At = s.now()
	v := domain.Validator{Fields: problems}
	if q.Person == "" {
		v.Add("person", "is required: the person's external_id")
	}
	if q.Requester == "" && p.Role != domain.RoleSupervisor {
		v.Add("requester", "is required: the external_id of the person who wants to make the contact")
	}
	decide.Validate(&v, p, q, snap)
	wh := s.validateDelivery(ctx, &v, &r, q.At)
	if err := v.Err("the contact is not valid"); err != nil {
		return nil, err
	}
	if wh != nil && wh.err != nil {
		return nil, wh.err
	}
	person, err := decide.Scope(snap, p, q.Person)
	if err != nil {
		return nil, err
	}
	a := s.decide.Decide(snap, p, person, *q)
	c := record(p, requestID, person, &r, a)
	var schedule func(tx pgx.Tx, id int64) error
	if c.Status == Held || c.Status == Delivering {
		if s.sched == nil {
			return nil, domain.Errorf(domain.EUnavailable, "delivery is not available on this server")
		}
		at := q.At
		if c.DeliverAt != nil {
			at = *c.DeliverAt
		}
		schedule = func(tx pgx.Tx, id int64) error { return s.sched.ScheduleTx(ctx, tx, id, at) }
	}
	saved, created, err := s.store.CreateContact(ctx, c, schedule)
	if errors.Is(err, postgres.ErrIdempotencyMismatch) {
		return nil, domain.Invalid("the Idempotency-Key was used for another contact",
			domain.FieldError{Field: "Idempotency-Key", Message: "was already used with a different request: use a new key for a new contact"})
	}
	if err != nil {
		return nil, err
	}
	res := &Result{Contact: saved, Created: created}
	if created {
		res.Answer = a
		s.decide.LogLeaveKinds(ctx, p, requestID, a)
	}
	return res, nil
}

// checked is a webhook validated for delivery, or the error reading it.
type checked struct {
	hook *postgres.Webhook
	err  error
}

// validateDelivery checks the delivery part of r.
func (s *Service) validateDelivery(ctx context.Context, v *domain.Validator, r *Request, now time.Time) *checked {
	if r.Webhook == nil {
		if r.Payload != nil {
			v.Add("deliver.webhook", "is required to deliver a payload: the id of a webhook (GET /v1/webhooks)")
		}
		if r.DeliverBy != nil {
			v.Add("deliver_by", "applies only to a contact with deliver")
		}
		return nil
	}
	if len(r.Payload) > MaxPayload {
		v.Add("deliver.payload", "is %d bytes of JSON; the limit is %d", len(r.Payload), MaxPayload)
	}
	if r.DeliverBy != nil && !r.DeliverBy.After(now) {
		v.Add("deliver_by", "must be in the future")
	}
	w, err := s.store.GetWebhook(ctx, *r.Webhook)
	var de *domain.Error
	switch {
	case errors.As(err, &de) && de.Code == domain.ENotFound, err == nil && w.Deleted:
		v.Add("deliver.webhook", "no webhook has id %d", *r.Webhook)
		return nil
	case err != nil:
		return &checked{err: err}
	}
	return &checked{hook: w}
}

// record is the row for r decided as a.
func record(p *domain.Principal, requestID string, person *view.Person, r *Request, a *decide.Answer) *postgres.Contact {
	q, d := a.Question, a.Decision
	c := &postgres.Contact{
		At: q.At, Person: person.ExternalID, Post: person.Post, Requester: q.Requester, APIKey: p.KeyPrefix,
		Role: string(p.Role), Channel: string(q.Channel), Purpose: string(q.Purpose), OfficialDocument: q.OfficialDocument,
		Duration: q.Duration, Justification: q.Justification, Decision: string(d.Verdict), Reasons: decide.ReasonCodes(d),
		OutsideAllowed: decide.OutsideAllowed(d), Exception: decide.ExceptionOf(person, d), Webhook: r.Webhook,
		DeliverBy: r.DeliverBy, IdempotencyKey: r.IdempotencyKey, RequestSHA256: digest(p, r), RequestID: requestID,
	}
	if r.Webhook != nil {
		c.Payload = r.Payload
		if c.Payload == nil {
			c.Payload = json.RawMessage("{}")
		}
	}
	if !d.NextAllowedAt.IsZero() {
		c.NextAllowedAt = &d.NextAllowedAt
	}
	c.Status, c.DeliverAt = firstStatus(c, d, q.At, q.Horizon)
	return c
}

// firstStatus is where a contact decided as d starts.
func firstStatus(c *postgres.Contact, d policy.Decision, now time.Time, horizon time.Duration) (string, *time.Time) {
	switch {
	case c.Webhook == nil:
		return Recorded, nil
	case d.Verdict == policy.Deny:
		return Refused, nil
	case d.Verdict == policy.Allow:
		return Delivering, &now
	}
	at := d.NextAllowedAt
	if at.IsZero() { // nothing within the horizon: decide again then
		at = now.Add(horizon)
	}
	if c.DeliverBy != nil && c.DeliverBy.Before(at) {
		return Expired, nil
	}
	return Held, &at
}

// digest identifies a request for its idempotency key: the same fields give
// the same digest, however the JSON was spaced.
func digest(p *domain.Principal, r *Request) []byte {
	q := r.Question
	b, _ := json.Marshal(struct {
		Role                                      string
		Person, Channel, Purpose, Requester, Just string
		Official                                  bool
		Duration                                  time.Duration
		Webhook                                   *int64
		Payload                                   string
		DeliverBy                                 *time.Time
	}{string(p.Role), q.Person, string(q.Channel), string(q.Purpose), q.Requester, q.Justification, q.OfficialDocument,
		q.Duration, r.Webhook, compact(r.Payload), r.DeliverBy})
	sum := sha256.Sum256(b)
	return sum[:]
}

func compact(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v) // sorted keys, no spaces
	return string(b)
}
