package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

// kin-openapi knows no decoder for iCalendar bodies; a plain-text one lets
// the harness validate uploads against the spec like any other request.
func init() { openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder) }

// holidayEntry is one entry of a holiday list as the API returns it.
type holidayEntry struct {
	Date   string `json:"date"`
	Name   string `json:"name"`
	Source string `json:"source"`
}

type holidayList struct {
	Calendar  string         `json:"calendar"`
	Post      string         `json:"post"`
	Year      int            `json:"year"`
	Calendars []string       `json:"calendars"`
	Holidays  []holidayEntry `json:"holidays"`
}

// co2026 is Colombia's 2026 list (DOMAIN.md, Holidays; Ley 2578 de 2026
// adds 13 July).
var co2026 = []holidayEntry{
	{"2026-01-01", "Año Nuevo", "calendar:CO"}, {"2026-01-12", "Reyes Magos", "calendar:CO"},
	{"2026-03-23", "San José", "calendar:CO"}, {"2026-04-02", "Jueves Santo", "calendar:CO"},
	{"2026-04-03", "Viernes Santo", "calendar:CO"}, {"2026-05-01", "Día del Trabajo", "calendar:CO"},
	{"2026-05-18", "Ascensión", "calendar:CO"}, {"2026-06-08", "Corpus Christi", "calendar:CO"},
	{"2026-06-15", "Sagrado Corazón", "calendar:CO"}, {"2026-06-29", "San Pedro y San Pablo", "calendar:CO"},
	{"2026-07-13", "Virgen del Rosario de Chiquinquirá", "calendar:CO"}, {"2026-07-20", "Independencia", "calendar:CO"},
	{"2026-08-07", "Batalla de Boyacá", "calendar:CO"}, {"2026-08-17", "Asunción", "calendar:CO"},
	{"2026-10-12", "Día de la Raza", "calendar:CO"}, {"2026-11-02", "Todos los Santos", "calendar:CO"},
	{"2026-11-16", "Independencia de Cartagena", "calendar:CO"}, {"2026-12-08", "Inmaculada Concepción", "calendar:CO"},
	{"2026-12-25", "Navidad", "calendar:CO"},
}

// getHolidays GETs a holiday list and fails the test unless 200.
func (h *harness) getHolidays(path string) holidayList {
	h.t.Helper()
	res := h.do(req{Method: "GET", Path: path})
	if res.Status != http.StatusOK {
		h.t.Fatalf("GET %s = %d: %s", path, res.Status, res.Body)
	}
	var l holidayList
	res.JSON(h.t, &l)
	return l
}

// send sends a request and fails the test unless the status is want.
func (h *harness) send(want int, r req) map[string]any {
	h.t.Helper()
	res := h.do(r)
	if res.Status != want {
		h.t.Fatalf("%s %s = %d, want %d: %s", r.Method, r.Path, res.Status, want, res.Body)
	}
	if len(res.Body) == 0 {
		return nil
	}
	return res.Map(h.t)
}

// onDate returns the entries of l on date.
func holOnDate(l holidayList, date string) []holidayEntry {
	var out []holidayEntry
	for _, e := range l.Holidays {
		if e.Date == date {
			out = append(out, e)
		}
	}
	return out
}

func createHolidayPost(h *harness, code string, cals ...string) {
	h.t.Helper()
	h.mustCreate("/v1/posts", map[string]any{"code": code, "name": "Misión " + code, "kind": "embassy", "country": "JP",
		"city": "Tokio", "time_zone": "Asia/Tokyo", "calendars": cals, "schedule": workweek("09:00-18:00")})
}

func TestCalendarsListAndColombia2026(t *testing.T) {
	h := newHarness(t)
	var list struct {
		Calendars []struct {
			Code          string `json:"code"`
			FromYear      int    `json:"from_year"`
			ToYear        int    `json:"to_year"`
			UploadedYears []int  `json:"uploaded_years"`
		} `json:"calendars"`
	}
	h.do(req{Method: "GET", Path: "/v1/calendars"}).JSON(t, &list)
	i := slices.IndexFunc(list.Calendars, func(c struct {
		Code          string `json:"code"`
		FromYear      int    `json:"from_year"`
		ToYear        int    `json:"to_year"`
		UploadedYears []int  `json:"uploaded_years"`
	}) bool {
		return c.Code == "CO"
	})
	if len(list.Calendars) < 200 || i < 0 || list.Calendars[i].FromYear != 1984 || list.Calendars[i].ToYear != 2100 {
		t.Fatalf("GET /v1/calendars: %d calendars, CO at %d (%+v)", len(list.Calendars), i, list.Calendars[max(i, 0)])
	}

	got := h.getHolidays("/v1/calendars/CO/holidays?year=2026")
	want := holidayList{Calendar: "CO", Year: 2026, Holidays: co2026}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CO 2026 (-want +got):\n%s", diff)
	}
	if lower := h.getHolidays("/v1/calendars/co/holidays?year=2026"); lower.Calendar != "CO" || len(lower.Holidays) != 19 {
		t.Errorf("lower-case code: %s with %d holidays", lower.Calendar, len(lower.Holidays))
	}
}

func TestPostHolidaysLayerCalendarsClosuresAndExclusions(t *testing.T) {
	h := newHarness(t)
	createHolidayPost(h, "EMB-TOKYO", "JP", "CO")
	closure := map[string]any{"date": "2026-06-01", "name": "Cierre de la misión", "note": "Resolución 77 de 2026"}
	h.send(http.StatusCreated, req{Method: "POST", Path: "/v1/posts/EMB-TOKYO/closures", Body: closure})
	h.send(http.StatusOK, req{Method: "POST", Path: "/v1/posts/EMB-TOKYO/closures", Body: closure}) // idempotent
	// 12 January: Reyes Magos (CO) and 成人の日 (JP); the mission works it.
	h.send(http.StatusCreated, req{Method: "POST", Path: "/v1/posts/EMB-TOKYO/exclusions", Body: map[string]any{"date": "2026-01-12"}})
	h.send(http.StatusOK, req{Method: "POST", Path: "/v1/posts/EMB-TOKYO/exclusions", Body: map[string]any{"date": "2026-01-12"}})

	got := h.getHolidays("/v1/posts/EMB-TOKYO/holidays?year=2026")
	if got.Post != "EMB-TOKYO" || got.Year != 2026 || !slices.Equal(got.Calendars, []string{"JP", "CO"}) {
		t.Errorf("header: %+v", got)
	}
	perSource := map[string]int{}
	for i, e := range got.Holidays {
		perSource[e.Source]++
		if i > 0 && e.Date < got.Holidays[i-1].Date {
			t.Errorf("not in date order at %v", e)
		}
	}
	// JP 2026 has 18 dates, CO 19; each loses its 12 January.
	if diff := cmp.Diff(map[string]int{"calendar:JP": 17, "calendar:CO": 18, "closure": 1}, perSource); diff != "" {
		t.Errorf("entries per source (-want +got):\n%s", diff)
	}
	checks := map[string][]holidayEntry{
		"2026-01-01": {{"2026-01-01", "Año Nuevo", "calendar:CO"}, {"2026-01-01", "元日", "calendar:JP"}},
		"2026-01-12": nil,
		"2026-06-01": {{"2026-06-01", "Cierre de la misión", "closure"}},
		"2026-07-20": {{"2026-07-20", "Independencia", "calendar:CO"}, {"2026-07-20", "海の日", "calendar:JP"}},
	}
	for date, want := range checks {
		if diff := cmp.Diff(want, holOnDate(got, date)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", date, diff)
		}
	}

	var closures struct {
		Closures []map[string]string `json:"closures"`
	}
	h.do(req{Method: "GET", Path: "/v1/posts/EMB-TOKYO/closures"}).JSON(t, &closures)
	if diff := cmp.Diff([]map[string]string{{"date": "2026-06-01", "name": "Cierre de la misión", "note": "Resolución 77 de 2026"}}, closures.Closures); diff != "" {
		t.Errorf("closures (-want +got):\n%s", diff)
	}
	h.send(http.StatusNoContent, req{Method: "DELETE", Path: "/v1/posts/EMB-TOKYO/closures/2026-06-01"})
	h.send(http.StatusNoContent, req{Method: "DELETE", Path: "/v1/posts/EMB-TOKYO/exclusions/2026-01-12"})
	h.send(http.StatusNotFound, req{Method: "DELETE", Path: "/v1/posts/EMB-TOKYO/exclusions/2026-01-12"})
	if got := h.getHolidays("/v1/posts/EMB-TOKYO/holidays?year=2026"); len(got.Holidays) != 18+19 {
		t.Errorf("after deleting both: %d holidays, want JP 18 + CO 19", len(got.Holidays))
	}
}

const jp2026ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Cabinet Office//JP//\r\n" +
	"BEGIN:VEVENT\r\nUID:1@gov.jp\r\nDTSTART;VALUE=DATE:20260101\r\nDTEND;VALUE=DATE:20260104\r\nSUMMARY:年末年始\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:2@gov.jp\r\nDTSTART;VALUE=DATE:20260211\r\nSUMMARY:建国記念の日\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestICSUploadReplacesACountrysYear(t *testing.T) {
	h := newHarness(t)
	createHolidayPost(h, "EMB-TOKYO", "JP", "CO")
	upload := req{Method: "PUT", Path: "/v1/calendars/JP/holidays/2026", Body: jp2026ICS, ContentType: "text/calendar"}
	first := h.send(http.StatusOK, upload)
	again := h.send(http.StatusOK, upload)
	want := map[string]any{"calendar": "JP", "year": 2026.0, "count": 4.0, "changed": true, "other_years": 0.0}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first upload (-want +got):\n%s", diff)
	}
	want["changed"] = false
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("second upload (-want +got):\n%s", diff)
	}

	jp := []holidayEntry{
		{"2026-01-01", "年末年始", "upload:JP"}, {"2026-01-02", "年末年始", "upload:JP"},
		{"2026-01-03", "年末年始", "upload:JP"}, {"2026-02-11", "建国記念の日", "upload:JP"},
	}
	if diff := cmp.Diff(holidayList{Calendar: "JP", Year: 2026, Holidays: jp}, h.getHolidays("/v1/calendars/JP/holidays?year=2026")); diff != "" {
		t.Errorf("JP 2026 after the upload (-want +got):\n%s", diff)
	}
	// The post's list is now exactly CO's computed list and JP's upload.
	wantPost := slices.Concat(co2026, jp) // CO before JP on a shared date: code order
	slices.SortStableFunc(wantPost, func(a, b holidayEntry) int { return strings.Compare(a.Date, b.Date) })
	got := h.getHolidays("/v1/posts/EMB-TOKYO/holidays?year=2026")
	if diff := cmp.Diff(wantPost, got.Holidays); diff != "" {
		t.Errorf("EMB-TOKYO 2026 (-want +got):\n%s", diff)
	}

	// A year beyond CO's computed range becomes covered by an upload (CSV).
	h.send(http.StatusUnprocessableEntity, req{Method: "GET", Path: "/v1/calendars/CO/holidays?year=2101"})
	h.send(http.StatusOK, req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2101", Body: "date,name\n2101-01-01,Año Nuevo\n", ContentType: "text/csv"})
	if got := h.getHolidays("/v1/calendars/CO/holidays?year=2101"); len(got.Holidays) != 1 || got.Holidays[0].Source != "upload:CO" {
		t.Errorf("CO 2101: %+v", got.Holidays)
	}
	if !strings.Contains(string(h.do(req{Method: "GET", Path: "/v1/calendars"}).Body), `"code":"JP","name":"Japan","source":"data:python-holidays+rules:rickar/cal","from_year":2000,"to_year":2100,"uploaded_years":[2026]`) {
		t.Errorf("GET /v1/calendars does not list JP's uploaded year")
	}

	// Deleting the upload brings the computed list back.
	h.send(http.StatusNoContent, req{Method: "DELETE", Path: "/v1/calendars/JP/holidays/2026"})
	if got := h.getHolidays("/v1/calendars/JP/holidays?year=2026"); len(got.Holidays) != 18 || got.Holidays[0].Source != "calendar:JP" {
		t.Errorf("JP 2026 after deleting the upload: %d holidays, first %+v", len(got.Holidays), got.Holidays[0])
	}
}

func TestNationalClosureReachesEveryCOPostUnlessExcluded(t *testing.T) {
	h := newHarness(t)
	createHolidayPost(h, "BOG", "CO")
	createHolidayPost(h, "CON-NY", "US", "CO")
	createHolidayPost(h, "EMB-TOKYO", "JP")
	civic := map[string]any{"date": "2026-03-02", "name": "Día cívico", "note": "Decreto 0100 de 2026"}
	h.send(http.StatusCreated, req{Method: "POST", Path: "/v1/calendars/CO/closures", Body: civic})
	h.send(http.StatusOK, req{Method: "POST", Path: "/v1/calendars/CO/closures", Body: civic})
	// The consulate stayed open.
	h.send(http.StatusCreated, req{Method: "POST", Path: "/v1/posts/CON-NY/exclusions", Body: map[string]any{"date": "2026-03-02", "note": "atención al público"}})

	entry := []holidayEntry{{"2026-03-02", "Día cívico", "calendar-closure:CO"}}
	for _, tc := range []struct {
		path string
		want []holidayEntry
	}{
		{"/v1/calendars/CO/holidays?year=2026", entry},
		{"/v1/posts/BOG/holidays?year=2026", entry},
		{"/v1/posts/CON-NY/holidays?year=2026", nil},
		{"/v1/posts/EMB-TOKYO/holidays?year=2026", nil},
	} {
		if diff := cmp.Diff(tc.want, holOnDate(h.getHolidays(tc.path), "2026-03-02")); diff != "" {
			t.Errorf("%s on 2 March (-want +got):\n%s", tc.path, diff)
		}
	}
	var list struct {
		Closures []map[string]string `json:"closures"`
	}
	h.do(req{Method: "GET", Path: "/v1/calendars/CO/closures"}).JSON(t, &list)
	if diff := cmp.Diff([]map[string]string{{"date": "2026-03-02", "name": "Día cívico", "note": "Decreto 0100 de 2026"}}, list.Closures); diff != "" {
		t.Errorf("CO closures (-want +got):\n%s", diff)
	}
	h.send(http.StatusNoContent, req{Method: "DELETE", Path: "/v1/calendars/CO/closures/2026-03-02"})
	if got := holOnDate(h.getHolidays("/v1/posts/BOG/holidays?year=2026"), "2026-03-02"); got != nil {
		t.Errorf("withdrawn closure still listed: %v", got)
	}
}

func TestPostYearUpload(t *testing.T) {
	h := newHarness(t)
	createHolidayPost(h, "BOG", "CO")
	h.send(http.StatusCreated, req{Method: "POST", Path: "/v1/posts/BOG/closures", Body: map[string]any{"date": "2026-02-20", "name": "Se reemplaza"}})
	h.send(http.StatusCreated, req{Method: "POST", Path: "/v1/posts/BOG/closures", Body: map[string]any{"date": "2027-02-19", "name": "Otro año"}})
	csv := "name,date\nVacancia local,2026-09-14\n\"Cierre, sede\",2026-12-24\n"
	up := req{Method: "PUT", Path: "/v1/posts/BOG/holidays/2026", Body: csv, ContentType: "text/csv; charset=utf-8"}
	if got := h.send(http.StatusOK, up); got["changed"] != true || got["count"] != 2.0 {
		t.Errorf("first upload: %v", got)
	}
	if got := h.send(http.StatusOK, up); got["changed"] != false {
		t.Errorf("second upload: %v", got)
	}
	var closures struct {
		Closures []map[string]string `json:"closures"`
	}
	h.do(req{Method: "GET", Path: "/v1/posts/BOG/closures"}).JSON(t, &closures)
	want := []map[string]string{
		{"date": "2026-09-14", "name": "Vacancia local", "note": ""},
		{"date": "2026-12-24", "name": "Cierre, sede", "note": ""},
		{"date": "2027-02-19", "name": "Otro año", "note": ""},
	}
	if diff := cmp.Diff(want, closures.Closures); diff != "" {
		t.Errorf("closures after the upload (-want +got):\n%s", diff)
	}
	if got := holOnDate(h.getHolidays("/v1/posts/BOG/holidays?year=2026"), "2026-12-24"); len(got) != 1 || got[0].Source != "closure" {
		t.Errorf("uploaded closure in the effective list: %v", got)
	}
}

// holidayRows counts every row of the holiday tables.
func holidayRows(t *testing.T, h *harness) int {
	var n int
	const q = `SELECT (SELECT count(*) FROM calendar_uploads) + (SELECT count(*) FROM calendar_upload_holidays)
		+ (SELECT count(*) FROM calendar_closures) + (SELECT count(*) FROM post_closures) + (SELECT count(*) FROM post_exclusions)`
	if err := h.store.Pool().QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHolidayBadInputIsAProblemAndWritesNothing(t *testing.T) {
	h := newHarness(t)
	createHolidayPost(h, "BOG", "CO")
	badICS := "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260230\nSUMMARY:Nope\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART:20260301T090000Z\nSUMMARY:Timed\nEND:VEVENT\nEND:VCALENDAR\n"
	csv := func(body string) any { return body }
	tests := []struct {
		name        string
		r           req
		status      int
		code, field string
		line        int
	}{
		{"unknown calendar", req{Method: "GET", Path: "/v1/calendars/XX/holidays?year=2026"}, 404, "not_found", "", 0},
		{"year=abc", req{Method: "GET", Path: "/v1/calendars/CO/holidays?year=abc"}, 400, "malformed", "year", 0},
		{"year missing", req{Method: "GET", Path: "/v1/calendars/CO/holidays"}, 400, "malformed", "year", 0},
		{"year out of range", req{Method: "GET", Path: "/v1/calendars/CO/holidays?year=1950"}, 422, "out_of_range", "", 0},
		{"post year out of range", req{Method: "GET", Path: "/v1/posts/BOG/holidays?year=2150"}, 422, "out_of_range", "", 0},
		{"unknown post", req{Method: "GET", Path: "/v1/posts/NOPE/holidays?year=2026"}, 404, "not_found", "", 0},
		{"closure on 30 February", req{Method: "POST", Path: "/v1/posts/BOG/closures", Body: map[string]any{"date": "2026-02-30", "name": "x"}}, 422, "invalid", "date", 0},
		{"closure without a name", req{Method: "POST", Path: "/v1/posts/BOG/closures", Body: map[string]any{"date": "2026-03-02", "name": " "}}, 422, "invalid", "name", 0},
		{"closure of an unknown post", req{Method: "POST", Path: "/v1/posts/NOPE/closures", Body: map[string]any{"date": "2026-03-02", "name": "x"}}, 404, "not_found", "", 0},
		{"closure of an unknown calendar", req{Method: "POST", Path: "/v1/calendars/XX/closures", Body: map[string]any{"date": "2026-03-02", "name": "x"}}, 404, "not_found", "", 0},
		{"calendar closure on 30 February", req{Method: "POST", Path: "/v1/calendars/CO/closures", Body: map[string]any{"date": "2026-02-30", "name": "x"}}, 422, "invalid", "date", 0},
		{"exclusion of a working day", req{Method: "POST", Path: "/v1/posts/BOG/exclusions", Body: map[string]any{"date": "2026-03-10"}}, 422, "invalid", "date", 0},
		{"malformed .ics", req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2026", Body: badICS, ContentType: "text/calendar"}, 422, "invalid", "DTSTART", 3},
		{"not an .ics at all", req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2026", Body: "hello", ContentType: "text/calendar"}, 422, "invalid", "BEGIN", 1},
		{"only dates outside the year", req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2026", Body: csv("date,name\n2025-01-01,a\n2025-12-31,b\n"), ContentType: "text/csv"}, 422, "invalid", "year", 0},
		{"a bad CSV row", req{Method: "PUT", Path: "/v1/posts/BOG/holidays/2026", Body: csv("date,name\n2026-01-01,a\n2026-13-01,b\n"), ContentType: "text/csv"}, 422, "invalid", "date", 3},
		{"two closures on one date", req{Method: "PUT", Path: "/v1/posts/BOG/holidays/2026", Body: csv("date,name\n2026-01-02,a\n2026-01-02,b\n"), ContentType: "text/csv"}, 422, "invalid", "date", 0},
		{"a JSON upload", req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2026", Body: `[]`, ContentType: "application/json"}, 415, "unsupported_media_type", "", 0},
		{"year in the path not a year", req{Method: "PUT", Path: "/v1/calendars/CO/holidays/20x6", Body: csv("date,name\n"), ContentType: "text/csv"}, 400, "malformed", "year", 0},
		{"upload for an unknown calendar", req{Method: "PUT", Path: "/v1/calendars/XX/holidays/2026", Body: csv("date,name\n"), ContentType: "text/csv"}, 404, "not_found", "", 0},
		{"delete with a bad date", req{Method: "DELETE", Path: "/v1/posts/BOG/closures/2026-13-01"}, 400, "malformed", "date", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.SkipSpec = true
			res := h.do(tt.r)
			var p Problem
			res.JSON(t, &p)
			if res.Status != tt.status || string(p.Code) != tt.code || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s (%s), want %d %s: %s", res.Status, p.Code, res.Header.Get("Content-Type"), tt.status, tt.code, res.Body)
			}
			if tt.field != "" && !slices.ContainsFunc(p.Errors, func(e domain.FieldError) bool { return e.Field == tt.field && e.Line == tt.line }) {
				t.Errorf("no error on field %q line %d: %s", tt.field, tt.line, res.Body)
			}
		})
	}
	if n := holidayRows(t, h); n != 0 {
		t.Errorf("%d holiday rows written by refused requests", n)
	}
}

func TestHolidayRoles(t *testing.T) {
	h, _ := newKeyHarness(t, KeyAuthOptions{}, Config{})
	system := h.createKey(map[string]any{"name": "notifier", "role": "system"}).Token
	hr := h.createKey(map[string]any{"name": "rrhh", "role": "hr"}).Token
	closure := map[string]any{"date": "2026-03-02", "name": "Día cívico"}
	for _, tc := range []struct {
		r    req
		want int
	}{
		{req{Method: "GET", Path: "/v1/calendars", Token: system}, 200},
		{req{Method: "GET", Path: "/v1/calendars/CO/holidays?year=2026", Token: system}, 200},
		{req{Method: "POST", Path: "/v1/calendars/CO/closures", Token: system, Body: closure}, 403},
		{req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2026", Token: system, Body: "date,name\n", ContentType: "text/csv"}, 403},
		{req{Method: "POST", Path: "/v1/calendars/CO/closures", Token: hr, Body: closure}, 201},
	} {
		if res := h.do(tc.r); res.Status != tc.want {
			t.Errorf("%s %s as %s = %d, want %d: %s", tc.r.Method, tc.r.Path, tc.r.Token[:8], res.Status, tc.want, res.Body)
		}
	}
}

// TestClosuresReachDecisions checks the whole path: a closure or an
// exclusion written through the API changes the next decision.
func TestClosuresReachDecisions(t *testing.T) {
	h := newHarness(t)
	h.mustCreate("/v1/posts", map[string]any{"code": "BOG", "name": "Sede", "kind": "headquarters", "country": "CO",
		"time_zone": "America/Bogota", "calendars": []string{"CO"}, "schedule": workweek("08:00-17:00")})
	h.mustCreate("/v1/people", map[string]any{"external_id": "E1", "full_name": "Persona", "email": "e1@cancilleria.gov.co", "post": "BOG"})
	decide := func(at string) (string, []string) {
		t.Helper()
		_, m := h.ask("", "E1", at)
		return fmt.Sprint(m["decision"]), reasonCodes(m)
	}
	const civic, sanJose = "2026-03-02T10:00:00-05:00", "2026-03-23T10:00:00-05:00"
	if d, r := decide(civic); d != "allow" {
		t.Fatalf("2 March before the closure: %s %v", d, r)
	}
	h.send(http.StatusCreated, req{Method: "POST", Path: "/v1/calendars/CO/closures", Body: map[string]any{"date": "2026-03-02", "name": "Día cívico"}})
	if d, r := decide(civic); d == "allow" || !slices.Contains(r, "public_holiday") {
		t.Errorf("2 March after the national closure: %s %v, want public_holiday", d, r)
	}
	h.send(http.StatusCreated, req{Method: "POST", Path: "/v1/posts/BOG/exclusions", Body: map[string]any{"date": "2026-03-23"}})
	if d, r := decide(sanJose); d != "allow" {
		t.Errorf("San José worked through: %s %v, want allow", d, r)
	}
}
