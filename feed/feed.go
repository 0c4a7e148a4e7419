// Package feed builds what calendar clients read from Franja: iCalendar
// (RFC 5545) feeds of a person's allowed time and absences, of a
// supervisor's whole line and of a post's holidays; holiday lists as .ics
// files; and a person's schedule in Microsoft Graph's workingHours shape.
//
// It reads the in-memory view and is pure: the instant is an argument, and
// its only output is what it returns or writes to the io.Writer it is given.
// A feed never says why someone is away: absences are "Ausente"/"Away" and
// busy, whatever the leave's kind; allowed windows are free; holidays carry
// their names.
package feed

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"time"

	"franja/calendars"
	"franja/domain"
	"franja/engine"
	"franja/policy"
	"franja/view"
)

// The windows a feed covers, in local dates of the person (or post) from the
// day of the request: documented in openapi.yaml and the README. Bounded so
// that a feed's cost and what it discloses are bounded too.
const (
	PersonPastDays   = 30
	PersonFutureDays = 90
	// A team feed lists everyone in a line: a shorter window keeps a large
	// line's feed to a size calendar clients accept.
	TeamPastDays   = 7
	TeamFutureDays = 35
	// TeamWindowsUpTo is the largest line whose windows a team feed lists;
	// a larger line's feed lists absences only (its description says so):
	// 1,000 people's windows are some 60,000 events, more than a calendar
	// client can show or should fetch hourly.
	TeamWindowsUpTo = 100
	// A post's holiday feed covers the previous, the current and the next
	// calendar year.
	HolidayYearsBefore = 1
	HolidayYearsAfter  = 1
)

// Refresh is how often clients are asked to fetch a feed again
// (REFRESH-INTERVAL and X-PUBLISHED-TTL).
const Refresh = time.Hour

// What an event is.
const (
	Window  = "window"  // allowed time: free
	Away    = "away"    // an absence: busy
	Holiday = "holiday" // a holiday of the post: free, named
)

// Event is one VEVENT. Timed events have Start and End (written in UTC);
// all-day ones have Date and EndDate (exclusive, as RFC 5545 says).
type Event struct {
	UID           string
	What          string // Window, Away or Holiday
	Person        string // external id ("" for a post's holiday)
	Summary       string
	Start, End    time.Time
	Date, EndDate domain.Date
}

// AllDay reports whether e is given as dates.
func (e Event) AllDay() bool { return !e.Date.IsZero() }

// Busy reports whether e makes its person busy.
func (e Event) Busy() bool { return e.What == Away }

// Calendar is a feed's content before it is written.
type Calendar struct {
	Name        string
	Description string
	Lang        policy.Lang
	Events      []Event
}

// texts are the feed's words, [Spanish, English].
var texts = map[string][2]string{
	Window:         {"Disponible", "Available"},
	Away:           {"Ausente", "Away"},
	"person.name":  {"Franja: %s", "Franja: %s"},
	"person.desc":  {"Cuándo se puede contactar a %s por trabajo (Ley 2191 de 2022) y cuándo está ausente, del %s al %s.", "When %s may be contacted for work (Ley 2191 de 2022) and when they are away, from %s to %s."},
	"team.name":    {"Franja: equipo de %s", "Franja: %s's team"},
	"team.big":     {" La línea tiene %d personas, más de %d: solo se muestran las ausencias.", " The line has %d people, more than %d: only absences are shown."},
	"team.desc":    {"Cuándo se puede contactar por trabajo a cada persona de la línea de %s (Ley 2191 de 2022) y cuándo está ausente, del %s al %s.", "When each person in %s's reporting line may be contacted for work (Ley 2191 de 2022) and when they are away, from %s to %s."},
	"post.name":    {"Franja: festivos de %s", "Franja: %s holidays"},
	"post.desc":    {"Los festivos que la sede %s no trabaja, de %d a %d.", "The holidays post %s does not work, %d to %d."},
	"holiday.name": {"Festivos de %s, %d", "%s holidays, %d"},
}

func text(lang policy.Lang, key string, args ...any) string {
	t := texts[key][lang]
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}

// span is the instants and local dates a feed covers for one zone.
type span struct {
	from, to     domain.Date // [from, to)
	start, until time.Time
}

func spanOf(zone *time.Location, now time.Time, past, future int) span {
	today := domain.DateOf(now.In(zone))
	s := span{from: today.AddDays(-past), to: today.AddDays(future)}
	s.start, s.until = engine.Resolve(zone, s.from, 0), engine.Resolve(zone, s.to, 0)
	return s
}

// Person is the feed of p's allowed time, absences and the holidays of
// their post (nil: none), over PersonPastDays before now to
// PersonFutureDays after, in p's zone.
func Person(p *view.Person, post *view.Post, now time.Time, lang policy.Lang) Calendar {
	return PersonWithin(p, post, now, lang, PersonPastDays, PersonFutureDays)
}

// PersonWithin is Person over past days before now to future days after
// (a supervisor's feed is bounded by the disclosure horizon).
func PersonWithin(p *view.Person, post *view.Post, now time.Time, lang policy.Lang, past, future int) Calendar {
	sp := spanOf(p.Location(), now, past, future)
	c := Calendar{
		Name:        text(lang, "person.name", p.FullName),
		Description: text(lang, "person.desc", p.FullName, sp.from, sp.to.AddDays(-1)),
		Lang:        lang,
	}
	c.Events = personEvents(p, sp, lang, "", true)
	if post != nil && post.Holidays != nil {
		c.Events = append(c.Events, holidayEvents("person:"+p.ExternalID, post.Holidays.Names, sp.from, sp.to)...)
	}
	sortEvents(c.Events)
	return c
}

// Team is the feed of everyone in head's reporting line (not head): their
// allowed time and absences over TeamPastDays before now to TeamFutureDays
// after, each in their own zone; every event names its person. A line of
// more than TeamWindowsUpTo people gets its absences only.
func Team(head *view.Person, line []*view.Person, now time.Time, lang policy.Lang) Calendar {
	return TeamWithin(head, line, now, lang, TeamPastDays, TeamFutureDays)
}

// TeamWithin is Team over past days before now to future days after.
func TeamWithin(head *view.Person, line []*view.Person, now time.Time, lang policy.Lang, past, future int) Calendar {
	sp := spanOf(head.Location(), now, past, future)
	c := Calendar{
		Name:        text(lang, "team.name", head.FullName),
		Description: text(lang, "team.desc", head.FullName, sp.from, sp.to.AddDays(-1)),
		Lang:        lang,
	}
	windows := len(line) <= TeamWindowsUpTo
	if !windows {
		c.Description += text(lang, "team.big", len(line), TeamWindowsUpTo)
	}
	for _, p := range line {
		own := spanOf(p.Location(), now, past, future)
		c.Events = append(c.Events, personEvents(p, own, lang, p.FullName+": ", windows)...)
	}
	sortEvents(c.Events)
	return c
}

// personEvents are p's absences in sp, and their windows when windows is
// set, their summaries after prefix.
func personEvents(p *view.Person, sp span, lang policy.Lang, prefix string, windows bool) []Event {
	var out []Event
	if windows && p.HasSchedule && p.Calendar != nil {
		for _, iv := range p.Calendar.Intervals(sp.start, sp.until) {
			out = append(out, Event{What: Window, Person: p.ExternalID, Summary: prefix + text(lang, Window),
				Start: iv.Start.UTC(), End: iv.End.UTC()})
		}
	}
	for _, a := range Absences(p, sp.from, sp.to, p.Location()) {
		a.Summary = prefix + text(lang, Away)
		out = append(out, a)
	}
	for i := range out {
		out[i].UID = uid(out[i].What, p.ExternalID, out[i].Start, out[i].Date, "")
	}
	return out
}

// Absences returns p's blocking leave within the local dates [from, to) of
// zone, as Away events without summaries: all-day leave as dates, merged
// where leaves overlap or touch (the feed shows their union, never one
// leave's shape); partial leave as instants, merged likewise, and dropped
// where an all-day absence covers it. A service commission is work, not an
// absence.
func Absences(p *view.Person, from, to domain.Date, zone *time.Location) []Event {
	start, until := engine.Resolve(zone, from, 0), engine.Resolve(zone, to, 0)
	var days, timed []Event
	for i := range p.Leaves {
		l := &p.Leaves[i]
		if !l.Kind().Blocks() {
			continue
		}
		if !l.StartDate().IsZero() {
			s, e := maxDate(l.StartDate(), from), minDate(l.EndDate().AddDays(1), to)
			if s.Before(e) {
				days = append(days, Event{What: Away, Person: p.ExternalID, Date: s, EndDate: e})
			}
			continue
		}
		s, e := later(l.Start(), start), earlier(l.End(), until)
		if s.Before(e) {
			timed = append(timed, Event{What: Away, Person: p.ExternalID, Start: s.UTC(), End: e.UTC()})
		}
	}
	days = mergeDays(days)
	timed = mergeTimed(timed)
	out := days
	for _, t := range timed {
		if !coveredByDays(days, domain.DateOf(t.Start.In(zone)), domain.DateOf(t.End.Add(-time.Nanosecond).In(zone))) {
			out = append(out, t)
		}
	}
	return out
}

func mergeDays(es []Event) []Event {
	slices.SortFunc(es, func(a, b Event) int { return a.Date.Compare(b.Date) })
	var out []Event
	for _, e := range es {
		if n := len(out); n > 0 && !out[n-1].EndDate.Before(e.Date) {
			out[n-1].EndDate = maxDate(out[n-1].EndDate, e.EndDate)
			continue
		}
		out = append(out, e)
	}
	return out
}

func mergeTimed(es []Event) []Event {
	slices.SortFunc(es, func(a, b Event) int { return a.Start.Compare(b.Start) })
	var out []Event
	for _, e := range es {
		if n := len(out); n > 0 && !out[n-1].End.Before(e.Start) {
			out[n-1].End = later(out[n-1].End, e.End)
			continue
		}
		out = append(out, e)
	}
	return out
}

// coveredByDays reports whether the dates [first, last] lie inside one of
// the all-day absences.
func coveredByDays(days []Event, first, last domain.Date) bool {
	for _, d := range days {
		if !first.Before(d.Date) && last.Before(d.EndDate) {
			return true
		}
	}
	return false
}

// holidayEvents lists the holidays names gives for the dates [from, to), one
// all-day event per name; scope keeps UIDs apart between feeds.
func holidayEvents(scope string, names func(domain.Date) []string, from, to domain.Date) []Event {
	var out []Event
	for d := from; d.Before(to); d = d.AddDays(1) {
		for _, n := range names(d) {
			out = append(out, Event{What: Holiday, Summary: n, Date: d, EndDate: d.AddDays(1),
				UID: uid(Holiday, scope, time.Time{}, d, n)})
		}
	}
	return out
}

// PostHolidays is the feed of post's holidays over the previous, current
// and next year (in the post's zone at now).
func PostHolidays(post *view.Post, now time.Time, lang policy.Lang) Calendar {
	zone := post.Zone
	if zone == nil {
		zone = time.UTC
	}
	year := now.In(zone).Year()
	first, last := year-HolidayYearsBefore, year+HolidayYearsAfter
	c := Calendar{
		Name:        text(lang, "post.name", post.Code),
		Description: text(lang, "post.desc", post.Code, first, last),
		Lang:        lang,
	}
	c.Events = holidayEvents("post:"+post.Code, post.Holidays.Names, domain.NewDate(first, 1, 1), domain.NewDate(last+1, 1, 1))
	return c
}

// Holidays is a holiday list (a base calendar's or a post's effective
// holidays in a year) as a calendar named for scope.
func Holidays(scope string, year int, hs []calendars.Effective, lang policy.Lang) Calendar {
	c := Calendar{Name: text(lang, "holiday.name", scope, year), Lang: lang}
	for _, h := range hs {
		c.Events = append(c.Events, Event{What: Holiday, Summary: h.Name, Date: h.Date, EndDate: h.Date.AddDays(1),
			UID: uid(Holiday, scope, time.Time{}, h.Date, h.Name)})
	}
	return c
}

// uid is a stable UID: the same event gets the same one on every fetch and
// every replica, and it reveals nothing the event does not show.
func uid(what, scope string, start time.Time, d domain.Date, name string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00%s", what, scope, start.Unix(), d, name)
	return hex.EncodeToString(h.Sum(nil)[:16]) + "@franja"
}

func sortEvents(es []Event) {
	slices.SortStableFunc(es, func(a, b Event) int {
		return cmp.Or(a.sortKey().Compare(b.sortKey()), cmp.Compare(a.Person, b.Person), cmp.Compare(a.What, b.What))
	})
}

// sortKey orders events by when they begin (an all-day event at UTC
// midnight of its date, which is only for ordering).
func (e Event) sortKey() time.Time {
	if e.AllDay() {
		return time.Date(e.Date.Year, e.Date.Month, e.Date.Day, 0, 0, 0, 0, time.UTC)
	}
	return e.Start
}

// ETag is a weak entity tag of c's content: equal for two fetches that
// would show the same events, whatever their DTSTAMP (hence weak).
func (c Calendar) ETag() string {
	h := sha256.New()
	writeField(h, c.Name, c.Description, fmt.Sprint(c.Lang), Refresh.String())
	for _, e := range c.Events {
		writeField(h, e.UID, e.What, e.Person, e.Summary, e.Start.Format(time.RFC3339), e.End.Format(time.RFC3339), e.Date.String(), e.EndDate.String())
	}
	return `W/"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
}

func writeField(h hash.Hash, fields ...string) {
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s", len(f), f)
	}
}

func maxDate(a, b domain.Date) domain.Date {
	if a.After(b) {
		return a
	}
	return b
}

func minDate(a, b domain.Date) domain.Date {
	if a.Before(b) {
		return a
	}
	return b
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
