package decide

import (
	"context"
	"time"

	"franja/domain"
	"franja/engine"
	"franja/policy"
	"franja/view"
)

// OnCall returns the on-call turn that makes p reachable for urgent matters
// at t: a turn p keeps, or one p backs up while its person is away (on
// leave, or gone from the staff). Nil when there is none: outside a turn
// the same person has the full right to disconnect.
func OnCall(snap *view.Snapshot, p *view.Person, t time.Time) *view.Turn {
	for i := range p.Turns {
		turn := &p.Turns[i]
		if !turn.Covers(t) {
			continue
		}
		if turn.Person == p.ExternalID || turn.Backup == p.ExternalID && away(snap.Person(turn.Person), t) {
			return turn
		}
	}
	return nil
}

// away reports whether p is on leave at t (or is nobody).
func away(p *view.Person, t time.Time) bool {
	return p == nil || p.Calendar != nil && p.Calendar.Check(t).Reason == engine.OnLeave
}

// OnCallAnswer is who keeps a post's emergency line at an instant, and
// their answer for an urgent phone call.
type OnCallAnswer struct {
	Post *view.Post
	At   time.Time
	// Turn is the turn at At (nil: none, and nobody is on call).
	Turn *view.Turn
	// Backup is set when the turn's person is away and its backup answers.
	Backup bool
	// PrimaryAway is set when the turn's person is away (on leave) at At.
	PrimaryAway bool
	// Answer is the decision for an urgent phone call to whoever keeps the
	// line (nil when there is no turn). It is audited only when the
	// question named a requester and a justification: without them it says
	// what such a call would get, and the call itself must be asked for.
	Answer  *Answer
	Audited bool
}

// OnCallQuestion asks who is on call at a post.
type OnCallQuestion struct {
	Post string
	At   time.Time
	// Requester and Justification, when given (both), make the answer an
	// audited urgent check, as contactability's.
	Requester, Justification string
}

// OnCallAt answers who is on call at q.Post at q.At: the turn's person, or
// its backup while the person is away; with that person's answer for an
// urgent phone call. A supervisor sees only turns whose on-call person is
// in their reporting line (or themselves). problems are the caller's
// findings, reported with Check's own.
func (s *Service) OnCallAt(ctx context.Context, p *domain.Principal, requestID string, q OnCallQuestion, problems ...domain.FieldError) (*OnCallAnswer, error) {
	snap, err := s.Snapshot()
	if err != nil {
		return nil, err
	}
	question := Question{At: q.At, Channel: policy.Phone, Purpose: policy.Urgent, Duration: policy.DefaultDuration(policy.Phone),
		Requester: q.Requester, Justification: q.Justification, Horizon: engine.DefaultHorizon}
	v := domain.Validator{Fields: problems}
	if q.Requester != "" || q.Justification != "" {
		Validate(&v, p, &question, snap) // an audited check: both are needed
	}
	if err := v.Err("the question is not valid"); err != nil {
		return nil, err
	}
	post := snap.Post(q.Post)
	if post == nil {
		return nil, domain.Errorf(domain.ENotFound, "no post has code %q", q.Post)
	}
	out := &OnCallAnswer{Post: post, At: q.At, Turn: post.TurnAt(q.At)}
	if out.Turn == nil {
		return out, nil // nobody is on call: nothing about anyone to scope
	}
	who := out.Turn.Person
	if out.PrimaryAway = away(snap.Person(who), q.At); out.PrimaryAway && out.Turn.Backup != "" {
		who, out.Backup = out.Turn.Backup, true
	}
	person, err := Scope(snap, p, who)
	if err != nil {
		return nil, err
	}
	question.Person = person.ExternalID
	out.Answer = s.Decide(snap, p, person, question)
	if out.Audited = question.Requester != "" && question.Justification != ""; out.Audited {
		if err := s.Record(ctx, p, requestID, out.Answer); err != nil {
			return nil, err
		}
	}
	return out, nil
}
