package api

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/go-cmp/cmp"

	"franja/calendars"
	"franja/domain"
	"franja/engine"
	"franja/internal/pgtest"
	"franja/postgres"
)

func init() { openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder) }

// feedNow is the instant the feed tests ask at: the feed window (30 days
// back, 90 ahead) then covers Madrid's fall-back of 25 October 2026.
var feedNow = time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC)

// feedFixture is two replicas over one database, with supervisor keys:
// S1 heads E1 (who heads E2) and N1 (a night shift); O1 is outside the line.
type feedFixture struct {
	a, b     *harness
	s1, e2   createdKey
	madrid   *time.Location
	store    *postgres.Store
	keysA    *KeyAuthenticator
	keysB    *KeyAuthenticator
	feedPath func(url string) string
}

func newFeedFixture(t *testing.T) *feedFixture {
	store := postgres.New(pgtest.Pool(t))
	f := &feedFixture{store: store, madrid: mustZone(t, "Europe/Madrid")}
	now := func() time.Time { return feedNow }
	f.a, f.keysA = keyHarnessOn(t, store, KeyAuthOptions{}, Config{Now: now, PublicURL: "https://franja.example.gov.co"})
	f.b, f.keysB = keyHarnessOn(t, store, KeyAuthOptions{}, Config{Now: now})
	h := f.a
	h.mustCreate("/v1/posts", map[string]any{"code": "MAD", "name": "Embajada Madrid", "kind": "embassy", "country": "ES", "city": "Madrid",
		"time_zone": "Europe/Madrid", "calendars": []string{"ES"}, "schedule": workweek("09:00-14:00", "15:00-18:00")})
	person := func(id, name, supervisor string, extra map[string]any) {
		body := map[string]any{"external_id": id, "full_name": name, "email": strings.ToLower(id) + "@cancilleria.gov.co", "post": "MAD"}
		if supervisor != "" {
			body["supervisor"] = supervisor
		}
		for k, v := range extra {
			body[k] = v
		}
		h.mustCreate("/v1/people", body)
	}
	person("S1", "Sofía Jefa", "", nil)
	person("E1", "Ana Pérez", "S1", nil)
	person("E2", "Luis Gómez", "E1", nil)
	night := workweek("22:00-06:00")
	night["sat"] = []string{"22:00-06:00"}
	person("N1", "Nora Noche", "S1", map[string]any{"schedule": night})
	person("O1", "Otra Persona", "", nil)
	// Two overlapping leaves (their union is one absence), a partial one,
	// and a long one running past the window.
	h.mustCreate("/v1/people/E1/leaves", map[string]any{"kind": "vacation", "external_ref": "V1", "start_date": "2026-11-02", "end_date": "2026-11-06"})
	h.mustCreate("/v1/people/E1/leaves", map[string]any{"kind": "sick_leave", "external_ref": "S1", "start_date": "2026-11-05", "end_date": "2026-11-10"})
	h.mustCreate("/v1/people/E1/leaves", map[string]any{"kind": "study_permission", "external_ref": "P1", "starts_at": "2026-10-27T10:00:00+01:00", "ends_at": "2026-10-27T12:00:00+01:00"})
	h.mustCreate("/v1/people/N1/leaves", map[string]any{"kind": "maternity_leave", "external_ref": "M1", "start_date": "2026-12-01", "end_date": "2027-03-30"})
	h.mustCreate("/v1/people/E2/leaves", map[string]any{"kind": "service_commission", "external_ref": "C1", "start_date": "2026-10-26", "end_date": "2026-10-28"})
	f.s1 = h.createKey(map[string]any{"name": "Sofía", "role": "supervisor", "person": "S1"})
	f.e2 = h.createKey(map[string]any{"name": "Luis", "role": "supervisor", "person": "E2"})
	return f
}

// createFeed makes a feed as token ("" = admin) and returns its answer.
func (f *feedFixture) createFeed(t *testing.T, token string, body map[string]any) map[string]any {
	t.Helper()
	res := f.a.do(req{Method: "POST", Path: "/v1/feeds", Token: token, Body: body})
	if res.Status != http.StatusCreated {
		t.Fatalf("creating feed %v: %d %s", body, res.Status, res.Body)
	}
	return res.Map(t)
}

// fetch GETs a feed's URL on replica h.
func fetch(h *harness, url string, header map[string]string) *response {
	_, path, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://"), "/")
	return h.do(req{Method: "GET", Path: "/" + path, Token: "-", Header: header})
}

// parsedEvent is a VEVENT as a parser reads it: dates as YYYYMMDD, UTC
// date-times as YYYYMMDDTHHMMSSZ.
type parsedEvent struct {
	UID     string `json:"uid"`
	Summary string `json:"summary"`
	Transp  string `json:"transp"`
	Start   string `json:"start"`
	End     string `json:"end"`
	DTStamp string `json:"dtstamp"`
}

// parseGo reads a feed with golang-ical.
func parseGo(t *testing.T, body []byte) (map[string]string, []parsedEvent) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("golang-ical cannot parse the feed: %v", err)
	}
	props := map[string]string{}
	for _, p := range cal.CalendarProperties {
		props[p.IANAToken] = p.Value
	}
	var out []parsedEvent
	for _, ev := range cal.Events() {
		get := func(p ics.ComponentProperty) string {
			if v := ev.GetProperty(p); v != nil {
				return v.Value
			}
			return ""
		}
		out = append(out, parsedEvent{UID: get(ics.ComponentPropertyUniqueId), Summary: get(ics.ComponentPropertySummary),
			Transp: get(ics.ComponentPropertyTransp), Start: get(ics.ComponentPropertyDtStart), End: get(ics.ComponentPropertyDtEnd),
			DTStamp: get(ics.ComponentPropertyDtstamp)})
	}
	return props, out
}

// parsePython reads a feed with Debian's python3-icalendar.
func parsePython(t *testing.T, body []byte) (map[string]string, []parsedEvent) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "feed.ics")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	// The system Python: Debian's python3-icalendar installs there (a pyenv
	// python3 earlier on PATH would not have it). .ci/run installs it.
	out, err := exec.Command("/usr/bin/python3", "testdata/icalendar_events.py", file).CombinedOutput()
	if err != nil {
		t.Fatalf("python3-icalendar (apt-get install python3-icalendar) could not parse the feed: %v\n%s", err, out)
	}
	var got struct {
		Calendar map[string]string `json:"calendar"`
		Events   []parsedEvent     `json:"events"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return got.Calendar, got.Events
}

// checkRFC5545 checks what a parser may forgive: CRLF line ends, lines of
// at most 75 octets, and the properties every feed must carry.
func checkRFC5545(t *testing.T, body []byte) {
	t.Helper()
	s := string(body)
	if !strings.HasSuffix(s, "\r\n") || strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Error("the feed has line ends other than CRLF")
	}
	for i, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d has %d octets (RFC 5545 folds at 75): %q", i+1, len(l), l)
		}
	}
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", "PRODID:-//Franja//", "METHOD:PUBLISH\r\n",
		"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n", "X-PUBLISHED-TTL:PT1H\r\n", "END:VCALENDAR\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("the feed lacks %q", want)
		}
	}
}

// checkNoLeaveKind fails when body names a leave kind.
func checkNoLeaveKind(t *testing.T, body []byte) {
	t.Helper()
	low := strings.ToLower(string(body))
	for _, k := range domain.LeaveKinds {
		for _, w := range append(strings.Split(string(k), "_"), string(k)) {
			if len(w) > 4 && w != "leave" && strings.Contains(low, w) {
				t.Errorf("the feed names a leave kind (%q of %s)", w, k)
			}
		}
	}
	for _, w := range []string{"vacacion", "incapacidad", "maternidad", "licencia", "permiso", "comisi"} {
		if strings.Contains(low, w) {
			t.Errorf("the feed names a leave kind (%q)", w)
		}
	}
}

func icsUTC(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

func icsDate(d domain.Date) string { return strings.ReplaceAll(d.String(), "-", "") }

// apiWindows asks /availability for a person's intervals in [from, to), in
// parts of at most 93 days cut at cut (an instant inside no window).
func apiWindows(t *testing.T, h *harness, person string, from, cut, to time.Time) [][2]string {
	t.Helper()
	var out [][2]string
	for _, part := range [][2]time.Time{{from, cut}, {cut, to}} {
		res := h.do(req{Method: "GET", Path: "/v1/people/" + person + "/availability?from=" + url.QueryEscape(part[0].Format(time.RFC3339)) + "&to=" + url.QueryEscape(part[1].Format(time.RFC3339))})
		if res.Status != 200 {
			t.Fatalf("availability: %d %s", res.Status, res.Body)
		}
		var a struct{ Intervals []intervalJSON }
		res.JSON(t, &a)
		for _, iv := range a.Intervals {
			s, _ := time.Parse(time.RFC3339, iv.Start)
			e, _ := time.Parse(time.RFC3339, iv.End)
			out = append(out, [2]string{icsUTC(s), icsUTC(e)})
		}
	}
	return out
}

// eventsOf picks the events whose summary is summary, as [start, end).
func eventsOf(es []parsedEvent, summary string) [][2]string {
	var out [][2]string
	for _, e := range es {
		if e.Summary == summary {
			out = append(out, [2]string{e.Start, e.End})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// TestPersonFeedRoundTrip: a person feed, read by golang-ical and by
// python3-icalendar, gives the windows /availability gives, the leave
// /leaves lists (as their union, named only Ausente) and the holidays
// /v1/posts/{code}/holidays lists, across Madrid's fall-back; and a
// night shift's window across that night is 9 hours long.
func TestPersonFeedRoundTrip(t *testing.T) {
	f := newFeedFixture(t)
	from := engine.Resolve(f.madrid, domain.NewDate(2026, 9, 20), 0) // 30 days before 20 October
	to := engine.Resolve(f.madrid, domain.NewDate(2027, 1, 18), 0)   // 90 days after
	cut := engine.Resolve(f.madrid, domain.NewDate(2026, 11, 20), 19*60)

	feedE1 := f.createFeed(t, "", map[string]any{"kind": "person", "subject": "E1"})
	if u := feedE1["url"].(string); !strings.HasPrefix(u, "https://franja.example.gov.co/feeds/frf_") || !strings.HasSuffix(u, ".ics") {
		t.Errorf("url %q", u)
	}
	if w := feedE1["webcal_url"].(string); w != "webcal://"+strings.TrimPrefix(feedE1["url"].(string), "https://") {
		t.Errorf("webcal_url %q", w)
	}
	res := fetch(f.b, feedE1["url"].(string), nil)
	if res.Status != 200 || res.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("GET feed: %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	checkRFC5545(t, res.Body)
	checkNoLeaveKind(t, res.Body)
	goProps, goEvents := parseGo(t, res.Body)
	pyProps, pyEvents := parsePython(t, res.Body)
	if diff := cmp.Diff(goEvents, pyEvents); diff != "" {
		t.Errorf("golang-ical and python3-icalendar read different events (-go +python):\n%s", diff)
	}
	for _, k := range []string{"PRODID", "VERSION", "METHOD", "X-WR-CALNAME", "X-PUBLISHED-TTL"} {
		if goProps[k] == "" || goProps[k] != pyProps[k] {
			t.Errorf("calendar property %s: go %q, python %q", k, goProps[k], pyProps[k])
		}
	}
	uids := map[string]bool{}
	for _, e := range goEvents {
		if e.UID == "" || e.DTStamp != icsUTC(feedNow) || uids[e.UID] {
			t.Errorf("event %+v: needs a unique UID and DTSTAMP %s", e, icsUTC(feedNow))
		}
		uids[e.UID] = true
	}

	// Windows: free, and exactly the API's.
	if n := len(eventsOf(goEvents, "Disponible")); n < 100 {
		t.Errorf("%d windows in four months of a split workweek", n)
	}
	if diff := cmp.Diff(apiWindows(t, f.a, "E1", from, cut, to), eventsOf(goEvents, "Disponible")); diff != "" {
		t.Errorf("windows differ from /availability (-api +feed):\n%s", diff)
	}
	// Absences: the union of the leaves, all-day with an exclusive end; the
	// partial one in UTC.
	wantAway := [][2]string{
		{"20261027T090000Z", "20261027T110000Z"},
		{"20261102", "20261111"},
	}
	if diff := cmp.Diff(wantAway, eventsOf(goEvents, "Ausente")); diff != "" {
		t.Errorf("absences (-want +feed):\n%s", diff)
	}
	checkLeavesMatch(t, f.a, "E1", eventsOf(goEvents, "Ausente"))
	// Holidays: the post's, named, inside the window.
	var wantHolidays [][2]string
	for _, year := range []int{2026, 2027} {
		for _, hol := range f.a.getHolidays("/v1/posts/MAD/holidays?year=" + strconv.Itoa(year)).Holidays {
			d, _ := domain.ParseDate(hol.Date)
			if !d.Before(domain.NewDate(2026, 9, 20)) && d.Before(domain.NewDate(2027, 1, 18)) {
				wantHolidays = append(wantHolidays, [2]string{icsDate(d), hol.Name})
			}
		}
	}
	var gotHolidays [][2]string
	for _, e := range goEvents {
		if e.Summary != "Disponible" && e.Summary != "Ausente" {
			gotHolidays = append(gotHolidays, [2]string{e.Start, e.Summary})
			if e.Transp != "TRANSPARENT" || e.End != icsDate(mustDate(t, e.Start).AddDays(1)) {
				t.Errorf("holiday %+v: want free, one day", e)
			}
		}
	}
	if len(wantHolidays) < 3 {
		t.Fatalf("the fixture should have holidays in the window: %v", wantHolidays)
	}
	if diff := cmp.Diff(wantHolidays, gotHolidays); diff != "" {
		t.Errorf("holidays (-api +feed):\n%s", diff)
	}

	// The night shift, across the fall-back: Saturday 24 October 22:00 CEST
	// to Sunday 06:00 CET lasts 9 hours; before it windows start at 20:00
	// UTC, after it at 21:00.
	feedN1 := f.createFeed(t, "", map[string]any{"kind": "person", "subject": "N1"})
	body := fetch(f.a, feedN1["url"].(string), nil).Body
	_, nEvents := parseGo(t, body)
	_, pyN := parsePython(t, body)
	if diff := cmp.Diff(nEvents, pyN); diff != "" {
		t.Errorf("night shift: parsers differ:\n%s", diff)
	}
	nWindows := eventsOf(nEvents, "Disponible")
	if diff := cmp.Diff(apiWindows(t, f.a, "N1", from, cut, to), nWindows); diff != "" {
		t.Errorf("night windows differ from /availability (-api +feed):\n%s", diff)
	}
	for _, w := range [][2]string{{"20261023T200000Z", "20261024T040000Z"}, {"20261024T200000Z", "20261025T050000Z"}, {"20261026T210000Z", "20261027T050000Z"}} {
		if !slices.Contains(nWindows, w) {
			t.Errorf("night shift: no window %v (CEST before the change, CET after)", w)
		}
	}
	if diff := cmp.Diff([][2]string{{"20261201", "20270118"}}, eventsOf(nEvents, "Ausente")); diff != "" {
		t.Errorf("a leave past the window is cut at its end (-want +feed):\n%s", diff)
	}
	checkNoLeaveKind(t, body)

	// A service commission is work: E2 has windows and no absence.
	feedE2 := f.createFeed(t, "", map[string]any{"kind": "person", "subject": "E2", "lang": "en"})
	body = fetch(f.a, feedE2["url"].(string), nil).Body
	_, e2Events := parseGo(t, body)
	if got := eventsOf(e2Events, "Away"); len(got) != 0 || len(eventsOf(e2Events, "Available")) == 0 {
		t.Errorf("E2 (a service commission, English feed): away %v, %d windows", got, len(eventsOf(e2Events, "Available")))
	}
	checkNoLeaveKind(t, body)
}

func mustDate(t *testing.T, ymd string) domain.Date {
	t.Helper()
	d, err := time.Parse("20060102", ymd)
	if err != nil {
		t.Fatal(err)
	}
	return domain.DateOf(d)
}

// checkLeavesMatch compares the feed's all-day absences with the union of
// the all-day leaves hr reads through the API.
func checkLeavesMatch(t *testing.T, h *harness, person string, away [][2]string) {
	t.Helper()
	res := h.do(req{Method: "GET", Path: "/v1/people/" + person + "/leaves"})
	var list struct {
		Items []struct {
			StartDate *string `json:"start_date"`
			EndDate   *string `json:"end_date"`
		} `json:"items"`
	}
	res.JSON(t, &list)
	days := map[string]bool{}
	for _, l := range list.Items {
		if l.StartDate == nil {
			continue
		}
		s, _ := domain.ParseDate(*l.StartDate)
		e, _ := domain.ParseDate(*l.EndDate)
		for d := s; !d.After(e); d = d.AddDays(1) {
			days[icsDate(d)] = true
		}
	}
	fromFeed := map[string]bool{}
	for _, a := range away {
		if len(a[0]) != 8 {
			continue
		}
		for d := mustDate(t, a[0]); icsDate(d) < a[1]; d = d.AddDays(1) {
			fromFeed[icsDate(d)] = true
		}
	}
	if diff := cmp.Diff(days, fromFeed); diff != "" {
		t.Errorf("absent dates differ from the leave API (-api +feed):\n%s", diff)
	}
}

// TestTeamFeedNamesEveryoneInTheLine: a supervisor's team feed lists the
// windows and absences of their whole line, direct and indirect, each event
// naming its person, and nobody outside it.
func TestTeamFeedNamesEveryoneInTheLine(t *testing.T) {
	f := newFeedFixture(t)
	team := f.createFeed(t, f.s1.Token, map[string]any{"kind": "team", "subject": "S1"})
	if team["owner"] != "S1" {
		t.Errorf("owner %v, want S1", team["owner"])
	}
	res := fetch(f.b, team["url"].(string), nil)
	checkRFC5545(t, res.Body)
	checkNoLeaveKind(t, res.Body)
	_, events := parseGo(t, res.Body)
	_, py := parsePython(t, res.Body)
	if diff := cmp.Diff(events, py); diff != "" {
		t.Errorf("parsers differ:\n%s", diff)
	}
	named := map[string]int{}
	for _, e := range events {
		name, what, ok := strings.Cut(e.Summary, ": ")
		if !ok || (what != "Disponible" && what != "Ausente") {
			t.Errorf("event %q does not name its person and what it is", e.Summary)
		}
		named[name]++
	}
	if _, ok := named["Sofía Jefa"]; ok || named["Otra Persona"] > 0 {
		t.Errorf("the team feed shows the head or someone outside the line: %v", named)
	}
	for _, who := range []string{"Ana Pérez", "Luis Gómez", "Nora Noche"} {
		if named[who] == 0 {
			t.Errorf("the team feed does not show %s: %v", who, named)
		}
	}
	// Ana's partial and all-day absences are within the window (7 days
	// back, 35 ahead); Nora's leave starts after it.
	if n, m := len(eventsOf(events, "Ana Pérez: Ausente")), len(eventsOf(events, "Nora Noche: Ausente")); n != 2 || m != 0 {
		t.Errorf("Ana's absences: %d events (want 2), Nora's %d (want 0)", n, m)
	}

	// A line of more than 100 people: absences only, and the description
	// says so.
	const q = `INSERT INTO people (external_id, full_name, email, post, supervisor)
		SELECT 'B' || g, 'Persona ' || g, 'b' || g || '@example.org', 'MAD', 'S1' FROM generate_series(1, 100) g`
	if _, err := f.store.Pool().Exec(t.Context(), q); err != nil {
		t.Fatal(err)
	}
	if err := f.b.view.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	res = fetch(f.b, team["url"].(string), nil)
	props, big := parseGo(t, res.Body)
	for _, e := range big {
		if !strings.HasSuffix(e.Summary, ": Ausente") {
			t.Fatalf("a team of 103 lists %q: want absences only", e.Summary)
		}
	}
	if len(big) != 2 || !strings.Contains(props["X-WR-CALDESC"], "103 personas, más de 100") {
		t.Errorf("a team of 103: %d events, description %q", len(big), props["X-WR-CALDESC"])
	}
}

// TestFeedScope: a supervisor makes feeds for their line and themselves,
// never for someone outside it nor a post's holidays; a system key makes
// none; bad bodies are 422 with the field.
func TestFeedScope(t *testing.T) {
	f := newFeedFixture(t)
	f.createFeed(t, f.s1.Token, map[string]any{"kind": "person", "subject": "E2"})
	f.createFeed(t, f.s1.Token, map[string]any{"kind": "person", "subject": "S1"})
	f.createFeed(t, f.e2.Token, map[string]any{"kind": "person", "subject": "E2"})
	system := f.a.createKey(map[string]any{"name": "sys", "role": "system"})
	for _, c := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
		field  string
	}{
		{"outside the line", f.s1.Token, map[string]any{"kind": "person", "subject": "O1"}, 403, ""},
		{"outside the line, team", f.e2.Token, map[string]any{"kind": "team", "subject": "E1"}, 403, ""},
		{"someone who does not exist, as a supervisor", f.s1.Token, map[string]any{"kind": "person", "subject": "NOPE"}, 403, ""},
		{"a post's holidays, as a supervisor", f.s1.Token, map[string]any{"kind": "post_holidays", "subject": "MAD"}, 403, ""},
		{"a system key", system.Token, map[string]any{"kind": "person", "subject": "E1"}, 403, ""},
		{"an unknown person", "", map[string]any{"kind": "person", "subject": "NOPE"}, 422, "subject"},
		{"an unknown post", "", map[string]any{"kind": "post_holidays", "subject": "NOPE"}, 422, "subject"},
		{"a team of nobody", "", map[string]any{"kind": "team", "subject": "E2"}, 422, "subject"},
		{"a bad kind and language", "", map[string]any{"kind": "leaves", "subject": "E1", "lang": "fr"}, 422, "kind"},
	} {
		res := f.a.do(req{Method: "POST", Path: "/v1/feeds", Token: c.token, Body: c.body, SkipSpec: c.status == 422})
		if res.Status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, res.Status, c.status, res.Body)
			continue
		}
		if c.field != "" {
			var p Problem
			res.JSON(t, &p)
			if len(p.Errors) == 0 || p.Errors[0].Field != c.field {
				t.Errorf("%s: errors %+v, want field %s", c.name, p.Errors, c.field)
			}
		}
	}
	// A supervisor lists only their own feeds; hr sees all.
	var mine struct{ Feeds []map[string]any }
	f.a.do(req{Method: "GET", Path: "/v1/feeds", Token: f.s1.Token}).JSON(t, &mine)
	var all struct{ Feeds []map[string]any }
	f.a.do(req{Method: "GET", Path: "/v1/feeds"}).JSON(t, &all)
	if len(mine.Feeds) != 2 || len(all.Feeds) != 3 {
		t.Errorf("S1 lists %d feeds (want 2), admin %d (want 3)", len(mine.Feeds), len(all.Feeds))
	}
	for _, fd := range all.Feeds {
		if _, ok := fd["url"]; ok {
			t.Errorf("a list shows a feed's URL: %v", fd)
		}
	}
	// ... and cannot revoke another's.
	other := strconv.Itoa(int(all.Feeds[2]["id"].(float64)))
	if res := f.a.do(req{Method: "DELETE", Path: "/v1/feeds/" + other, Token: f.s1.Token}); res.Status != 404 {
		t.Errorf("S1 revoking E2's feed: %d, want 404", res.Status)
	}
}

// TestRevokedFeedIs404OnEveryReplica: revoking on one replica closes the
// feed on the other at once (no cache to expire), as do revoking the
// supervisor key that made it and the subject leaving the line.
func TestRevokedFeedIs404OnEveryReplica(t *testing.T) {
	f := newFeedFixture(t)
	byAdmin := f.createFeed(t, "", map[string]any{"kind": "person", "subject": "E1"})
	bySup := f.createFeed(t, f.s1.Token, map[string]any{"kind": "person", "subject": "E2"})
	team := f.createFeed(t, f.s1.Token, map[string]any{"kind": "team", "subject": "S1"})
	for _, fd := range []map[string]any{byAdmin, bySup, team} {
		for _, h := range []*harness{f.a, f.b} {
			if res := fetch(h, fd["url"].(string), nil); res.Status != 200 {
				t.Fatalf("before revocation: %d %s", res.Status, res.Body)
			}
		}
	}
	id := strconv.Itoa(int(byAdmin["id"].(float64)))
	if res := f.a.do(req{Method: "DELETE", Path: "/v1/feeds/" + id}); res.Status != 204 {
		t.Fatalf("revoke: %d %s", res.Status, res.Body)
	}
	for i, h := range []*harness{f.b, f.a} {
		if res := fetch(h, byAdmin["url"].(string), nil); res.Status != 404 {
			t.Errorf("replica %d after revocation: %d, want 404 at once", i, res.Status)
		}
	}
	if res := f.a.do(req{Method: "DELETE", Path: "/v1/feeds/" + id}); res.Status != 204 {
		t.Errorf("revoking twice: %d", res.Status)
	}

	// E2 moves out of S1's line: the person feed S1 made stops, and the
	// team feed no longer shows them.
	res := f.a.do(req{Method: "PATCH", Path: "/v1/people/E2", Body: map[string]any{"supervisor": "O1"}, Header: map[string]string{"If-Match": "*"}})
	if res.Status != 200 {
		t.Fatalf("moving E2: %d %s", res.Status, res.Body)
	}
	if err := f.b.view.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if res := fetch(f.b, bySup["url"].(string), nil); res.Status != 404 {
		t.Errorf("a supervisor's person feed about someone who left the line: %d, want 404", res.Status)
	}
	if body := fetch(f.b, team["url"].(string), nil).Body; bytes.Contains(body, []byte("Luis Gómez")) {
		t.Error("the team feed still shows someone who left the line")
	}

	// Revoking S1's key closes the feeds it made, on every replica.
	f.a.do(req{Method: "DELETE", Path: "/v1/api-keys/" + strconv.FormatInt(f.s1.ID, 10)})
	for i, h := range []*harness{f.b, f.a} {
		if res := fetch(h, team["url"].(string), nil); res.Status != 404 {
			t.Errorf("replica %d, the team feed of a revoked key: %d, want 404", i, res.Status)
		}
	}
	// An address that never was: 404, the same answer.
	if res := fetch(f.a, "https://x/feeds/frf_"+strings.Repeat("a", 43)+".ics", nil); res.Status != 404 {
		t.Errorf("a made-up feed: %d", res.Status)
	}
	if res := fetch(f.a, "https://x/feeds/nonsense.ics", nil); res.Status != 404 {
		t.Errorf("a malformed feed address: %d", res.Status)
	}
}

// TestFeedConditionalGet: the ETag is stable while the events are, 304
// answers If-None-Match, and a change to the data changes the tag.
func TestFeedConditionalGet(t *testing.T) {
	f := newFeedFixture(t)
	fd := f.createFeed(t, "", map[string]any{"kind": "post_holidays", "subject": "MAD"})
	first := fetch(f.a, fd["url"].(string), nil)
	tag := first.Header.Get("ETag")
	if !strings.HasPrefix(tag, `W/"`) || first.Header.Get("Cache-Control") != "private, max-age=900" {
		t.Fatalf("ETag %q, Cache-Control %q", tag, first.Header.Get("Cache-Control"))
	}
	checkRFC5545(t, first.Body)
	_, events := parseGo(t, first.Body)
	if len(events) < 20 {
		t.Errorf("three years of Spanish holidays in %d events", len(events))
	}
	if res := fetch(f.b, fd["url"].(string), map[string]string{"If-None-Match": tag}); res.Status != 304 || len(res.Body) != 0 || res.Header.Get("ETag") != tag {
		t.Errorf("If-None-Match on the other replica: %d, ETag %q", res.Status, res.Header.Get("ETag"))
	}
	if res := fetch(f.a, fd["url"].(string), map[string]string{"If-None-Match": `"other", ` + strings.TrimPrefix(tag, "W/")}); res.Status != 304 {
		t.Errorf("If-None-Match with a list naming the tag: %d", res.Status)
	}
	f.a.mustCreate("/v1/posts/MAD/closures", map[string]any{"date": "2026-12-31", "name": "Cierre de fin de año"})
	if err := f.a.view.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	res := fetch(f.a, fd["url"].(string), map[string]string{"If-None-Match": tag})
	if res.Status != 200 || res.Header.Get("ETag") == tag || !bytes.Contains(res.Body, []byte("Cierre de fin de año")) {
		t.Errorf("after a new closure: %d, ETag %q (was %q)", res.Status, res.Header.Get("ETag"), tag)
	}
}

// TestHolidayListsAsFiles: the holiday lists answer iCalendar and CSV, by
// format or Accept, with the same holidays as the JSON; the CSV uploads
// back as it is.
func TestHolidayListsAsFiles(t *testing.T) {
	h := newHarness(t)
	createHolidayPost(h, "BOG", "CO")
	want := h.getHolidays("/v1/posts/BOG/holidays?year=2026").Holidays
	var wantRows [][2]string
	for _, hol := range want {
		wantRows = append(wantRows, [2]string{hol.Date, hol.Name})
	}
	for _, c := range []struct {
		name   string
		r      req
		ctype  string
		isICS  bool
		status int
	}{
		{"format=ics", req{Method: "GET", Path: "/v1/posts/BOG/holidays?year=2026&format=ics"}, "text/calendar; charset=utf-8", true, 200},
		{"Accept text/calendar", req{Method: "GET", Path: "/v1/posts/BOG/holidays?year=2026", Header: map[string]string{"Accept": "text/calendar"}}, "text/calendar; charset=utf-8", true, 200},
		{"Accept text/csv", req{Method: "GET", Path: "/v1/posts/BOG/holidays?year=2026", Header: map[string]string{"Accept": "application/json;q=0.5, text/csv"}}, "text/csv; charset=utf-8", false, 200},
		{"format=csv wins over Accept", req{Method: "GET", Path: "/v1/posts/BOG/holidays?year=2026&format=csv", Header: map[string]string{"Accept": "text/calendar"}}, "text/csv; charset=utf-8", false, 200},
		{"a base calendar as ics", req{Method: "GET", Path: "/v1/calendars/CO/holidays?year=2026&format=ics"}, "text/calendar; charset=utf-8", true, 200},
	} {
		res := h.do(c.r)
		if res.Status != c.status || res.Header.Get("Content-Type") != c.ctype {
			t.Errorf("%s: %d %s: %s", c.name, res.Status, res.Header.Get("Content-Type"), res.Body)
			continue
		}
		var got [][2]string
		if c.isICS {
			checkRFC5545(t, res.Body)
			_, events := parseGo(t, res.Body)
			_, py := parsePython(t, res.Body)
			if diff := cmp.Diff(events, py); diff != "" {
				t.Errorf("%s: parsers differ:\n%s", c.name, diff)
			}
			for _, e := range events {
				d := mustDate(t, e.Start)
				if e.End != icsDate(d.AddDays(1)) {
					t.Errorf("%s: %+v is not one all-day date", c.name, e)
				}
				got = append(got, [2]string{d.String(), e.Summary})
			}
		} else {
			lines := strings.Split(strings.TrimSpace(string(res.Body)), "\n")
			if lines[0] != "date,name,source" {
				t.Errorf("%s: header %q", c.name, lines[0])
			}
			rows, err := calendarsParseCSV(res.Body)
			if err != nil {
				t.Fatalf("%s: the CSV does not read back: %v", c.name, err)
			}
			got = rows
		}
		if diff := cmp.Diff(wantRows, got); diff != "" {
			t.Errorf("%s: holidays differ from the JSON (-json +file):\n%s", c.name, diff)
		}
	}
	csvBody := h.do(req{Method: "GET", Path: "/v1/posts/BOG/holidays?year=2026&format=csv"}).Body
	h.send(200, req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2026", Body: csvBody, ContentType: "text/csv"})
	if res := h.do(req{Method: "GET", Path: "/v1/posts/BOG/holidays?year=2026&format=pdf", SkipSpec: true}); res.Status != 400 {
		t.Errorf("format=pdf: %d", res.Status)
	}
}

// TestWorkingHoursInGraphShape: a plain schedule is exact; split windows,
// different days and night shifts are said, not hidden.
func TestWorkingHoursInGraphShape(t *testing.T) {
	f := newFeedFixture(t)
	h := f.a
	plain := workweek("09:00-17:00")
	h.mustCreate("/v1/people", map[string]any{"external_id": "P9", "full_name": "Plain", "email": "p9@cancilleria.gov.co", "post": "MAD", "schedule": plain, "supervisor": "S1"})
	uneven := workweek("08:00-16:00")
	uneven["fri"] = []string{"08:00-13:00"}
	h.mustCreate("/v1/people", map[string]any{"external_id": "U9", "full_name": "Uneven", "email": "u9@cancilleria.gov.co", "post": "MAD", "schedule": uneven})
	type answer struct {
		TimeZone     string `json:"time_zone"`
		WorkingHours struct {
			DaysOfWeek []string `json:"daysOfWeek"`
			StartTime  string   `json:"startTime"`
			EndTime    string   `json:"endTime"`
			TimeZone   struct{ Name string }
		} `json:"working_hours"`
		Exact bool `json:"exact"`
		Notes []struct{ Code, Message string }
	}
	get := func(id, token, lang string) answer {
		res := h.do(req{Method: "GET", Path: "/v1/people/" + id + "/working-hours", Token: token, Header: map[string]string{"Accept-Language": lang}})
		if res.Status != 200 {
			t.Fatalf("%s: %d %s", id, res.Status, res.Body)
		}
		var a answer
		res.JSON(t, &a)
		return a
	}
	codes := func(a answer) []string {
		var out []string
		for _, n := range a.Notes {
			out = append(out, n.Code)
		}
		return out
	}
	weekdays := []string{"monday", "tuesday", "wednesday", "thursday", "friday"}
	p := get("P9", f.s1.Token, "")
	if !p.Exact || len(p.Notes) != 0 || p.WorkingHours.StartTime != "09:00:00.0000000" || p.WorkingHours.EndTime != "17:00:00.0000000" ||
		p.WorkingHours.TimeZone.Name != "Europe/Madrid" || !slices.Equal(p.WorkingHours.DaysOfWeek, weekdays) {
		t.Errorf("a plain schedule: %+v", p)
	}
	s := get("E1", "", "en") // the post's 09:00-14:00, 15:00-18:00
	if s.Exact || !slices.Equal(codes(s), []string{"split_windows"}) || s.WorkingHours.StartTime != "09:00:00.0000000" || s.WorkingHours.EndTime != "18:00:00.0000000" ||
		!strings.Contains(s.Notes[0].Message, "09:00-14:00, 15:00-18:00") || !strings.HasPrefix(s.Notes[0].Message, "The schedule is split") {
		t.Errorf("split windows: %+v", s)
	}
	u := get("U9", "", "")
	if u.Exact || !slices.Equal(codes(u), []string{"differs_by_day"}) || u.WorkingHours.EndTime != "16:00:00.0000000" || !strings.Contains(u.Notes[0].Message, "viernes 08:00-13:00") {
		t.Errorf("days that differ: %+v", u)
	}
	n := get("N1", "", "")
	if n.Exact || !slices.Contains(codes(n), "overnight") || n.WorkingHours.StartTime != "22:00:00.0000000" || n.WorkingHours.EndTime != "06:00:00.0000000" || len(n.WorkingHours.DaysOfWeek) != 6 {
		t.Errorf("a night shift: %+v", n)
	}
	if res := h.do(req{Method: "GET", Path: "/v1/people/O1/working-hours", Token: f.s1.Token}); res.Status != 403 {
		t.Errorf("outside the supervisor's line: %d", res.Status)
	}
}

// calendarsParseCSV reads a holiday CSV as the upload does.
func calendarsParseCSV(body []byte) ([][2]string, error) {
	up, err := calendars.ParseCSV(context.Background(), bytes.NewReader(body), 2026)
	var out [][2]string
	for _, h := range up.Holidays {
		out = append(out, [2]string{h.Date.String(), h.Name})
	}
	return out, err
}

// TestFeedSecretIsNotLogged: the request log names feed fetches without
// their secret, found or not.
func TestFeedSecretIsNotLogged(t *testing.T) {
	var logs bytes.Buffer
	h := newHarnessWith(t, Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	createHolidayPost(h, "BOG", "CO")
	res := h.do(req{Method: "POST", Path: "/v1/feeds", Body: map[string]any{"kind": "post_holidays", "subject": "BOG"}})
	u := res.Map(t)["url"].(string)
	secret := strings.TrimSuffix(u[strings.LastIndex(u, "/")+1:], ".ics")
	if got := fetch(h, u, nil); got.Status != 200 {
		t.Fatalf("%d", got.Status)
	}
	fetch(h, strings.Replace(u, secret[:10], "frf_000000", 1), nil)
	if strings.Contains(logs.String(), secret[4:]) || !strings.Contains(logs.String(), `"path":"/feeds/[redacted]"`) {
		t.Errorf("the log shows a feed's secret, or no feed fetch:\n%s", logs.String())
	}
}
