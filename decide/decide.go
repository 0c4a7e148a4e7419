// Package decide is the decision path every entry point shares: the HTTP
// API, the web pages and the delivery worker all ask it, so that a question
// is validated, scoped, decided, referred to a delegate and audited the same
// way wherever it comes from.
//
// It sits above view, policy and postgres and below api: it knows nothing of
// HTTP. A Question comes in with the Principal asking it; an Answer goes out
// with the policy's decisions for the person (and their delegate), and the
// audit ids of the exceptions it used, written before the answer is given.
package decide

import (
	"context"
	"log/slog"
	"time"

	"franja/domain"
	"franja/policy"
	"franja/postgres"
	"franja/view"
)

// Views gives the current in-memory view (nil before it loads).
type Views interface {
	Snapshot() *view.Snapshot
}

// Recorder writes the evidence a decision leaves: the exceptions it used
// (before the answer is given: no audit row, no exception) and who saw
// personal data (best effort).
type Recorder interface {
	RecordExceptions(ctx context.Context, entries []*postgres.AuditEntry) ([]int64, error)
	RecordAccesses(ctx context.Context, entries []postgres.AccessEntry) error
}

type clientRequestIDKey struct{}

// WithClientRequestID returns ctx carrying the caller's own request id
// (validated by the HTTP layer), which Record and RecordAccess store as
// client_request_id beside the server's request id: for the caller's
// correlation, never as evidence.
func WithClientRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, clientRequestIDKey{}, id)
}

// ClientRequestID returns the caller's own request id in ctx, or "".
func ClientRequestID(ctx context.Context) string {
	id, _ := ctx.Value(clientRequestIDKey{}).(string)
	return id
}

// Service answers questions from the view and records what they leave.
type Service struct {
	views Views
	rec   Recorder
	log   *slog.Logger
}

// New returns a Service on views, recording through rec (which may be nil
// only where no question can use an exception or see a leave kind: tests).
func New(views Views, rec Recorder, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{views: views, rec: rec, log: log}
}

// Question is one "may I contact this person now?".
type Question struct {
	Person           string
	At               time.Time
	Channel          policy.Channel
	Purpose          policy.Purpose
	OfficialDocument bool
	// Duration is how long the contact lasts (see policy.DefaultDuration
	// for each channel's default): a call or meeting must end within the
	// allowed window it starts in.
	Duration time.Duration
	// Requester and Justification are needed for urgent and force majeure.
	// A requester named for routine contact is checked too: a superior in
	// the person's reporting line is told, outside the working day, to
	// refrain from orders and requests.
	Requester     string
	Justification string
	// Horizon bounds the search for the next allowed instant.
	Horizon time.Duration
}

// Answer is a decided question: the person's decision and, when they are
// on leave and the caller may see the leave's delegate, the delegate's.
type Answer struct {
	Question Question
	Person   *view.Person
	Decision policy.Decision
	// AuditID is the audit row of the exception the decision used, if any.
	AuditID *int64
	// Delegate is the leave's encargado, with their own decision.
	Delegate *Delegated
	// SeesLeaveKinds says whether the caller may be shown leave kinds.
	SeesLeaveKinds bool

	own *postgres.AuditEntry
}

// Delegated is the answer for a person's delegate.
type Delegated struct {
	Person   *view.Person
	Decision policy.Decision
	AuditID  *int64

	own *postgres.AuditEntry
}

// Snapshot returns the current view, or an error saying it is not loaded.
func (s *Service) Snapshot() (*view.Snapshot, error) {
	var snap *view.Snapshot
	if s.views != nil {
		snap = s.views.Snapshot()
	}
	if snap == nil {
		return nil, domain.Errorf(domain.EInternal, "the in-memory view is not loaded yet")
	}
	return snap, nil
}

// Check answers one question for p and records what it leaves: q is
// validated, the person looked up within p's scope, the decision made, and
// an exception it uses written to the audit log before the answer is
// returned. problems are what the caller found wrong while reading the
// question: Check adds its own, so that every problem is reported at once.
// requestID names the request in the records.
func (s *Service) Check(ctx context.Context, p *domain.Principal, requestID string, q Question, problems ...domain.FieldError) (*Answer, error) {
	snap, err := s.Snapshot()
	if err != nil {
		return nil, err
	}
	v := domain.Validator{Fields: problems}
	Validate(&v, p, &q, snap)
	if err := v.Err("the question is not valid"); err != nil {
		return nil, err
	}
	person, err := Scope(snap, p, q.Person)
	if err != nil {
		return nil, err
	}
	a := s.Decide(snap, p, person, q)
	if err := s.Record(ctx, p, requestID, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Decide answers q, already validated, for person, already in p's scope.
// When the person is on leave it also answers for the leave's delegate, if
// p may see them (a supervisor only within their line). It writes nothing:
// Record does.
func (s *Service) Decide(snap *view.Snapshot, p *domain.Principal, person *view.Person, q Question) *Answer {
	req := policy.Request{Channel: q.Channel, Purpose: q.Purpose, OfficialDocument: q.OfficialDocument, Duration: q.Duration,
		BySuperior: q.Requester != "" && snap.Reports(q.Requester, person.ExternalID)}
	d := policy.Decide(policyPerson(snap, person, q, req), req, q.At, q.Horizon)
	a := &Answer{Question: q, Person: person, Decision: d, SeesLeaveKinds: p.SeesLeaveKinds(), own: auditEntry(p, person, q, d)}
	if !d.OnLeave {
		return a
	}
	l := person.LeaveByID(d.LeaveID)
	if l == nil || l.Delegate() == "" {
		return a
	}
	del, err := Scope(snap, p, l.Delegate())
	if err != nil {
		return a // gone, or outside a supervisor's line: not shown
	}
	dreq := req
	dreq.BySuperior = q.Requester != "" && snap.Reports(q.Requester, del.ExternalID)
	dd := policy.Decide(policyPerson(snap, del, q, dreq), dreq, q.At, q.Horizon)
	a.Delegate = &Delegated{Person: del, Decision: dd, own: auditEntry(p, del, q, dd)}
	return a
}

// Record writes the audit rows of answers in one transaction (none is
// written unless all are) and sets their AuditIDs; then it logs, best
// effort, that p saw the leave kinds they show.
func (s *Service) Record(ctx context.Context, p *domain.Principal, requestID string, answers ...*Answer) error {
	var entries []*postgres.AuditEntry
	var slots []**int64
	client := ClientRequestID(ctx)
	for _, a := range answers {
		if a.own != nil {
			a.own.RequestID, a.own.ClientRequestID = requestID, client
			entries, slots = append(entries, a.own), append(slots, &a.AuditID)
		}
		if a.Delegate != nil && a.Delegate.own != nil {
			a.Delegate.own.RequestID, a.Delegate.own.ClientRequestID = requestID, client
			entries, slots = append(entries, a.Delegate.own), append(slots, &a.Delegate.AuditID)
		}
	}
	if len(entries) > 0 {
		if s.rec == nil {
			return domain.Errorf(domain.EInternal, "no audit log to record an exception in")
		}
		ids, err := s.rec.RecordExceptions(ctx, entries)
		if err != nil {
			return err // no audit row, no exception
		}
		for i, slot := range slots {
			*slot = &ids[i]
		}
	}
	if p.SeesLeaveKinds() {
		s.logLeaveKinds(ctx, p, requestID, answers)
	}
	return nil
}

// LogLeaveKinds records, when p may see leave kinds, that p saw those the
// answers show (the people's or their delegates'): for answers not
// recorded through Record (a contact is its own record).
func (s *Service) LogLeaveKinds(ctx context.Context, p *domain.Principal, requestID string, answers ...*Answer) {
	if p.SeesLeaveKinds() {
		s.logLeaveKinds(ctx, p, requestID, answers)
	}
}

// logLeaveKinds records, in one statement, that an hr or admin caller saw
// leave kinds, the people's or their delegates'.
func (s *Service) logLeaveKinds(ctx context.Context, p *domain.Principal, requestID string, answers []*Answer) {
	var people []string
	for _, a := range answers {
		if hasLeaveKind(a.Decision) {
			people = append(people, a.Person.ExternalID)
		}
		if a.Delegate != nil && hasLeaveKind(a.Delegate.Decision) {
			people = append(people, a.Delegate.Person.ExternalID)
		}
	}
	s.recordAccesses(ctx, p, requestID, "leave_kind", people)
}

func hasLeaveKind(d policy.Decision) bool {
	for _, r := range d.Reasons {
		if r.LeaveKind != "" {
			return true
		}
	}
	return false
}

// RecordAccess writes who saw personal data (leave kinds, the audit log),
// when, and whose; a failure is logged, never shown, and does not wait for
// a caller that went away.
func (s *Service) RecordAccess(ctx context.Context, p *domain.Principal, requestID, what, person string) {
	s.recordAccesses(ctx, p, requestID, what, []string{person})
}

// recordAccesses is RecordAccess for many people at once, in one statement.
func (s *Service) recordAccesses(ctx context.Context, p *domain.Principal, requestID, what string, people []string) {
	if s.rec == nil || len(people) == 0 {
		return
	}
	entries := make([]postgres.AccessEntry, len(people))
	for i, person := range people {
		entries[i] = postgres.AccessEntry{APIKey: p.KeyPrefix, Role: string(p.Role), What: what, Person: person, RequestID: requestID,
			ClientRequestID: ClientRequestID(ctx)}
	}
	if err := s.rec.RecordAccesses(context.WithoutCancel(ctx), entries); err != nil {
		s.log.Error("recording access to personal data", "error", err.Error(), "request_id", requestID)
	}
}

// auditEntry is the audit row for d, or nil when no exception let it through.
func auditEntry(p *domain.Principal, person *view.Person, q Question, d policy.Decision) *postgres.AuditEntry {
	if !d.ByException {
		return nil
	}
	return &postgres.AuditEntry{
		Requester: q.Requester, Person: person.ExternalID, Post: person.Post, Purpose: string(q.Purpose),
		Channel: string(q.Channel), Justification: q.Justification, At: q.At, Decision: string(d.Verdict),
		Reasons: ReasonCodes(d), Exception: ExceptionOf(person, d), APIKey: p.KeyPrefix,
	}
}

// ReasonCodes are d's reasons' codes, in order.
func ReasonCodes(d policy.Decision) []string {
	codes := make([]string, len(d.Reasons))
	for i, r := range d.Reasons {
		codes[i] = string(r.Code)
	}
	return codes
}

// ExceptionOf names what let d through outside allowed time: the person's
// exception category, or an on-call turn; "" when no exception did.
func ExceptionOf(person *view.Person, d policy.Decision) string {
	if !d.ByException {
		return ""
	}
	exception := string(person.Exception)
	for _, r := range d.Reasons {
		if r.Ground == policy.GroundOnCall {
			exception = string(r.Ground) // the turn, not the category, let it through
		}
	}
	return exception
}

// OutsideAllowed reports whether d was decided at an instant outside the
// person's allowed time (outside hours, a rest day, a holiday, leave, no
// schedule), whatever the channel: a personal channel refused within
// working hours is not out-of-hours contact.
func OutsideAllowed(d policy.Decision) bool {
	if d.ByException {
		return true
	}
	for _, r := range d.Reasons {
		switch r.Code {
		case policy.OutsideWorkingHours, policy.RestDay, policy.PublicHoliday, policy.OnLeave, policy.NoSchedule:
			return true
		}
	}
	return false
}

// policyPerson is what the policy needs to know of p, asked q (req for
// them: whether the requester is their superior).
func policyPerson(snap *view.Snapshot, p *view.Person, q Question, _ policy.Request) policy.Person {
	var tl policy.Timeline
	if p.Calendar != nil { // a nil *Calendar in the interface would not be nil
		tl = p.Calendar
	}
	out := policy.Person{
		Exception:   p.Exception,
		HasSchedule: p.HasSchedule,
		Timeline:    tl,
		OnCall:      OnCall(snap, p, q.At) != nil,
		LeaveKind: func(id int64) domain.LeaveKind {
			if l := p.LeaveByID(id); l != nil {
				return l.Kind()
			}
			return ""
		},
	}
	if post := snap.Post(p.Post); post != nil && post.Holidays != nil {
		out.Holidays = post.Holidays
	}
	return out
}
