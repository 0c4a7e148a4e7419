package web

import (
	"net/http"
	"time"

	"franja/decide"
	"franja/domain"
	"franja/engine"
	"franja/lang"
	"franja/policy"
	"franja/view"
)

// verdict is a decision as a page shows it: a word, a class for its
// colour, and when it changes.
type verdict struct {
	Class, Word, Detail string
}

type teamRow struct {
	ID, Name, Local, Zone string
	Chat, Email           verdict
	Delegate              *delegateCell
}

type delegateCell struct {
	ID, Name string
	Verdict  verdict
}

// team is "My team now": everyone in the supervisor's reporting line, their
// local time, and whether a Teams chat or an email may reach them now.
func (a *App) team(w http.ResponseWriter, r *http.Request) error {
	s := sessionOf(r)
	if s.Role != domain.RoleSupervisor {
		return domain.Errorf(domain.EForbidden, "this page is for supervisors: it shows their reporting line")
	}
	snap, err := a.decide.Snapshot()
	if err != nil {
		return err
	}
	now := a.now()
	p := s.Principal()
	viewer := viewerZone(snap, s, now)
	dc := decide.DisclosureFor(p, now, a.horizon)
	var rows []teamRow
	for _, person := range snap.Line(s.Person) {
		loc, zone := person.ZoneAt(now)
		row := teamRow{ID: person.ExternalID, Name: person.FullName, Local: localTime(now, loc), Zone: zone}
		for _, ch := range []policy.Channel{policy.TeamsChat, policy.Email} {
			ans, err := a.decide.Check(r.Context(), p, requestID(), question(person.ExternalID, ch, policy.Routine, now, ""))
			if err != nil {
				return err
			}
			v := a.verdictOf(r, ans.Person, ans.Decision, viewer, dc)
			if ch == policy.TeamsChat {
				row.Chat = v
				if ans.Delegate != nil {
					row.Delegate = &delegateCell{ID: ans.Delegate.Person.ExternalID, Name: ans.Delegate.Person.FullName,
						Verdict: a.verdictOf(r, ans.Delegate.Person, ans.Delegate.Decision, viewer, dc)}
				}
			} else {
				row.Email = v
			}
		}
		rows = append(rows, row)
	}
	return a.render(w, r, http.StatusOK, "team", map[string]any{"Rows": rows, "Now": localTime(now, viewer)})
}

// question is a decide.Question with the API's defaults.
func question(person string, ch policy.Channel, purpose policy.Purpose, at time.Time, justification string) decide.Question {
	return decide.Question{Person: person, At: at, Channel: ch, Purpose: purpose, Duration: policy.DefaultDuration(ch),
		Justification: justification, Horizon: engine.DefaultHorizon}
}

// verdictOf puts d in words: allowed now, held until when (their time and
// the viewer's), away (never why), or refused by this channel; an instant
// beyond dc is not shown (a supervisor's disclosure horizon).
func (a *App) verdictOf(r *http.Request, person *view.Person, d policy.Decision, viewer *time.Location, dc decide.Disclosure) verdict {
	l := langOf(r)
	when := ""
	if dc.Hides(d.NextAllowedAt) {
		when = a.beyondHorizon(l, dc, viewer)
	} else if !d.NextAllowedAt.IsZero() {
		loc, _ := person.ZoneAt(d.NextAllowedAt)
		when = l.Sprintf("from %s their time (%s yours)", localTime(d.NextAllowedAt, loc), localTime(d.NextAllowedAt, viewer))
	}
	switch {
	case d.Verdict == policy.Allow:
		return verdict{Class: "allow", Word: l.Sprintf("Yes, now")}
	case d.OnLeave:
		return verdict{Class: "away", Word: l.Sprintf("Away"), Detail: when}
	case d.Verdict == policy.Defer:
		return verdict{Class: "defer", Word: l.Sprintf("Not now"), Detail: when}
	}
	return verdict{Class: "deny", Word: l.Sprintf("No"), Detail: when}
}

// viewerZone is the zone the signed-in person works in, or Bogotá's.
func viewerZone(snap *view.Snapshot, s *Session, at time.Time) *time.Location {
	if s.Person != "" {
		if p := snap.Person(s.Person); p != nil {
			loc, _ := p.ZoneAt(at)
			return loc
		}
	}
	return bogota
}

var bogota = mustZone("America/Bogota")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// localTime writes t on the wall clock of loc, the same in both languages.
func localTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04")
}

func requestID() string { return "web-" + randomToken(9) }

// policyLang is the policy's name for a page's language.
func policyLang(l lang.Lang) policy.Lang {
	if l == lang.English {
		return policy.English
	}
	return policy.Spanish
}

// beyondHorizon says that an instant lies beyond what the viewer may see
// exactly, and from when to ask again.
func (a *App) beyondHorizon(l lang.Lang, dc decide.Disclosure, viewer *time.Location) string {
	return l.Sprintf("not within the next %d days; ask again from %s", int(a.horizon/(24*time.Hour)), localTime(dc.Until, viewer))
}
