package seed

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"franja/calendars"
	"franja/domain"
)

// row is one CSV record by column name.
type row map[string]string

// readRows parses one of the dataset's files, checking its header.
func readRows(t *testing.T, kind string, header []string) []row {
	t.Helper()
	data, err := CSV(kind)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("%s.csv: %v", kind, err)
	}
	if diff := cmp.Diff(header, recs[0]); diff != "" {
		t.Fatalf("%s.csv header (-want +got):\n%s", kind, diff)
	}
	out := make([]row, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		r := row{}
		for i, col := range header {
			r[col] = rec[i]
		}
		out = append(out, r)
	}
	return out
}

// dataset is the four files, read once per test.
type dataset struct {
	posts, people, leaves, turns []row
	post, person                 map[string]row
}

func load(t *testing.T) dataset {
	t.Helper()
	d := dataset{
		posts:  readRows(t, "posts", []string{"code", "name", "kind", "country", "city", "time_zone", "calendars", "holiday_picks", "schedule"}),
		people: readRows(t, "people", []string{"external_id", "full_name", "email", "post", "time_zone", "supervisor", "exception", "schedule"}),
		leaves: readRows(t, "leaves", []string{"person", "kind", "external_ref", "start_date", "end_date", "starts_at", "ends_at", "delegate", "time_zone"}),
		turns:  readRows(t, "on-call-turns", []string{"post", "person", "backup", "starts_at", "ends_at", "external_ref"}),
		post:   map[string]row{},
		person: map[string]row{},
	}
	for _, p := range d.posts {
		if d.post[p["code"]] != nil {
			t.Errorf("post %s appears twice", p["code"])
		}
		d.post[p["code"]] = p
	}
	for _, p := range d.people {
		if d.person[p["external_id"]] != nil {
			t.Errorf("person %s appears twice", p["external_id"])
		}
		d.person[p["external_id"]] = p
	}
	return d
}

func TestCSVUnknownKind(t *testing.T) {
	if _, err := CSV("holidays"); err == nil {
		t.Error(`CSV("holidays"): no error`)
	}
}

func TestSizes(t *testing.T) {
	d := load(t)
	for _, c := range []struct {
		what     string
		n, least int
		most     int
	}{
		{"posts", len(d.posts), 31, 100},
		{"people", len(d.people), 250, 400},
		{"leaves", len(d.leaves), 600, 1000},
		{"on-call turns", len(d.turns), 100, 110},
	} {
		if c.n < c.least || c.n > c.most {
			t.Errorf("%d %s, want %d to %d", c.n, c.what, c.least, c.most)
		}
	}
	total := 0
	for _, kind := range Kinds {
		data, _ := CSV(kind)
		total += len(data)
	}
	if total > 200<<10 {
		t.Errorf("the embedded dataset is %d bytes, want < 200 KiB", total)
	}
}

// continents maps every country the dataset may use to its continent
// (Turkey: Ankara is in Anatolia, so Asia).
var continents = map[string]string{
	"CO": "South America", "VE": "South America", "EC": "South America", "PE": "South America",
	"CL": "South America", "AR": "South America", "BR": "South America", "BO": "South America",
	"US": "North America", "CA": "North America", "MX": "North America", "PA": "North America",
	"CR": "North America", "DO": "North America", "CU": "North America", "GT": "North America",
	"ES": "Europe", "FR": "Europe", "GB": "Europe", "DE": "Europe", "IT": "Europe", "PT": "Europe",
	"CH": "Europe", "NL": "Europe", "BE": "Europe", "RU": "Europe", "AT": "Europe", "PL": "Europe",
	"TR": "Asia", "JP": "Asia", "CN": "Asia", "KR": "Asia", "IN": "Asia", "ID": "Asia", "SA": "Asia",
	"AE": "Asia", "IL": "Asia", "SG": "Asia", "VN": "Asia", "TH": "Asia", "MY": "Asia", "PH": "Asia",
	"ZA": "Africa", "KE": "Africa", "EG": "Africa", "MA": "Africa", "GH": "Africa", "NG": "Africa", "DZ": "Africa",
	"AU": "Oceania", "NZ": "Oceania",
}

func TestPostsCoverTheWorld(t *testing.T) {
	d := load(t)
	countries, seen := map[string]bool{}, map[string]bool{}
	for _, p := range d.posts {
		countries[p["country"]] = true
		c, ok := continents[p["country"]]
		if !ok {
			t.Errorf("post %s: country %q has no continent in the test's table", p["code"], p["country"])
		}
		seen[c] = true
	}
	if len(countries) < 25 {
		t.Errorf("%d countries, want at least 25", len(countries))
	}
	for _, c := range []string{"Africa", "Asia", "Europe", "North America", "Oceania", "South America"} {
		if !seen[c] {
			t.Errorf("no post in %s", c)
		}
	}
	bog := d.post["BOG"]
	if bog == nil || bog["kind"] != "headquarters" || bog["time_zone"] != "America/Bogota" || bog["calendars"] != "CO" {
		t.Errorf("BOG = %v, want the headquarters in America/Bogota on the CO calendar", bog)
	}
}

var countryRe = regexp.MustCompile(`^[A-Z]{2}$`)

// TestPostFields: every post's kind, country, zone, calendars and schedule
// are valid, and each calendar list starts with the host country's.
func TestPostFields(t *testing.T) {
	d := load(t)
	codeRe := regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{0,31}$`)
	for _, p := range d.posts {
		where := p["code"]
		if !codeRe.MatchString(p["code"]) || p["name"] == "" || p["city"] == "" {
			t.Errorf("%s: bad code, name or city: %v", where, p)
		}
		if !slices.Contains(domain.PostKinds, domain.PostKind(p["kind"])) || p["kind"] == "other" {
			t.Errorf("%s: kind %q", where, p["kind"])
		}
		if !countryRe.MatchString(p["country"]) {
			t.Errorf("%s: country %q", where, p["country"])
		}
		if _, err := time.LoadLocation(p["time_zone"]); err != nil {
			t.Errorf("%s: %v", where, err)
		}
		cals := strings.Split(p["calendars"], "|")
		if host, _, _ := strings.Cut(cals[0], "-"); host != p["country"] { // the country's, or one of its regions
			t.Errorf("%s: calendars %v do not start with the host country %s", where, cals, p["country"])
		}
		for _, code := range cals {
			if _, ok := calendars.Lookup(code); !ok {
				t.Errorf("%s: calendar %q does not exist", where, code)
			}
		}
		s := schedule(t, where, p["schedule"])
		if m := s.WeeklyMinutes(); m < 35*60 || m > 44*60 {
			t.Errorf("%s: %d minutes a week, want 35 to 44 hours", where, m)
		}
	}
}

// schedule parses and validates a schedule cell.
func schedule(t *testing.T, where, cell string) domain.Schedule {
	t.Helper()
	s, err := domain.ParseScheduleCell(cell)
	if err != nil {
		t.Errorf("%s: schedule %q: %v", where, cell, err)
		return s
	}
	if errs := s.Validate("schedule"); len(errs) > 0 || s.IsEmpty() {
		t.Errorf("%s: schedule %q: %v", where, cell, errs)
	}
	return s
}

// TestWeekends: posts where the week runs Sunday–Thursday work Sundays and
// rest Fridays and Saturdays; the UAE works Monday–Friday since 2022; every
// other post Monday–Friday.
func TestWeekends(t *testing.T) {
	d := load(t)
	sunThu := []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday}
	monFri := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	for _, p := range d.posts {
		want := monFri
		if p["country"] == "SA" || p["country"] == "IL" || p["country"] == "EG" {
			want = sunThu
		}
		s := schedule(t, p["code"], p["schedule"])
		var got []time.Weekday
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			if len(s[wd]) > 0 {
				got = append(got, wd)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (%s): working days (-want +got):\n%s", p["code"], p["country"], diff)
		}
	}
	for _, c := range []struct{ code, zone, cals string }{
		{"EMB-TOKYO", "Asia/Tokyo", "JP|CO"},
		{"EMB-RIYADH", "Asia/Riyadh", "SA"},
		{"EMB-ABU-DHABI", "Asia/Dubai", "AE"},
		{"EMB-TEL-AVIV", "Asia/Jerusalem", "IL"},
		{"EMB-NEW-DELHI", "Asia/Kolkata", "IN"},
		{"EMB-SANTIAGO", "America/Santiago", "CL"},
		{"PM-GENEVA", "Europe/Zurich", "CH|CO"},
		{"EMB-WELLINGTON", "Pacific/Auckland", "NZ"},
	} {
		p := d.post[c.code]
		if p == nil || p["time_zone"] != c.zone || p["calendars"] != c.cals {
			t.Errorf("%s = %v, want zone %s and calendars %s", c.code, p, c.zone, c.cals)
		}
	}
}

var emailRe = regexp.MustCompile(`^[a-z]+(-[a-z]+)?\.[a-z]+(-[a-z]+)?(\.[a-z]+|[0-9]+)?@cancilleria\.gov\.co$`)

// TestPeopleFields: ids, emails, posts, zones, exceptions and schedules.
func TestPeopleFields(t *testing.T) {
	d := load(t)
	idRe := regexp.MustCompile(`^E1[0-9]{4}$`)
	emails := map[string]string{}
	counts := map[string]int{}
	for _, p := range d.people {
		id := p["external_id"]
		if !idRe.MatchString(id) || len(strings.Fields(p["full_name"])) < 2 {
			t.Errorf("%s: bad external_id or full_name %q", id, p["full_name"])
		}
		if !emailRe.MatchString(p["email"]) {
			t.Errorf("%s: email %q is not nombre.apellido@cancilleria.gov.co", id, p["email"])
		}
		if other, dup := emails[p["email"]]; dup {
			t.Errorf("%s and %s share the email %s", other, id, p["email"])
		}
		emails[p["email"]] = id
		if d.post[p["post"]] == nil {
			t.Errorf("%s: no post %q", id, p["post"])
		}
		if z := p["time_zone"]; z != "" {
			if _, err := time.LoadLocation(z); err != nil || z == d.post[p["post"]]["time_zone"] {
				t.Errorf("%s: time_zone override %q: must load and differ from the post's (%v)", id, z, err)
			}
			counts["zone override"]++
		}
		if !slices.Contains(domain.Exceptions, domain.Exception(p["exception"])) {
			t.Errorf("%s: exception %q", id, p["exception"])
		}
		counts[p["exception"]]++
		if p["schedule"] != "" {
			if s := schedule(t, id, p["schedule"]); s[time.Monday] != nil && s[time.Monday][0].Overnight() {
				counts["night shift"]++
			}
		}
	}
	// The dataset shows each case a few times, not once, not everywhere.
	for _, c := range []string{"zone override", "night shift", string(domain.ExceptionDisponibilidadPermanente)} {
		if counts[c] < 3 || counts[c] > 10 {
			t.Errorf("%d people with %s, want 3 to 10", counts[c], c)
		}
	}
	if n := counts[string(domain.ExceptionDireccionConfianzaManejo)]; n < len(d.posts) {
		t.Errorf("%d people of dirección, confianza y manejo, want at least one a post (%d)", n, len(d.posts))
	}
}

// TestSupervisorTree: supervisors exist, form one tree under a single root,
// and every post abroad has exactly one head, who reports to someone at BOG.
func TestSupervisorTree(t *testing.T) {
	d := load(t)
	var roots []string
	heads := map[string]int{}
	for _, p := range d.people {
		id, sup := p["external_id"], p["supervisor"]
		if sup == "" {
			roots = append(roots, id)
			continue
		}
		s := d.person[sup]
		if s == nil || sup == id {
			t.Errorf("%s: supervisor %q is not another person", id, sup)
			continue
		}
		if s["post"] != p["post"] {
			if s["post"] != "BOG" || p["exception"] != string(domain.ExceptionDireccionConfianzaManejo) {
				t.Errorf("%s at %s reports to %s at %s: only heads of mission report across posts, to BOG", id, p["post"], sup, s["post"])
			}
			heads[p["post"]]++
		}
		// Walk up: a cycle would never reach the root.
		seen := map[string]bool{id: true}
		for cur := sup; cur != ""; cur = d.person[cur]["supervisor"] {
			if seen[cur] || d.person[cur] == nil {
				t.Errorf("%s: the supervisor chain loops or breaks at %s", id, cur)
				break
			}
			seen[cur] = true
		}
	}
	if len(roots) != 1 || d.person[roots[0]]["post"] != "BOG" {
		t.Errorf("people without a supervisor: %v, want one, at BOG", roots)
	}
	for _, p := range d.posts {
		if want := 1; p["code"] != "BOG" && heads[p["code"]] != want {
			t.Errorf("%s has %d heads reporting to BOG, want %d", p["code"], heads[p["code"]], want)
		}
	}
}

// The year of leave the dataset covers.
var (
	firstDay = domain.NewDate(2026, time.July, 1)
	lastDay  = domain.NewDate(2027, time.June, 30)
)

// TestLeaveFields: kinds, references, people, delegates, and dates inside
// the year; instants carry the offset of the person's zone at that instant.
func TestLeaveFields(t *testing.T) {
	d := load(t)
	refRe := regexp.MustCompile(`^[A-Z]{3}-20(26|27)-[0-9]{6}$`)
	refs, kinds := map[string]bool{}, map[domain.LeaveKind]int{}
	for _, l := range d.leaves {
		ref := l["external_ref"]
		if !refRe.MatchString(ref) || refs[ref] {
			t.Errorf("%s: external_ref malformed or repeated", ref)
		}
		refs[ref] = true
		kind := domain.LeaveKind(l["kind"])
		kinds[kind]++
		p := d.person[l["person"]]
		if !kind.Valid() || p == nil {
			t.Errorf("%s: kind %q or person %q unknown", ref, kind, l["person"])
			continue
		}
		if del := l["delegate"]; del != "" && (del == l["person"] || d.person[del] == nil || d.person[del]["post"] != p["post"]) {
			t.Errorf("%s: delegate %q is not a colleague at %s", ref, del, p["post"])
		}
		if (l["time_zone"] != "") != (kind == domain.LeaveServiceCommission) {
			t.Errorf("%s: a time_zone is for service commissions, and each has one (%q)", ref, l["time_zone"])
		}
		if l["start_date"] != "" {
			checkDates(t, ref, l)
		} else {
			checkInstants(t, ref, l, zoneOf(t, d, p), scheduleOf(t, d, p))
		}
	}
	// Every kind a demo should show; suspension and the rest are rare.
	for _, k := range []domain.LeaveKind{domain.LeaveVacation, domain.LeaveSick, domain.LeaveMaternity, domain.LeavePaternity,
		domain.LeaveBereavement, domain.LeavePaidPermission, domain.LeaveCompensatoryDay, domain.LeaveCompensatoryRest,
		domain.LeaveUnpaid, domain.LeaveStudyCommission, domain.LeaveStudyPermission, domain.LeaveLactationPermission,
		domain.LeaveUnionPermission, domain.LeaveServiceCommission} {
		if kinds[k] == 0 {
			t.Errorf("no leave of kind %s", k)
		}
	}
}

func checkDates(t *testing.T, ref string, l row) {
	t.Helper()
	from, err1 := domain.ParseDate(l["start_date"])
	to, err2 := domain.ParseDate(l["end_date"])
	switch {
	case err1 != nil || err2 != nil || l["starts_at"] != "" || l["ends_at"] != "":
		t.Errorf("%s: bad dates %q–%q (%v, %v)", ref, l["start_date"], l["end_date"], err1, err2)
	case to.Before(from) || from.Before(firstDay) || to.After(lastDay):
		t.Errorf("%s: %s to %s is not a span inside %s to %s", ref, from, to, firstDay, lastDay)
	}
}

// checkInstants checks a partial-day leave: RFC 3339 instants written with
// the offset the person's zone has then, on one local date, inside one of
// that day's working windows.
func checkInstants(t *testing.T, ref string, l row, loc *time.Location, s domain.Schedule) {
	t.Helper()
	var ts [2]time.Time
	for i, col := range []string{"starts_at", "ends_at"} {
		v, err := time.Parse(time.RFC3339, l[col])
		if err != nil || v.In(loc).Format(time.RFC3339) != l[col] {
			t.Errorf("%s: %s %q is not an instant with the offset of %s (%v)", ref, col, l[col], loc, err)
			return
		}
		ts[i] = v.In(loc)
	}
	start, end := ts[0], ts[1]
	if domain.DateOf(start) != domain.DateOf(end) || !end.After(start) || domain.DateOf(start).Before(firstDay) || domain.DateOf(end).After(lastDay) {
		t.Errorf("%s: %s to %s is not a part of one day inside the year", ref, start, end)
		return
	}
	minutes := func(t time.Time) int { return t.Hour()*60 + t.Minute() }
	for _, w := range s[start.Weekday()] {
		if !w.Overnight() && w.Start <= minutes(start) && minutes(end) <= w.End {
			return
		}
	}
	t.Errorf("%s: %s–%s is outside the person's working windows", ref, start.Format("Mon 15:04"), end.Format("15:04"))
}

func zoneOf(t *testing.T, d dataset, p row) *time.Location {
	z := p["time_zone"]
	if z == "" {
		z = d.post[p["post"]]["time_zone"]
	}
	loc, err := time.LoadLocation(z)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func scheduleOf(t *testing.T, d dataset, p row) domain.Schedule {
	cell := p["schedule"]
	if cell == "" {
		cell = d.post[p["post"]]["schedule"]
	}
	return schedule(t, p["external_id"], cell)
}

// TestVacationsAreWorkingDays: each vacation covers 5, 10 or 15 working
// days of the person's schedule, minus their post's holidays, and nobody
// takes more than 15 in the year.
func TestVacationsAreWorkingDays(t *testing.T) {
	d := load(t)
	holidays := map[string]map[domain.Date]bool{}
	for _, p := range d.posts {
		holidays[p["code"]] = map[domain.Date]bool{}
		rules := calendars.PostRules{Calendars: strings.Split(p["calendars"], "|")}
		for _, cell := range strings.Split(p["holiday_picks"], "|") {
			if code, name, ok := strings.Cut(cell, ":"); ok {
				rules.Picks = append(rules.Picks, calendars.Pick{Calendar: code, Holiday: name})
			}
		}
		for _, year := range []int{2026, 2027} {
			hs, err := (*calendars.Stored)(nil).PostYear(rules, year)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				holidays[p["code"]][h.Date] = true
			}
		}
	}
	total := map[string]int{}
	for _, l := range d.leaves {
		if l["kind"] != string(domain.LeaveVacation) {
			continue
		}
		p := d.person[l["person"]]
		s := scheduleOf(t, d, p)
		from, _ := domain.ParseDate(l["start_date"])
		to, _ := domain.ParseDate(l["end_date"])
		n := 0
		for day := from; !day.After(to); day = day.AddDays(1) {
			if len(s[day.Weekday()]) > 0 && !holidays[p["post"]][day] {
				n++
			}
		}
		if n%5 != 0 || n == 0 {
			t.Errorf("%s: %d working days from %s to %s, want 5, 10 or 15", l["external_ref"], n, from, to)
		}
		total[l["person"]] += n
	}
	for id, n := range total {
		if n > 15 {
			t.Errorf("%s takes %d working days of vacation, want at most 15", id, n)
		}
	}
}

// TestOnCallTurns: the consulates in Miami and Madrid keep weekly turns,
// Monday 08:00 to Monday 08:00 where they are, back to back and never
// overlapping, each kept and backed up by two different career officers of
// the post; and Madrid closes on the Colombian days it picked.
func TestOnCallTurns(t *testing.T) {
	d := load(t)
	last := map[string]time.Time{}
	for _, tr := range d.turns {
		post := d.post[tr["post"]]
		start, err1 := time.Parse(time.RFC3339, tr["starts_at"])
		end, err2 := time.Parse(time.RFC3339, tr["ends_at"])
		loc, err3 := time.LoadLocation(post["time_zone"])
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("%s: %v %v %v", tr["external_ref"], err1, err2, err3)
		}
		if l, e := start.In(loc), end.In(loc); l.Weekday() != time.Monday || l.Hour() != 8 || !e.Equal(l.AddDate(0, 0, 7)) {
			t.Errorf("%s: %v to %v, want Monday 08:00 local, a week", tr["external_ref"], start.In(loc), end.In(loc))
		}
		if prev, ok := last[tr["post"]]; ok && !prev.Equal(start) {
			t.Errorf("%s starts at %v, the previous turn ended at %v", tr["external_ref"], start, prev)
		}
		last[tr["post"]] = end
		p, b := d.person[tr["person"]], d.person[tr["backup"]]
		if p == nil || b == nil || p["post"] != tr["post"] || b["post"] != tr["post"] || tr["person"] == tr["backup"] {
			t.Errorf("%s: %s backed up by %s", tr["external_ref"], tr["person"], tr["backup"])
		}
	}
	if len(last) != 2 || last["CON-MIAMI"].IsZero() || last["CON-MADRID"].IsZero() {
		t.Errorf("posts with turns: %v", last)
	}
	if got := d.post["CON-MADRID"]; got["calendars"] != "ES-MD" || got["holiday_picks"] != "CO:Independencia|CO:Batalla de Boyacá" {
		t.Errorf("CON-MADRID: %v", got)
	}
}
