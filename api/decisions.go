package api

import (
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/decide"
	"franja/engine"
	"franja/policy"
	"franja/view"
)

// decisionRoutes serves the questions: may I contact this person now, and
// if not, when? Every role may ask; a supervisor only about their reporting
// line and themselves. The answers come from the decision path (package
// decide); the handlers only read requests and write answers.
func (s *Server) decisionRoutes(r chi.Router) {
	ask := r.With(allow(RoleHR, RoleSupervisor, RoleSystem))
	ask.Get("/people/{external_id}/contactability", s.contactability)
	ask.Get("/people/{external_id}/next-slot", s.nextSlot)
	ask.Get("/people/{external_id}/availability", s.availability)
	ask.Post("/contact-checks", s.contactChecks)
	ask.Post("/meeting-slots", s.meetingSlots)
	ask.Get("/posts/{code}/on-call", s.onCall)
}

// Limits of the decision endpoints.
const (
	maxChecks          = 10000
	maxMeetingPeople   = 50
	maxAvailability    = 93 * 24 * time.Hour
	defaultGranularity = 15 * time.Minute
	// maxContactDuration is the longest contact a decision weighs: a day.
	maxContactDuration = 24 * time.Hour
)

// snapshot returns the current view, or an error before it loads.
func (s *Server) snapshot() (*view.Snapshot, error) { return s.decide.Snapshot() }

// contactability answers GET /v1/people/{external_id}/contactability.
func (s *Server) contactability(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	in := decide.Question{
		Person:           chi.URLParam(r, "external_id"),
		At:               q.instant("at", s.now()),
		Channel:          oneOfParam(q, "channel", policy.Email, policy.Channels),
		Purpose:          oneOfParam(q, "purpose", policy.Routine, policy.Purposes),
		OfficialDocument: q.boolean("official_document"),
		Requester:        q.str("requester"),
		Justification:    q.str("justification"),
		Horizon:          q.duration("horizon", engine.DefaultHorizon, time.Hour, engine.MaxHorizon),
	}
	in.Duration = q.duration("duration", policy.DefaultDuration(in.Channel), 0, maxContactDuration)
	p := principalOf(r.Context())
	a, err := s.decide.Check(r.Context(), p, requestID(r.Context()), in, q.v.Fields...)
	if err != nil {
		writeError(w, r, queryProblem(err))
		return
	}
	out := renderAnswer(a, policyLang(r), s.disclosureFor(p, in.At))
	s.countDecision(principalOf(r.Context()), &out)
	buf := answerBuffers.Get().(*[]byte)
	b := out.appendJSON((*buf)[:0])
	writeDecisionJSON(w, http.StatusOK, b)
	if cap(b) <= 16<<10 { // the rare huge answer is not kept
		*buf = b
		answerBuffers.Put(buf)
	}
}

// answerBuffers hold rendered answers between requests: the response
// writer has copied an answer when Write returns, and a new kilobyte per
// decision was an eighth of what one allocated.
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func policyLang(r *http.Request) policy.Lang {
	if language(r) == langEN {
		return policy.English
	}
	return policy.Spanish
}

// recordAccess writes who saw personal data (leave kinds, the audit log),
// when, and whose; a failure is logged, never shown.
func (s *Server) recordAccess(r *http.Request, p *Principal, what, person string) {
	s.decide.RecordAccess(r.Context(), p, requestID(r.Context()), what, person)
}
