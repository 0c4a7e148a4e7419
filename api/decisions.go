package api

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"franja/domain"
	"franja/engine"
	"franja/policy"
	"franja/postgres"
	"franja/view"
)

// decisionRoutes serves the questions: may I contact this person now, and
// if not, when? Every role may ask; a supervisor only about their reporting
// line and themselves.
func (s *Server) decisionRoutes(r chi.Router) {
	ask := r.With(allow(RoleHR, RoleSupervisor, RoleSystem))
	ask.Get("/people/{external_id}/contactability", s.contactability)
	ask.Get("/people/{external_id}/next-slot", s.nextSlot)
	ask.Get("/people/{external_id}/availability", s.availability)
	ask.Post("/contact-checks", s.contactChecks)
	ask.Post("/meeting-slots", s.meetingSlots)
}

// Limits of the decision endpoints.
const (
	maxChecks          = 10000
	maxMeetingPeople   = 50
	maxAvailability    = 93 * 24 * time.Hour
	maxJustification   = 2000
	minJustification   = 10
	defaultGranularity = 15 * time.Minute
)

// checkInput is one question.
type checkInput struct {
	Person           string
	At               time.Time
	Channel          policy.Channel
	Purpose          policy.Purpose
	OfficialDocument bool
	Requester        string
	Justification    string
	Horizon          time.Duration
}

// validateExceptional checks what urgent and force majeure need: who asks,
// and why. field prefixes the field names (for batch items).
func validateExceptional(v *domain.Validator, p *Principal, in *checkInput, snap *view.Snapshot) {
	if in.Purpose == policy.Routine {
		return
	}
	if p.Role == RoleSupervisor && in.Requester == "" {
		in.Requester = p.Person // a supervisor asks as themselves
	}
	switch {
	case in.Requester == "":
		v.Add("requester", "is required for purpose %s: the external_id of the person making the contact", in.Purpose)
	case p.Role == RoleSupervisor && in.Requester != p.Person:
		v.Add("requester", "a supervisor key asks as its own person (%s), not as %s", p.Person, in.Requester)
	case snap.Person(in.Requester) == nil:
		v.Add("requester", "no person has external_id %q", in.Requester)
	}
	j := strings.TrimSpace(in.Justification)
	switch n := utf8.RuneCountInString(j); {
	case n == 0:
		v.Add("justification", "is required for purpose %s: say why the contact cannot wait (Ley 2191 de 2022, art. 6)", in.Purpose)
	case n < minJustification:
		v.Add("justification", "is too short to justify an exception: write at least %d characters", minJustification)
	case n > maxJustification:
		v.Add("justification", "is longer than %d characters", maxJustification)
	case strings.ContainsRune(j, 0):
		v.Add("justification", "must not contain NUL characters")
	}
	in.Justification = j
}

// person finds who the question is about, within the caller's scope: a
// supervisor sees their reporting line and themselves; others see everyone.
//
// For a supervisor the scope is checked first, so that anyone outside their
// line, existing or not, gets the same 403: a supervisor key cannot probe
// who is on staff.
func (s *Server) person(snap *view.Snapshot, p *Principal, id string) (*view.Person, error) {
	if p.Role == RoleSupervisor && id != p.Person && !snap.Reports(p.Person, id) {
		return nil, domain.Errorf(domain.EForbidden, "%s is not in your reporting line", id)
	}
	person := snap.Person(id)
	if person == nil {
		return nil, domain.Errorf(domain.ENotFound, "no person has external_id %q", id)
	}
	return person, nil
}

// snapshot returns the current view, or a 503-worthy error before it loads.
func (s *Server) snapshot() (*view.Snapshot, error) {
	if s.view == nil {
		return nil, domain.Errorf(domain.EInternal, "no view")
	}
	snap := s.view.Snapshot()
	if snap == nil {
		return nil, domain.Errorf(domain.EInternal, "the in-memory view is not loaded yet")
	}
	return snap, nil
}

// answer decides one question for a person already in scope. It returns the
// audit entry to write when an exception let the contact through.
func (s *Server) answer(snap *view.Snapshot, p *Principal, person *view.Person, in checkInput, lang policy.Lang) (decisionJSON, *postgres.AuditEntry) {
	d := policy.Decide(policyPerson(person), policy.Request{Channel: in.Channel, Purpose: in.Purpose, OfficialDocument: in.OfficialDocument}, in.At, in.Horizon)
	out := renderDecision(person, in, d, lang, p.SeesLeaveKinds())
	if d.OnLeave {
		if l := person.LeaveByID(d.LeaveID); l != nil && l.Delegate != "" {
			if del := snap.Person(l.Delegate); del != nil {
				dd := policy.Decide(policyPerson(del), policy.Request{Channel: in.Channel, Purpose: in.Purpose, OfficialDocument: in.OfficialDocument}, in.At, in.Horizon)
				dj := renderDecision(del, in, dd, lang, p.SeesLeaveKinds())
				out.Delegate = &delegateJSON{Person: del.ExternalID, FullName: del.FullName, TimeZone: dj.TimeZone, Decision: dj.Decision, Contactable: dj.Contactable,
					Reasons: dj.Reasons, NextAllowedAt: dj.NextAllowedAt, LocalNextAllowedAt: dj.LocalNextAllowedAt}
			}
		}
	}
	if !d.ByException {
		return out, nil
	}
	codes := make([]string, len(d.Reasons))
	for i, r := range d.Reasons {
		codes[i] = string(r.Code)
	}
	return out, &postgres.AuditEntry{
		Requester: in.Requester, Person: person.ExternalID, Post: person.Post, Purpose: string(in.Purpose),
		Channel: string(in.Channel), Justification: in.Justification, At: in.At, Decision: string(d.Verdict),
		Reasons: codes, Exception: string(person.Exception), APIKey: p.KeyPrefix,
	}
}

func policyPerson(p *view.Person) policy.Person {
	var tl policy.Timeline
	if p.Calendar != nil { // a nil *Calendar in the interface would not be nil
		tl = p.Calendar
	}
	return policy.Person{
		Exception:   p.Exception,
		HasSchedule: p.HasSchedule,
		Timeline:    tl,
		LeaveKind: func(id int64) domain.LeaveKind {
			if l := p.LeaveByID(id); l != nil {
				return l.Kind
			}
			return ""
		},
	}
}

// contactability answers GET /v1/people/{external_id}/contactability.
func (s *Server) contactability(w http.ResponseWriter, r *http.Request) {
	snap, err := s.snapshot()
	if err != nil {
		writeError(w, r, err)
		return
	}
	p := principalOf(r.Context())
	q := newQuery(r)
	in := checkInput{
		Person:           chi.URLParam(r, "external_id"),
		At:               q.instant("at", s.now()),
		Channel:          oneOfParam(q, "channel", policy.Email, policy.Channels),
		Purpose:          oneOfParam(q, "purpose", policy.Routine, policy.Purposes),
		OfficialDocument: q.boolean("official_document"),
		Requester:        q.str("requester"),
		Justification:    q.str("justification"),
		Horizon:          q.duration("horizon", engine.DefaultHorizon, time.Hour, engine.MaxHorizon),
	}
	validateExceptional(&q.v, p, &in, snap)
	if err := q.err(); err != nil {
		writeError(w, r, err)
		return
	}
	person, err := s.person(snap, p, in.Person)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out, audit := s.answer(snap, p, person, in, policyLang(r))
	if audit != nil {
		audit.RequestID = requestID(r.Context())
		ids, err := s.store.RecordExceptions(r.Context(), []*postgres.AuditEntry{audit})
		if err != nil {
			writeError(w, r, err) // no audit row, no exception
			return
		}
		out.AuditID = &ids[0]
	}
	s.logLeaveKindAccess(r, p, out.Reasons, in.Person)
	writeDecisionJSON(w, http.StatusOK, out.appendJSON(make([]byte, 0, 1024)))
}

func policyLang(r *http.Request) policy.Lang {
	if language(r) == langEN {
		return policy.English
	}
	return policy.Spanish
}

// logLeaveKindAccess records that an hr/admin caller saw a leave kind.
func (s *Server) logLeaveKindAccess(r *http.Request, p *Principal, reasons []reasonJSON, person string) {
	for _, rs := range reasons {
		if rs.LeaveKind != "" {
			s.recordAccess(r, p, "leave_kind", person)
			return
		}
	}
}

// recordAccess writes who saw personal data (leave kinds, the audit log),
// when, and whose; a failure is logged, never shown.
func (s *Server) recordAccess(r *http.Request, p *Principal, what, person string) {
	if s.store == nil {
		return
	}
	ctx := context.WithoutCancel(r.Context())
	if err := s.store.RecordAccess(ctx, postgres.AccessEntry{APIKey: p.KeyPrefix, Role: string(p.Role), What: what, Person: person, RequestID: requestID(r.Context())}); err != nil {
		logger(r).Error("recording access to personal data", "error", err.Error())
	}
}
