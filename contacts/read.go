package contacts

import (
	"context"
	"strings"
	"time"

	"franja/decide"
	"franja/domain"
	"franja/policy"
	"franja/postgres"
)

// Get returns contact id and its history, if p may see it: hr and admin see
// every contact, a supervisor those they requested, a system key those it
// made.
func (s *Service) Get(ctx context.Context, p *domain.Principal, id int64) (*postgres.Contact, []postgres.ContactEvent, error) {
	c, err := s.store.GetContact(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !Sees(p, c) {
		return nil, nil, domain.Errorf(domain.ENotFound, "no contact has id %d", id)
	}
	events, err := s.store.ContactEvents(ctx, id)
	return c, events, err
}

// Sees reports whether p may see c.
func Sees(p *domain.Principal, c *postgres.Contact) bool {
	switch p.Role {
	case domain.RoleSupervisor:
		return c.Requester == p.Person
	case domain.RoleSystem:
		return c.APIKey == p.KeyPrefix
	}
	return true
}

// List returns the contacts f selects that p may see: a supervisor's list
// is of those they requested, a system key's of those it made.
func (s *Service) List(ctx context.Context, p *domain.Principal, f postgres.ContactFilter) ([]*postgres.Contact, int64, error) {
	if p.Role == domain.RoleSupervisor {
		if f.Requester != "" && f.Requester != p.Person {
			return nil, 0, nil
		}
		f.Requester = p.Person
	}
	if p.Role == domain.RoleSystem {
		f.APIKey = p.KeyPrefix
	}
	return s.store.ListContacts(ctx, f)
}

// Cancel cancels contact id, not yet delivered, for p.
func (s *Service) Cancel(ctx context.Context, p *domain.Principal, id int64) (*postgres.Contact, error) {
	c, _, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.store.TransitionContact(ctx, id, postgres.Transition{From: Pending, To: Cancelled, Attempt: c.Attempts,
		Detail: "key:" + p.KeyPrefix})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, domain.Errorf(domain.EConflict, "contact %d is %s: only a held or delivering contact can be cancelled", id, c.Status)
	}
	return s.store.GetContact(ctx, id)
}

// Verdict is a held contact decided again at delivery time.
type Verdict struct {
	// Status is Delivering (deliver now), Held (until At), Cancelled
	// (the person is gone, or out of the requester's reach), Refused or
	// Expired; Detail says why, for the history, as a machine note
	// ("defer:" or "deny:" and the reason codes, "deliver_by",
	// "person_unavailable").
	Status string
	At     time.Time
	Detail string
}

// Redecide decides c again at now, as the key that made it would be
// answered: the delivery worker calls it before every attempt.
func (s *Service) Redecide(c *postgres.Contact, now time.Time) (Verdict, error) {
	if c.DeliverBy != nil && now.After(*c.DeliverBy) {
		return Verdict{Status: Expired, Detail: "deliver_by"}, nil
	}
	snap, err := s.decide.Snapshot()
	if err != nil {
		return Verdict{}, err
	}
	p := &domain.Principal{Role: domain.Role(c.Role), KeyPrefix: c.APIKey}
	if p.Role == domain.RoleSupervisor {
		p.Person = c.Requester
	}
	person, err := decide.Scope(snap, p, c.Person)
	if err != nil {
		return Verdict{Status: Cancelled, Detail: "person_unavailable"}, nil
	}
	q := decide.Question{Person: c.Person, At: now, Channel: policy.Channel(c.Channel), Purpose: policy.Purpose(c.Purpose),
		OfficialDocument: c.OfficialDocument, Duration: c.Duration, Requester: c.Requester, Justification: c.Justification,
		Horizon: horizon}
	d := s.decide.Decide(snap, p, person, q).Decision
	switch d.Verdict {
	case policy.Allow:
		return Verdict{Status: Delivering, At: now}, nil
	case policy.Deny:
		return Verdict{Status: Refused, Detail: "deny:" + joinCodes(d)}, nil
	}
	at := d.NextAllowedAt
	if at.IsZero() {
		at = now.Add(horizon)
	}
	if c.DeliverBy != nil && c.DeliverBy.Before(at) {
		return Verdict{Status: Expired, Detail: "deliver_by"}, nil
	}
	return Verdict{Status: Held, At: at, Detail: "defer:" + joinCodes(d)}, nil
}

// horizon bounds the search for a held contact's next allowed instant.
const horizon = 62 * 24 * time.Hour

func joinCodes(d policy.Decision) string {
	return strings.Join(decide.ReasonCodes(d), ",")
}
