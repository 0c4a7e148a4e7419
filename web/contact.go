package web

import (
	"net/http"
	"strings"
	"time"

	"franja/decide"
	"franja/domain"
	"franja/lang"
	"franja/policy"
)

type option struct{ Value, Label string }

type personOption struct{ ID, Name string }

type contactForm struct {
	Person, Channel, Purpose, Justification, At string
	// Requester is asked of hr and admin (a supervisor asks as themselves).
	Requester string
}

type reasonLine struct{ Message, Basis string }

type answerView struct {
	Class, Headline, When, Delegate, Audit string
	Reasons                                []reasonLine
}

var channelNames = map[policy.Channel]domain.Text{
	policy.Email: domain.T("Email"), policy.TeamsChat: domain.T("Teams chat"), policy.TeamsCall: domain.T("Teams call"),
	policy.TeamsMeeting: domain.T("Teams meeting"), policy.Phone: domain.T("Phone"), policy.WhatsApp: domain.T("WhatsApp"), policy.SMS: domain.T("SMS"),
}

var purposeNames = map[policy.Purpose]domain.Text{
	policy.Routine: domain.T("Routine"), policy.Urgent: domain.T("Urgent"), policy.ForceMajeure: domain.T("Force majeure"),
}

// contactForm shows "May I contact…?".
func (a *App) contactForm(w http.ResponseWriter, r *http.Request) error {
	f := contactForm{Person: r.URL.Query().Get("person"), Channel: string(policy.TeamsChat), Purpose: string(policy.Routine),
		Requester: sessionOf(r).Person}
	return a.showContact(w, r, http.StatusOK, f, nil, nil)
}

func (a *App) showContact(w http.ResponseWriter, r *http.Request, status int, f contactForm, ans *answerView, problem error) error {
	l := langOf(r)
	data := map[string]any{"Form": f, "Answer": ans, "Problem": a.problemOf(r, problem)}
	var chans, purps []option
	for _, c := range policy.Channels {
		chans = append(chans, option{string(c), l.Text(channelNames[c])})
	}
	for _, p := range policy.Purposes {
		purps = append(purps, option{string(p), l.Text(purposeNames[p])})
	}
	data["Channels"], data["Purposes"] = chans, purps
	if s := sessionOf(r); s.Role == domain.RoleSupervisor {
		snap, err := a.decide.Snapshot()
		if err != nil {
			return err
		}
		var people []personOption
		for _, p := range snap.Line(s.Person) {
			people = append(people, personOption{p.ExternalID, p.FullName})
		}
		data["People"] = people
	}
	return a.render(w, r, status, "contact", data)
}

// contact answers the form through decide.Check, the API's path: validated,
// scoped to the supervisor's line, decided, and an exception it uses
// written to the audit log before the answer is shown.
func (a *App) contact(w http.ResponseWriter, r *http.Request) error {
	f := contactForm{Person: strings.TrimSpace(r.FormValue("person")), Channel: r.FormValue("channel"), Purpose: r.FormValue("purpose"),
		Justification: r.FormValue("justification"), At: r.FormValue("at"), Requester: strings.TrimSpace(r.FormValue("requester"))}
	s := sessionOf(r)
	snap, err := a.decide.Snapshot()
	if err != nil {
		return err
	}
	now := a.now()
	viewer := viewerZone(snap, s, now)
	var problems []domain.FieldError
	at := now
	if f.At != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.At, viewer)
		if err != nil {
			problems = append(problems, domain.FieldErrorf("at", "%q is not a date and time: pick one, or leave it empty for now", f.At))
		} else {
			at = t
		}
	}
	ch, purpose := policy.Channel(f.Channel), policy.Purpose(f.Purpose)
	if _, ok := channelNames[ch]; !ok {
		problems = append(problems, domain.FieldErrorf("channel", "%q is not a channel", f.Channel))
	}
	if _, ok := purposeNames[purpose]; !ok {
		problems = append(problems, domain.FieldErrorf("purpose", "%q is not a purpose", f.Purpose))
	}
	if len(problems) > 0 {
		return a.showContact(w, r, http.StatusUnprocessableEntity, f, nil, domain.Invalid("the question is not valid", problems...))
	}
	q := question(f.Person, ch, purpose, at, f.Justification)
	if s.Role != domain.RoleSupervisor {
		q.Requester = f.Requester
	}
	ans, err := a.decide.Check(r.Context(), s.Principal(), requestID(), q)
	if err != nil {
		if code := domain.ErrorCodeOf(err); code == domain.EInvalid || code == domain.EMalformed {
			return a.showContact(w, r, http.StatusUnprocessableEntity, f, nil, err)
		}
		return err
	}
	when := ""
	if f.At != "" {
		when = localTime(at, viewer)
	}
	return a.showContact(w, r, http.StatusOK, f, a.answerOf(langOf(r), ans, viewer, when, decide.DisclosureFor(s.Principal(), at, a.horizon)), nil)
}

// answerOf puts an answer in plain words, with every reason's legal basis;
// when is the instant asked about in the viewer's time ("" for now).
// Instants beyond dc (a supervisor's disclosure horizon) are not shown.
func (a *App) answerOf(l lang.Lang, ans *decide.Answer, viewer *time.Location, when string, dc decide.Disclosure) *answerView {
	d, person := ans.Decision, ans.Person
	ch := l.Text(channelNames[ans.Question.Channel])
	v := &answerView{Class: string(d.Verdict)}
	switch {
	case d.Verdict == policy.Allow && when != "":
		v.Headline = l.Sprintf("Yes: you may contact %s at %s (your time) by %s.", person.FullName, when, ch)
	case d.Verdict == policy.Allow:
		v.Headline = l.Sprintf("Yes: you may contact %s now by %s.", person.FullName, ch)
	case d.Verdict == policy.Defer:
		v.Headline = l.Sprintf("Not now: hold the message for %s; it may be sent by %s later.", person.FullName, ch)
	default:
		v.Headline = l.Sprintf("No: do not contact %s by %s.", person.FullName, ch)
	}
	if dc.Hides(d.NextAllowedAt) {
		v.When = l.Sprintf("Next allowed: %s.", a.beyondHorizon(l, dc, viewer))
	} else if !d.NextAllowedAt.IsZero() {
		loc, zone := person.ZoneAt(d.NextAllowedAt)
		v.When = l.Sprintf("Next allowed: %s their time (%s), %s yours.", localTime(d.NextAllowedAt, loc), zone, localTime(d.NextAllowedAt, viewer))
	}
	pl := policyLang(l)
	for _, r := range d.Reasons {
		v.Reasons = append(v.Reasons, reasonLine{r.Message(pl), r.LegalBasis(pl)})
	}
	if del := ans.Delegate; del != nil {
		v.Delegate = l.Sprintf("%s is away. Their stand-in is %s (%s): %s.", person.FullName, del.Person.FullName, del.Person.ExternalID,
			a.verdictWords(l, del.Decision.Verdict))
	}
	if ans.AuditID != nil {
		v.Audit = l.Sprintf("This contact is let through by an exception and was recorded in the audit log (record %d): who asked, whom, why, by which channel and when.", *ans.AuditID)
	} else if ans.Question.Purpose != policy.Routine {
		v.Audit = l.Sprintf("No exception was used, so nothing was recorded in the audit log.")
	}
	return v
}

func (a *App) verdictWords(l lang.Lang, v policy.Verdict) string {
	switch v {
	case policy.Allow:
		return l.Sprintf("may be contacted now")
	case policy.Defer:
		return l.Sprintf("not now")
	}
	return l.Sprintf("not by this channel")
}
