// Package policy turns allowed time into decisions: which channel, for which
// purpose, under which exception of Ley 2191 de 2022, and what the caller is
// told. It is pure: the engine's answer and the person come in, a Decision
// goes out.
package policy

import (
	"time"

	"franja/domain"
	"franja/engine"
)

// Channel is how the contact would be made.
type Channel string

// The channels (API.md).
const (
	Email        Channel = "email"
	TeamsChat    Channel = "teams_chat"
	TeamsCall    Channel = "teams_call"
	TeamsMeeting Channel = "teams_meeting"
	Phone        Channel = "phone"
	WhatsApp     Channel = "whatsapp"
	SMS          Channel = "sms"
)

// Channels lists every channel.
var Channels = []Channel{Email, TeamsChat, TeamsCall, TeamsMeeting, Phone, WhatsApp, SMS}

// Personal reports whether c is a personal channel (the circular: WhatsApp
// and similar apps are personal, for work only in exceptional situations).
func (c Channel) Personal() bool { return c == WhatsApp || c == SMS }

// Deferrable reports whether a message on c can wait in a queue until the
// next allowed slot (email, chat); calls and meetings cannot.
func (c Channel) Deferrable() bool { return c == Email || c == TeamsChat }

// Purpose is why the contact is made.
type Purpose string

// The purposes.
const (
	Routine      Purpose = "routine"
	Urgent       Purpose = "urgent"        // an exceptional situation
	ForceMajeure Purpose = "force_majeure" // Ley 2191 de 2022, art. 6 c
)

// Purposes lists every purpose.
var Purposes = []Purpose{Routine, Urgent, ForceMajeure}

// Verdict is the decision's value.
type Verdict string

// The verdicts.
const (
	Allow Verdict = "allow" // contact now
	Defer Verdict = "defer" // hold it and deliver at NextAllowedAt
	Deny  Verdict = "deny"  // do not contact by this channel
)

// Code is a reason code.
type Code string

// The reason codes.
const (
	WithinWorkingHours      Code = "within_working_hours"
	OutsideWorkingHours     Code = "outside_working_hours"
	RestDay                 Code = "rest_day"
	PublicHoliday           Code = "public_holiday"
	OnLeave                 Code = "on_leave"
	PersonalChannel         Code = "personal_channel"
	OfficialDocumentChannel Code = "official_document_channel"
	ExceptionApplied        Code = "exception_applied"
	ExceptionNotApplicable  Code = "exception_not_applicable"
	NoSchedule              Code = "no_schedule"
)

// Request is what is asked.
type Request struct {
	Channel          Channel
	Purpose          Purpose
	OfficialDocument bool
}

// Reason explains a decision: a code, and for a holiday its names; for hr
// and admin callers, the leave kind.
type Reason struct {
	Code      Code
	Holidays  []string
	LeaveKind domain.LeaveKind
	// Exception is the person's category when ExceptionApplied under urgent.
	Exception domain.Exception
	Purpose   Purpose
}

// Decision is the answer to one request.
type Decision struct {
	Verdict Verdict
	Reasons []Reason
	// NextAllowedAt is when contact by this channel for this purpose becomes
	// allowed (zero when Verdict is Allow, or when none exists within the
	// horizon, or when the channel itself is refused).
	NextAllowedAt time.Time
	// HorizonReached is set when no allowed time exists within the horizon.
	HorizonReached bool
	// ByException is set when the contact is allowed only because of an
	// exception: it must be written to the audit log.
	ByException bool
	// SuggestedChannel is offered when a personal channel is refused.
	SuggestedChannel Channel
	// Leave is the blocking leave when the person is on leave (for its
	// delegate and, for hr, its kind).
	LeaveID int64
	// OnLeave is set when the person is on leave at the instant asked about.
	OnLeave bool
}

// Timeline is the allowed time the policy asks about: an engine timeline,
// or a person's calendar across the zones they work in.
type Timeline interface {
	Check(t time.Time) engine.Status
	NextAllowed(t time.Time, horizon time.Duration) (time.Time, bool)
}

// Person is what the policy needs to know of the person.
type Person struct {
	Exception   domain.Exception
	HasSchedule bool
	// Timeline is nil when the person has no usable schedule.
	Timeline Timeline
	// LeaveKind returns the kind of leave id (for hr callers' reasons).
	LeaveKind func(id int64) domain.LeaveKind
}

// Decide answers req for person at t. horizon bounds the search for the next
// allowed instant.
func Decide(p Person, req Request, t time.Time, horizon time.Duration) Decision {
	if req.OfficialDocument && req.Channel.Personal() {
		return Decision{Verdict: Deny, Reasons: []Reason{{Code: OfficialDocumentChannel}}, SuggestedChannel: Email}
	}
	if !p.HasSchedule || p.Timeline == nil {
		return Decision{Verdict: Deny, Reasons: []Reason{{Code: NoSchedule}}}
	}
	st := p.Timeline.Check(t)
	if st.Reason == engine.NoSchedule {
		// No schedule in force yet (a new hire, a new post) but one later: a
		// message waits for it rather than being refused. No exception
		// applies to a person whose hours are unknown.
		d := notNow(p, req, t, horizon, Reason{Code: NoSchedule}, st)
		if d.HorizonReached {
			d.Verdict = Deny
		}
		return d
	}
	if req.Purpose == Routine && req.Channel.Personal() {
		return Decision{Verdict: Deny, Reasons: []Reason{{Code: PersonalChannel}}, SuggestedChannel: TeamsChat}
	}
	if st.Allowed {
		d := Decision{Verdict: Allow, Reasons: []Reason{{Code: WithinWorkingHours}}}
		if req.Channel.Personal() {
			// urgent or force majeure over WhatsApp/SMS in working hours: an
			// exception to the circular, so it is logged.
			d.Reasons = append(d.Reasons, Reason{Code: ExceptionApplied, Purpose: req.Purpose})
			d.ByException = true
		}
		return d
	}
	why := whyNot(p, st)
	if st.Reason == engine.OnLeave {
		// No purpose reaches a person on leave; the caller is pointed to the
		// delegate instead.
		return notNow(p, req, t, horizon, why, st)
	}
	switch req.Purpose {
	case ForceMajeure:
		return Decision{Verdict: Allow, Reasons: []Reason{why, {Code: ExceptionApplied, Purpose: ForceMajeure}}, ByException: true}
	case Urgent:
		if p.Exception == domain.ExceptionDireccionConfianzaManejo || p.Exception == domain.ExceptionDisponibilidadPermanente {
			return Decision{Verdict: Allow, Reasons: []Reason{why, {Code: ExceptionApplied, Purpose: Urgent, Exception: p.Exception}}, ByException: true}
		}
		d := notNow(p, req, t, horizon, why, st)
		d.Reasons = append(d.Reasons, Reason{Code: ExceptionNotApplicable, Purpose: Urgent})
		return d
	}
	return notNow(p, req, t, horizon, why, st)
}

// whyNot turns the engine's reason into the policy's.
func whyNot(p Person, st engine.Status) Reason {
	switch st.Reason {
	case engine.OnLeave:
		r := Reason{Code: OnLeave}
		if st.Leave != nil && p.LeaveKind != nil {
			r.LeaveKind = p.LeaveKind(st.Leave.ID)
		}
		return r
	case engine.PublicHoliday:
		return Reason{Code: PublicHoliday, Holidays: st.Holiday}
	case engine.RestDay:
		return Reason{Code: RestDay}
	default:
		return Reason{Code: OutsideWorkingHours}
	}
}

// notNow is the answer outside allowed time: messages that can wait are
// deferred, calls and meetings denied, both with the next allowed instant.
func notNow(p Person, req Request, t time.Time, horizon time.Duration, why Reason, st engine.Status) Decision {
	d := Decision{Verdict: Deny, Reasons: []Reason{why}}
	if req.Channel.Deferrable() {
		d.Verdict = Defer
	}
	if st.Reason == engine.OnLeave && st.Leave != nil {
		d.OnLeave, d.LeaveID = true, st.Leave.ID
	}
	if next, ok := p.Timeline.NextAllowed(t, horizon); ok {
		d.NextAllowedAt = next
	} else {
		d.HorizonReached = true
	}
	return d
}
