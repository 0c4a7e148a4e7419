package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/decide"
	"franja/domain"
	"franja/engine"
	"franja/lang"
	"franja/policy"
	"franja/view"
)

type weekDay struct {
	Date, Label, Holiday string
	// Withheld says why the day is not shown: it lies beyond the
	// viewer's disclosure horizon (before or after now).
	Withheld string
	Bars     []bar
	Spans    []span
}

// bar is one day on a 24-hour axis (1440 units wide), in one zone.
type bar struct {
	Zone, Aria string
	Boxes      []box
	Ticks      []int
}

type box struct {
	X, W         int
	Class, Title string
}

// span is a stretch of the day in words: allowed, or why not.
type span struct {
	From, To, What, Basis, Class string
}

// week is "A person's week": allowed time per day in their zone and in
// the viewer's, with the legal reason of every gap. A supervisor sees only
// their line (decide.Scope: the same 403 as the API).
func (a *App) week(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.decide.Snapshot()
	if err != nil {
		return err
	}
	s := sessionOf(r)
	p := s.Principal()
	person, err := decide.Scope(snap, p, chi.URLParam(r, "external_id"))
	if err != nil {
		return err
	}
	now := a.now()
	loc, zone := person.ZoneAt(now)
	first, err := weekStart(r.URL.Query().Get("week"), now.In(loc))
	if err != nil {
		return err
	}
	viewer := viewerZone(snap, s, now)
	l := langOf(r)
	g := gapper{a: a, snap: snap, p: p, person: person, lang: l}
	// A supervisor sees the days within the disclosure horizon of the
	// week's first instant, as the API's availability of the same range
	// shows them (all seven unless the horizon is shorter than a week).
	weekFrom, _ := dayBounds(first, loc)
	dc := decide.DisclosureFor(p, weekFrom, a.horizon)
	var days []weekDay
	for i := range 7 {
		d := first.AddDate(0, 0, i)
		start, end := dayBounds(d, loc)
		day := weekDay{Date: d.Format(time.DateOnly), Label: dayLabel(l, d)}
		if dc.Hides(end) {
			day.Withheld = l.Sprintf("Not shown: a supervisor sees %d days from the first day asked about.", int(a.horizon/(24*time.Hour)))
			days = append(days, day)
			continue
		}
		main, spans, holiday := g.bar(start, end, zone)
		day.Bars, day.Spans, day.Holiday = []bar{main}, spans, holiday
		if viewer.String() != loc.String() {
			vs, ve := dayBounds(d, viewer)
			vb, _, _ := g.bar(vs, ve, viewer.String())
			day.Bars = append(day.Bars, vb)
		}
		days = append(days, day)
	}
	data := map[string]any{"ID": person.ExternalID, "Name": person.FullName, "Zone": zone, "Days": days,
		"WeekOf": first.Format(time.DateOnly), "Prev": first.AddDate(0, 0, -7).Format(time.DateOnly), "Next": first.AddDate(0, 0, 7).Format(time.DateOnly)}
	if viewer.String() != loc.String() {
		data["ViewerZone"] = viewer.String()
	}
	return a.render(w, r, http.StatusOK, "week", data)
}

// weekStart is the Monday of the week holding the date param (YYYY-MM-DD),
// or of today.
func weekStart(param string, today time.Time) (time.Time, error) {
	d := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, time.UTC)
	if param != "" {
		var err error
		if d, err = time.Parse(time.DateOnly, param); err != nil {
			return time.Time{}, &domain.Error{Code: domain.EMalformed, Message: "a query parameter is not valid",
				Fields: []domain.FieldError{domain.FieldErrorf("week", "%q is not a date: write YYYY-MM-DD", param)}}
		}
	}
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)), nil
}

// dayBounds is [first instant of local date d, first instant of the next):
// midnight may not exist (a DST change at 00:00), so the first instant
// whose local date is d, found by hours.
func dayBounds(d time.Time, loc *time.Location) (time.Time, time.Time) {
	at := func(d time.Time) time.Time {
		t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
		for t.In(loc).Day() != d.Day() {
			t = t.Add(time.Hour)
		}
		return t
	}
	return at(d), at(d.AddDate(0, 0, 1))
}

// gapper asks the decision path why each gap of a day is not allowed time.
type gapper struct {
	a      *App
	snap   *view.Snapshot
	p      *domain.Principal
	person *view.Person
	lang   lang.Lang
}

// bar builds the day [start, end) in zone: allowed boxes, and gaps with
// the reason of the decision at their first instant.
func (g gapper) bar(start, end time.Time, zone string) (bar, []span, string) {
	loc, _ := time.LoadLocation(zone)
	var ivs []engine.Interval
	if g.person.Calendar != nil {
		ivs = g.person.Calendar.Intervals(start, end)
	}
	length := end.Sub(start).Minutes()
	x := func(t time.Time) int { return int(t.Sub(start).Minutes() / length * 1440) }
	b := bar{Zone: zone}
	for h := 3; h < 24; h += 3 {
		b.Ticks = append(b.Ticks, h*60)
	}
	var spans []span
	var aria []string
	holiday := ""
	add := func(from, to time.Time, allowed bool) {
		sp := span{From: from.In(loc).Format("15:04"), To: clock(to, loc)}
		if allowed {
			sp.Class, sp.What = "allowed", g.lang.Sprintf("may be contacted")
			sp.Basis = g.lang.Sprintf("Ley 2191 de 2022, art. 3")
		} else {
			sp.Class = "gap"
			sp.What, sp.Basis, holiday = g.reason(from, holiday)
		}
		b.Boxes = append(b.Boxes, box{X: x(from), W: max(x(to)-x(from), 1), Class: sp.Class,
			Title: fmt.Sprintf("%s–%s %s (%s)", sp.From, sp.To, sp.What, sp.Basis)})
		aria = append(aria, sp.From+"–"+sp.To+" "+sp.What)
		spans = append(spans, sp)
	}
	at := start
	for _, iv := range ivs {
		if iv.Start.After(at) {
			add(at, iv.Start, false)
		}
		add(maxTime(iv.Start, start), minTime(iv.End, end), true)
		at = iv.End
	}
	if at.Before(end) {
		add(at, end, false)
	}
	b.Aria = strings.Join(aria, "; ")
	return b, spans, holiday
}

func clock(t time.Time, loc *time.Location) string {
	if s := t.In(loc).Format("15:04"); s != "00:00" {
		return s
	}
	return "24:00"
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// reason is why routine contact is not allowed at t, in words, with its
// legal basis (never the kind of a leave), and the day's holiday names.
func (g gapper) reason(t time.Time, holiday string) (string, string, string) {
	q := question(g.person.ExternalID, policy.Email, policy.Routine, t, "")
	var v domain.Validator
	decide.Validate(&v, g.p, &q, g.snap)
	d := g.a.decide.Decide(g.snap, g.p, g.person, q).Decision
	pl := policyLang(g.lang)
	for _, r := range d.Reasons {
		if r.Code == policy.SuperiorAbstains || r.Code == policy.HolidaysUnknown {
			continue
		}
		if r.Code == policy.PublicHoliday {
			holiday = strings.Join(r.HolidayNames(pl), " / ")
		}
		return r.Message(pl), r.LegalBasis(pl), holiday
	}
	return g.lang.Sprintf("no contact"), "", holiday
}

// dayLabel is "lunes 2026-11-30" / "Monday 2026-11-30".
func dayLabel(l lang.Lang, d time.Time) string {
	return l.Text(weekdays[d.Weekday()]) + " " + d.Format(time.DateOnly)
}

var weekdays = [7]domain.Text{domain.T("Sunday"), domain.T("Monday"), domain.T("Tuesday"), domain.T("Wednesday"),
	domain.T("Thursday"), domain.T("Friday"), domain.T("Saturday")}
