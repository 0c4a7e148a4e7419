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

// answered is one decision with the audit rows it needs: one for the person
// and one for their delegate when an exception lets the contact through.
type answered struct {
	out            decisionJSON
	own, delegated *postgres.AuditEntry
}

// answer decides one question for a person already in scope. When the
// person is on leave it also answers for the leave's delegate, if the
// caller may see them (a supervisor only within their line).
func (s *Server) answer(snap *view.Snapshot, p *Principal, person *view.Person, in checkInput, lang policy.Lang) answered {
	req := policy.Request{Channel: in.Channel, Purpose: in.Purpose, OfficialDocument: in.OfficialDocument}
	d := policy.Decide(policyPerson(person), req, in.At, in.Horizon)
	a := answered{out: renderDecision(person, in, d, lang, p.SeesLeaveKinds()), own: auditEntry(p, person, in, d)}
	if !d.OnLeave {
		return a
	}
	l := person.LeaveByID(d.LeaveID)
	if l == nil || l.Delegate == "" {
		return a
	}
	del, err := s.person(snap, p, l.Delegate)
	if err != nil {
		return a // gone, or outside a supervisor's line: not shown
	}
	dd := policy.Decide(policyPerson(del), req, in.At, in.Horizon)
	dj := renderDecision(del, in, dd, lang, p.SeesLeaveKinds())
	a.out.Delegate = &delegateJSON{Person: del.ExternalID, FullName: del.FullName, TimeZone: dj.TimeZone, Decision: dj.Decision, Contactable: dj.Contactable,
		Reasons: dj.Reasons, NextAllowedAt: dj.NextAllowedAt, LocalNextAllowedAt: dj.LocalNextAllowedAt}
	a.delegated = auditEntry(p, del, in, dd)
	return a
}

// auditEntry is the audit row for d, or nil when no exception let it through.
func auditEntry(p *Principal, person *view.Person, in checkInput, d policy.Decision) *postgres.AuditEntry {
	if !d.ByException {
		return nil
	}
	codes := make([]string, len(d.Reasons))
	for i, r := range d.Reasons {
		codes[i] = string(r.Code)
	}
	return &postgres.AuditEntry{
		Requester: in.Requester, Person: person.ExternalID, Post: person.Post, Purpose: string(in.Purpose),
		Channel: string(in.Channel), Justification: in.Justification, At: in.At, Decision: string(d.Verdict),
		Reasons: codes, Exception: string(person.Exception), APIKey: p.KeyPrefix,
	}
}

// audits lists a's audit rows, each with where its id goes once written.
func (a *answered) audits(requestID string) ([]*postgres.AuditEntry, []**int64) {
	var entries []*postgres.AuditEntry
	var ids []**int64
	if a.own != nil {
		a.own.RequestID = requestID
		entries, ids = append(entries, a.own), append(ids, &a.out.AuditID)
	}
	if a.delegated != nil {
		a.delegated.RequestID = requestID
		entries, ids = append(entries, a.delegated), append(ids, &a.out.Delegate.AuditID)
	}
	return entries, ids
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
	a := s.answer(snap, p, person, in, policyLang(r))
	if entries, slots := a.audits(requestID(r.Context())); len(entries) > 0 {
		ids, err := s.store.RecordExceptions(r.Context(), entries)
		if err != nil {
			writeError(w, r, err) // no audit row, no exception
			return
		}
		for i, slot := range slots {
			*slot = &ids[i]
		}
	}
	s.logLeaveKindAccess(r, p, &a.out)
	s.countDecision(p, &a.out)
	writeDecisionJSON(w, http.StatusOK, a.out.appendJSON(make([]byte, 0, 1024)))
}

func policyLang(r *http.Request) policy.Lang {
	if language(r) == langEN {
		return policy.English
	}
	return policy.Spanish
}

// logLeaveKindAccess records that an hr/admin caller saw a leave kind, the
// person's or their delegate's.
func (s *Server) logLeaveKindAccess(r *http.Request, p *Principal, out *decisionJSON) {
	if hasLeaveKind(out.Reasons) {
		s.recordAccess(r, p, "leave_kind", out.Person)
	}
	if out.Delegate != nil && hasLeaveKind(out.Delegate.Reasons) {
		s.recordAccess(r, p, "leave_kind", out.Delegate.Person)
	}
}

func hasLeaveKind(reasons []reasonJSON) bool {
	for _, r := range reasons {
		if r.LeaveKind != "" {
			return true
		}
	}
	return false
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
