// Package policy turns allowed time into decisions: which channel, for which
// purpose, under which exception of Ley 2191 de 2022, and what the caller is
// told. It is pure: the engine's answer and the person come in, a Decision
// goes out.
package policy

import (
	"time"

	"franja/calendars"
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
	// DurationExceedsWindow: the call or meeting would not end within the
	// allowed window it starts in (past the end of the day, into lunch).
	DurationExceedsWindow Code = "duration_exceeds_window"
	// HolidaysUnknown: a calendar the post observes has no data for the
	// year, so the decision may be wrong (or, when the post says so, the
	// date is treated as not worked).
	HolidaysUnknown Code = "holidays_unknown"
	// SuperiorAbstains: the requester is the person's superior, who must
	// refrain from orders or requests outside the working day (art. 3).
	SuperiorAbstains Code = "superior_abstains"
)

// Ground is what an exception rests on.
type Ground string

// The grounds of ExceptionApplied.
const (
	GroundPersonalChannel Ground = "personal_channel_exceptional" // WhatsApp/SMS in hours, an exceptional work situation
	GroundDireccion       Ground = "direccion_confianza_manejo"   // art. 6 lit. a
	GroundPermanent       Ground = "disponibilidad_permanente"    // art. 6 lit. b
	GroundOnCall          Ground = "on_call"                      // art. 6 lit. b, dated: an on-call turn
	GroundForceMajeure    Ground = "force_majeure"                // art. 6 lit. c
)

// Request is what is asked.
type Request struct {
	Channel          Channel
	Purpose          Purpose
	OfficialDocument bool
	// Duration is how long the contact lasts: a call or meeting is allowed
	// only when it ends within the allowed window it starts in (0: a
	// message, which takes no time).
	Duration time.Duration
	// BySuperior is set when the requester is above the person in their
	// reporting line: outside the working day the answer tells them, in
	// the words of art. 3, to refrain from orders and requests.
	BySuperior bool
}

// Reason explains a decision: a code, and what its message and citation
// need.
type Reason struct {
	Code Code
	// Holidays are the day's holidays when Code is PublicHoliday, with their
	// sources (for the citation) and names in English and Spanish.
	Holidays []calendars.Effective
	// LeaveKind is the kind of leave, for hr and admin callers.
	LeaveKind domain.LeaveKind
	// Exception is the person's category when ExceptionApplied under urgent.
	Exception domain.Exception
	Purpose   Purpose
	// Ground is what ExceptionApplied rests on.
	Ground Ground
	// When is the instant the message names, in the person's zone: the end
	// of the window (DurationExceedsWindow), when the suggested channel may
	// be used (PersonalChannel, OfficialDocumentChannel) or when a superior
	// may ask (SuperiorAbstains). Zero: none within the horizon.
	When time.Time
	// Now is set when the suggested channel may be used at once.
	Now bool
	// Channel is the suggested channel (PersonalChannel,
	// OfficialDocumentChannel) or the one asked for (DurationExceedsWindow).
	Channel Channel
	// Duration is the contact's length (DurationExceedsWindow).
	Duration time.Duration
	// Calendars and Year say which calendars do not know which year, and
	// Closed whether the post treats such dates as not worked
	// (HolidaysUnknown).
	Calendars []string
	Year      int
	Closed    bool
}

// Decision is the answer to one request.
type Decision struct {
	Verdict Verdict
	Reasons []Reason
	// NextAllowedAt is when contact by this channel for this purpose becomes
	// allowed, for the whole duration (zero when Verdict is Allow, or when
	// none exists within the horizon, or when the channel itself is refused).
	NextAllowedAt time.Time
	// HorizonReached is set when no allowed time exists within the horizon.
	HorizonReached bool
	// ByException is set when the contact is allowed only because of an
	// exception: it must be written to the audit log.
	ByException bool
	// SuggestedChannel is offered when a personal channel is refused, and
	// SuggestedAt is when it may be used (the instant asked about when it
	// may be used at once; zero when not within the horizon).
	SuggestedChannel Channel
	SuggestedAt      time.Time
	// LowConfidence is set when the holidays of the instant decided (or of
	// the next allowed instant) cannot be known.
	LowConfidence bool
	// Leave is the blocking leave when the person is on leave (for its
	// delegate and, for hr, its kind).
	LeaveID int64
	// OnLeave is set when the person is on leave at the instant asked about.
	OnLeave bool
	// WindowEndsAt is, when Verdict is Allow and the instant is in working
	// time, when that allowed window ends (zero otherwise): answers show it,
	// and need not ask the timeline again.
	WindowEndsAt time.Time
}

// Timeline is the allowed time the policy asks about: a person's calendar
// across the zones they work in.
type Timeline interface {
	Check(t time.Time) engine.Status
	NextAllowed(t time.Time, horizon time.Duration) (time.Time, bool)
	NextSlot(after time.Time, d, horizon time.Duration) (engine.Interval, bool)
	// ZoneAt is the zone the person is in at t (home, or a commission's).
	ZoneAt(t time.Time) *time.Location
}

// Person is what the policy needs to know of the person.
type Person struct {
	Exception   domain.Exception
	HasSchedule bool
	// Timeline is nil when the person has no usable schedule.
	Timeline Timeline
	// LeaveKind returns the kind of leave id (for hr callers' reasons).
	LeaveKind func(id int64) domain.LeaveKind
	// OnCall is set when the person keeps an on-call turn at the instant
	// asked about (or backs one up while its person is away).
	OnCall bool
	// Holidays describes the holidays of the person's post (nil: only the
	// names the timeline gives are known, and no calendar is missing).
	Holidays HolidayInfo
}

// HolidayInfo describes a post's holidays beyond their names.
type HolidayInfo interface {
	// Details returns the holidays of a date with their sources and names
	// in English and Spanish.
	Details(d domain.Date) []calendars.Effective
	// Uncovered returns the calendars that do not know year.
	Uncovered(year int) []string
}

// Decide answers req for person at t. horizon bounds the search for the next
// allowed instant.
func Decide(p Person, req Request, t time.Time, horizon time.Duration) Decision {
	d := decide(p, req, t, horizon)
	if req.BySuperior && d.Verdict != Allow && p.Timeline != nil && !refusedChannel(d) {
		d.Reasons = append(d.Reasons, Reason{Code: SuperiorAbstains, When: localIn(p.Timeline, d.NextAllowedAt)})
	}
	return d
}

// refusedChannel reports whether d refuses the channel itself (a personal
// channel, an official document), rather than the time.
func refusedChannel(d Decision) bool { return d.SuggestedChannel != "" }

func decide(p Person, req Request, t time.Time, horizon time.Duration) Decision {
	if req.OfficialDocument && req.Channel.Personal() {
		return suggest(p, t, horizon, Reason{Code: OfficialDocumentChannel, Channel: Email})
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
		return suggest(p, t, horizon, Reason{Code: PersonalChannel, Channel: TeamsChat})
	}
	if st.Allowed && fits(st, t, req.Duration) {
		d := Decision{Verdict: Allow, Reasons: []Reason{{Code: WithinWorkingHours}}, WindowEndsAt: st.Until}
		if req.Channel.Personal() {
			// urgent or force majeure over WhatsApp/SMS in working hours: an
			// exception to the circular, so it is logged.
			d.Reasons = append(d.Reasons, Reason{Code: ExceptionApplied, Purpose: req.Purpose, Ground: GroundPersonalChannel})
			d.ByException = true
		}
		flagUnknown(p, &d, t, st)
		return d
	}
	why := whyNot(p, st)
	if st.Allowed { // in hours, but the contact would run past the window
		why = Reason{Code: DurationExceedsWindow, Channel: req.Channel, Duration: req.Duration, When: localIn(p.Timeline, st.Until)}
	}
	if st.Reason == engine.OnLeave {
		// No purpose reaches a person on leave; the caller is pointed to the
		// delegate instead.
		return notNow(p, req, t, horizon, why, st)
	}
	switch g := ground(p, req.Purpose); {
	case g != "":
		d := Decision{Verdict: Allow, Reasons: []Reason{why, {Code: ExceptionApplied, Purpose: req.Purpose, Exception: p.Exception, Ground: g}}, ByException: true}
		if st.Allowed {
			d.WindowEndsAt = st.Until
		}
		flagUnknown(p, &d, t, st)
		return d
	case req.Purpose == Urgent:
		d := notNow(p, req, t, horizon, why, st)
		d.Reasons = append(d.Reasons[:1], append([]Reason{{Code: ExceptionNotApplicable, Purpose: Urgent}}, d.Reasons[1:]...)...)
		return d
	}
	return notNow(p, req, t, horizon, why, st)
}

// fits reports whether a contact of length d starting at t ends within the
// allowed piece st (allowed) says t is in.
func fits(st engine.Status, t time.Time, d time.Duration) bool {
	return d <= 0 || !st.Until.Before(t.Add(d))
}

// ground is the exception that lets purpose reach p outside allowed time,
// or "": force majeure reaches anyone; urgent reaches a person on an
// on-call turn (the dated form of art. 6 lit. b, cited first as the
// narrowest), or in a category of art. 6 lits. a and b.
func ground(p Person, purpose Purpose) Ground {
	switch {
	case purpose == ForceMajeure:
		return GroundForceMajeure
	case purpose != Urgent:
		return ""
	case p.OnCall:
		return GroundOnCall
	case p.Exception == domain.ExceptionDireccionConfianzaManejo:
		return GroundDireccion
	case p.Exception == domain.ExceptionDisponibilidadPermanente:
		return GroundPermanent
	}
	return ""
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
		return Reason{Code: PublicHoliday, Holidays: holidaysOf(p, st)}
	case engine.HolidaysUnknown:
		r := unknownReason(p, st.HolidayDate.Year)
		r.Closed = true
		return r
	case engine.RestDay:
		return Reason{Code: RestDay}
	default:
		return Reason{Code: OutsideWorkingHours}
	}
}

// holidaysOf returns the details of the holidays st names.
func holidaysOf(p Person, st engine.Status) []calendars.Effective {
	if p.Holidays != nil {
		if hs := p.Holidays.Details(st.HolidayDate); len(hs) > 0 {
			return hs
		}
	}
	hs := make([]calendars.Effective, len(st.Holiday))
	for i, n := range st.Holiday {
		hs[i] = calendars.Effective{Date: st.HolidayDate, Name: n}
	}
	return hs
}

// notNow is the answer outside allowed time: messages that can wait are
// deferred, calls and meetings denied, both with the next instant from
// which the whole contact fits.
func notNow(p Person, req Request, t time.Time, horizon time.Duration, why Reason, st engine.Status) Decision {
	d := Decision{Verdict: Deny, Reasons: []Reason{why}}
	if req.Channel.Deferrable() {
		d.Verdict = Defer
	}
	if st.Reason == engine.OnLeave && st.Leave != nil {
		d.OnLeave, d.LeaveID = true, st.Leave.ID
	}
	if next, ok := nextFit(p.Timeline, t, req.Duration, horizon); ok {
		d.NextAllowedAt = next
	} else {
		d.HorizonReached = true
	}
	flagUnknown(p, &d, t, st)
	return d
}

// nextFit returns the first instant at or after t from which a contact of
// length dur fits in allowed time (the first allowed instant, for a
// message).
func nextFit(tl Timeline, t time.Time, dur, horizon time.Duration) (time.Time, bool) {
	if dur <= 0 {
		return tl.NextAllowed(t, horizon)
	}
	iv, ok := tl.NextSlot(t, dur, horizon)
	return iv.Start, ok
}

// suggest refuses a channel (a personal one, or any for an official
// document) and names the channel to use instead and when it may be used:
// at once in allowed time, else from the next allowed instant.
func suggest(p Person, t time.Time, horizon time.Duration, why Reason) Decision {
	d := Decision{Verdict: Deny, SuggestedChannel: why.Channel}
	if p.HasSchedule && p.Timeline != nil {
		st := p.Timeline.Check(t)
		switch next, ok := p.Timeline.NextAllowed(t, horizon); {
		case st.Allowed:
			why.When, why.Now, d.SuggestedAt = localIn(p.Timeline, t), true, t
		case ok:
			why.When, d.SuggestedAt = localIn(p.Timeline, next), next
		}
		d.Reasons = []Reason{why}
		flagUnknown(p, &d, t, st)
		return d
	}
	d.Reasons = []Reason{why}
	return d
}

// flagUnknown marks d when the holidays of t (or of the next allowed
// instant d names) cannot be known: a reason saying which calendars lack
// which year, and low confidence. Never a silent answer.
func flagUnknown(p Person, d *Decision, t time.Time, st engine.Status) {
	year := 0
	switch {
	case st.HolidaysUnknown:
		year = yearAt(p, t)
	case !d.NextAllowedAt.IsZero() && p.Timeline.Check(d.NextAllowedAt).HolidaysUnknown:
		year = yearAt(p, d.NextAllowedAt)
	case !d.SuggestedAt.IsZero() && !d.SuggestedAt.Equal(t) && p.Timeline.Check(d.SuggestedAt).HolidaysUnknown:
		year = yearAt(p, d.SuggestedAt)
	default:
		return
	}
	d.LowConfidence = true
	for _, r := range d.Reasons {
		if r.Code == HolidaysUnknown {
			return // the closed fallback said so already
		}
	}
	d.Reasons = append(d.Reasons, unknownReason(p, year))
}

// yearAt is the year of t in the person's zone then.
func yearAt(p Person, t time.Time) int { return localIn(p.Timeline, t).Year() }

// localIn is t in the zone the person is in then, for a message.
func localIn(tl Timeline, t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(tl.ZoneAt(t))
}

// unknownReason says which calendars do not know year.
func unknownReason(p Person, year int) Reason {
	r := Reason{Code: HolidaysUnknown, Year: year}
	if p.Holidays != nil {
		r.Calendars = p.Holidays.Uncovered(year)
	}
	return r
}

// DefaultDuration is how long a contact by c lasts when the question does
// not say: 15 minutes for a call, 30 for a meeting, none for a message
// (email, chat, WhatsApp, SMS), which takes no time of the person's day.
func DefaultDuration(c Channel) time.Duration {
	switch c {
	case TeamsCall, Phone:
		return 15 * time.Minute
	case TeamsMeeting:
		return 30 * time.Minute
	}
	return 0
}
