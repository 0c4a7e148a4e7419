package api

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// week is a Monday–Friday schedule with the same windows every day.
func workweek(windows ...string) map[string][]string {
	s := map[string][]string{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
		s[d] = windows
	}
	return s
}

// mustCreate POSTs body to path as admin and fails the test unless 201.
func (h *harness) mustCreate(path string, body any) map[string]any {
	h.t.Helper()
	res := h.do(req{Method: "POST", Path: path, Body: body})
	if res.Status != 201 {
		h.t.Fatalf("POST %s = %d: %s", path, res.Status, res.Body)
	}
	return res.Map(h.t)
}

// decisionFixture creates, through the API, the posts and people the
// decision tests ask about.
func decisionFixture(t *testing.T) *harness {
	h := newHarness(t)
	office := workweek("08:00-12:00", "13:00-17:00")
	h.mustCreate("/v1/posts", map[string]any{"code": "BOG", "name": "Sede Bogotá", "kind": "headquarters", "country": "CO", "city": "Bogotá", "time_zone": "America/Bogota", "calendars": []string{"CO"}, "schedule": office})
	h.mustCreate("/v1/posts", map[string]any{"code": "NYC", "name": "Consulado Nueva York", "kind": "consulate", "country": "US", "city": "New York", "time_zone": "America/New_York", "calendars": []string{"US"}, "schedule": workweek("09:00-17:00")})
	h.mustCreate("/v1/posts", map[string]any{"code": "SCL", "name": "Embajada Santiago", "kind": "embassy", "country": "CL", "city": "Santiago", "time_zone": "America/Santiago", "calendars": []string{"CL"}, "schedule": workweek("09:00-18:00")})
	h.mustCreate("/v1/posts", map[string]any{"code": "RUH", "name": "Embajada Riad", "kind": "embassy", "country": "SA", "city": "Riyadh", "time_zone": "Asia/Riyadh", "calendars": []string{}, "schedule": map[string][]string{"sun": {"08:00-16:00"}, "mon": {"08:00-16:00"}, "tue": {"08:00-16:00"}, "wed": {"08:00-16:00"}, "thu": {"08:00-16:00"}}})
	h.mustCreate("/v1/posts", map[string]any{"code": "SYD", "name": "Embajada Canberra", "kind": "embassy", "country": "AU", "city": "Canberra", "time_zone": "Australia/Sydney", "calendars": []string{}, "schedule": workweek("09:00-17:00")})
	for _, p := range [][3]string{{"MAD", "ES", "Europe/Madrid"}, {"LHI", "AU", "Australia/Lord_Howe"}, {"CHT", "NZ", "Pacific/Chatham"}} {
		h.mustCreate("/v1/posts", map[string]any{"code": p[0], "name": "Sede " + p[0], "kind": "other", "country": p[1], "city": p[0], "time_zone": p[2], "calendars": []string{}, "schedule": workweek("09:00-17:00")})
	}
	h.mustCreate("/v1/posts", map[string]any{"code": "NOSCHED", "name": "Oficina sin horario", "kind": "other", "country": "CO", "city": "Cali", "time_zone": "America/Bogota", "calendars": []string{"CO"}})

	person := func(id, post string, extra map[string]any) {
		body := map[string]any{"external_id": id, "full_name": "Persona " + id, "email": strings.ToLower(id) + "@cancilleria.gov.co", "post": post}
		for k, v := range extra {
			body[k] = v
		}
		h.mustCreate("/v1/people", body)
	}
	person("S1", "BOG", map[string]any{"exception": "direccion_confianza_manejo"})
	person("E1", "BOG", map[string]any{"supervisor": "S1"})
	person("E2", "BOG", map[string]any{"supervisor": "E1", "exception": "disponibilidad_permanente"})
	person("N1", "BOG", map[string]any{"schedule": workweek("22:00-06:00")})
	person("Y1", "NYC", nil)
	person("C1", "SCL", map[string]any{"schedule": map[string][]string{"sun": {"00:00-08:00"}}})
	person("R1", "RUH", nil)
	person("A1", "SYD", nil)
	person("Z1", "BOG", map[string]any{"time_zone": "Europe/Madrid"})
	person("X1", "NOSCHED", nil)
	// Sunday watches placed on the clock changes of 2026.
	sunday := func(w string) map[string]any { return map[string]any{"schedule": map[string][]string{"sun": {w}}} }
	person("M1", "MAD", sunday("02:30-04:00"))
	person("M2", "MAD", sunday("01:00-02:30"))
	person("H1", "LHI", sunday("01:45-03:00"))
	person("H2", "LHI", sunday("02:10-04:00"))
	person("K1", "CHT", sunday("03:00-05:00"))
	person("L1", "BOG", nil)
	person("L2", "BOG", nil)
	person("P1", "BOG", nil)
	h.mustCreate("/v1/people/L1/leaves", map[string]any{"kind": "vacation", "external_ref": "VAC-L1", "start_date": "2026-11-30", "end_date": "2026-12-04", "delegate": "E1"})
	h.mustCreate("/v1/people/L2/leaves", map[string]any{"kind": "sick_leave", "external_ref": "INC-L2", "start_date": "2026-11-30", "end_date": "2026-12-02"})
	h.mustCreate("/v1/people/L2/leaves", map[string]any{"kind": "paid_permission", "external_ref": "PER-L2", "start_date": "2026-12-02", "end_date": "2026-12-03"})
	person("T1", "BOG", nil)
	h.mustCreate("/v1/people/T1/leaves", map[string]any{"kind": "service_commission", "external_ref": "COM-T1", "start_date": "2026-12-07", "end_date": "2026-12-11", "time_zone": "Asia/Tokyo"})
	h.mustCreate("/v1/people/P1/leaves", map[string]any{"kind": "study_permission", "external_ref": "EST-P1", "starts_at": "2026-11-26T14:30:00-05:00", "ends_at": "2026-11-26T16:00:00-05:00"})
	return h
}

// ask GETs a person's contactability and returns the answer.
func (h *harness) ask(token, person, at string, params ...string) (int, map[string]any) {
	h.t.Helper()
	q := url.Values{"at": {at}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	res := h.do(req{Method: "GET", Path: "/v1/people/" + person + "/contactability?" + q.Encode(), Token: token})
	if res.Status != 200 {
		return res.Status, res.Map(h.t)
	}
	return 200, res.Map(h.t)
}

func reasonCodes(m map[string]any) []string {
	var codes []string
	rs, _ := m["reasons"].([]any)
	for _, r := range rs {
		codes = append(codes, r.(map[string]any)["code"].(string))
	}
	return codes
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// TestContactabilityTimeCases walks the time engine's cases over HTTP: a
// row per case, routine email, answered from the view.
func TestContactabilityTimeCases(t *testing.T) {
	h := decisionFixture(t)
	cases := []struct {
		name, person, at string
		decision         string
		reason           string
		next             string // next_allowed_at, UTC; "" = none
		localNext        string
		holiday          string
	}{
		{"in working hours", "E1", "2026-11-26T10:00:00-05:00", "allow", "within_working_hours", "", "", ""},
		{"lunch break", "E1", "2026-11-26T12:30:00-05:00", "defer", "outside_working_hours", "2026-11-26T18:00:00Z", "2026-11-26T13:00:00-05:00", ""},
		{"evening", "E1", "2026-11-26T20:30:00-05:00", "defer", "outside_working_hours", "2026-11-27T13:00:00Z", "2026-11-27T08:00:00-05:00", ""},
		{"saturday", "E1", "2026-11-28T10:00:00-05:00", "defer", "rest_day", "2026-11-30T13:00:00Z", "2026-11-30T08:00:00-05:00", ""},
		{"holiday on a tuesday", "E1", "2026-12-08T10:00:00-05:00", "defer", "public_holiday", "2026-12-09T13:00:00Z", "2026-12-09T08:00:00-05:00", "Immaculate Conception"},
		{"holiday moved to monday", "E1", "2026-11-16T09:00:00-05:00", "defer", "public_holiday", "2026-11-17T13:00:00Z", "2026-11-17T08:00:00-05:00", "Independence of Cartagena"},
		{"night shift after midnight", "N1", "2026-11-27T02:00:00-05:00", "allow", "within_working_hours", "", "", ""},
		{"night shift, saturday morning belongs to friday", "N1", "2026-11-28T05:59:00-05:00", "allow", "within_working_hours", "", "", ""},
		{"night shift, saturday night", "N1", "2026-11-28T23:00:00-05:00", "defer", "rest_day", "2026-12-01T03:00:00Z", "2026-11-30T22:00:00-05:00", ""},
		{"new york before spring forward", "Y1", "2026-03-07T12:00:00-05:00", "defer", "rest_day", "2026-03-09T13:00:00Z", "2026-03-09T09:00:00-04:00", ""},
		{"new york after fall back", "Y1", "2026-10-31T12:00:00-04:00", "defer", "rest_day", "2026-11-02T14:00:00Z", "2026-11-02T09:00:00-05:00", ""},
		{"santiago: midnight is missing on the spring day", "C1", "2026-09-06T03:30:00Z", "defer", "rest_day", "2026-09-06T04:00:00Z", "2026-09-06T01:00:00-03:00", ""},
		{"sydney after clocks go back", "A1", "2026-04-04T12:00:00+11:00", "defer", "rest_day", "2026-04-05T23:00:00Z", "2026-04-06T09:00:00+10:00", ""},
		{"madrid spring forward: a window starting in the gap starts after it", "M1", "2026-03-29T00:30:00Z", "defer", "outside_working_hours", "2026-03-29T01:00:00Z", "2026-03-29T03:00:00+02:00", ""},
		{"madrid fall back: a repeated start is the earlier one", "M1", "2026-10-25T00:00:00Z", "defer", "outside_working_hours", "2026-10-25T00:30:00Z", "2026-10-25T02:30:00+02:00", ""},
		{"madrid fall back: a repeated end is the earlier one", "M2", "2026-10-25T01:00:00Z", "defer", "outside_working_hours", "2026-11-01T00:00:00Z", "2026-11-01T01:00:00+01:00", ""},
		{"madrid fall back: inside the window before the repeat", "M2", "2026-10-25T00:15:00Z", "allow", "within_working_hours", "", "", ""},
		{"lord howe fall back (30 minutes): the earlier 01:45", "H1", "2026-04-04T14:00:00Z", "defer", "outside_working_hours", "2026-04-04T14:45:00Z", "2026-04-05T01:45:00+11:00", ""},
		{"lord howe spring forward (30 minutes): 02:10 is 02:30", "H2", "2026-10-03T15:00:00Z", "defer", "outside_working_hours", "2026-10-03T15:30:00Z", "2026-10-04T02:30:00+11:00", ""},
		{"chatham spring forward: 03:00 is 03:45 (+13:45)", "K1", "2026-09-26T13:30:00Z", "defer", "outside_working_hours", "2026-09-26T14:00:00Z", "2026-09-27T03:45:00+13:45", ""},
		{"chatham fall back: the earlier 03:00 (+13:45)", "K1", "2026-04-04T13:00:00Z", "defer", "outside_working_hours", "2026-04-04T13:15:00Z", "2026-04-05T03:00:00+13:45", ""},
		{"sunday-thursday week: friday", "R1", "2026-11-27T10:00:00+03:00", "defer", "rest_day", "2026-11-29T05:00:00Z", "2026-11-29T08:00:00+03:00", ""},
		{"sunday-thursday week: sunday", "R1", "2026-11-29T10:00:00+03:00", "allow", "within_working_hours", "", "", ""},
		{"zone differs from the post's", "Z1", "2026-11-26T15:00:00Z", "allow", "within_working_hours", "", "", ""},
		{"zone differs: bogotá hours are madrid evening", "Z1", "2026-11-26T17:30:00Z", "defer", "outside_working_hours", "2026-11-27T07:00:00Z", "2026-11-27T08:00:00+01:00", ""},
		{"all-day leave", "L1", "2026-12-01T10:00:00-05:00", "defer", "on_leave", "2026-12-07T13:00:00Z", "2026-12-07T08:00:00-05:00", ""},
		{"overlapping leaves join", "L2", "2026-12-01T10:00:00-05:00", "defer", "on_leave", "2026-12-04T13:00:00Z", "2026-12-04T08:00:00-05:00", ""},
		{"partial leave starts mid-window", "P1", "2026-11-26T15:00:00-05:00", "defer", "on_leave", "2026-11-26T21:00:00Z", "2026-11-26T16:00:00-05:00", ""},
		{"before the partial leave", "P1", "2026-11-26T14:00:00-05:00", "allow", "within_working_hours", "", "", ""},
		{"no schedule anywhere", "X1", "2026-11-26T10:00:00-05:00", "deny", "no_schedule", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m := h.ask("", c.person, c.at)
			if status != 200 {
				t.Fatalf("status %d: %v", status, m)
			}
			codes := reasonCodes(m)
			if m["decision"] != c.decision || len(codes) == 0 || codes[0] != c.reason {
				t.Fatalf("decision %v %v, want %s %s", m["decision"], codes, c.decision, c.reason)
			}
			if str(m["next_allowed_at"]) != c.next || str(m["local_next_allowed_at"]) != c.localNext {
				t.Errorf("next %v (%v), want %s (%s)", m["next_allowed_at"], m["local_next_allowed_at"], c.next, c.localNext)
			}
			if m["contactable"] != (c.decision == "allow") {
				t.Errorf("contactable %v with decision %s", m["contactable"], c.decision)
			}
			if c.holiday != "" {
				r := m["reasons"].([]any)[0].(map[string]any)
				if !strings.Contains(str(r["holiday"]), c.holiday) {
					t.Errorf("holiday %v, want %s", r["holiday"], c.holiday)
				}
			}
		})
	}
}

func TestContactabilityAnswersInThePersonsZone(t *testing.T) {
	h := decisionFixture(t)
	_, m := h.ask("", "E1", "2026-11-27T01:30:00Z")
	want := map[string]string{"at": "2026-11-27T01:30:00Z", "local_at": "2026-11-26T20:30:00-05:00", "time_zone": "America/Bogota", "person": "E1"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %s", k, m[k], v)
		}
	}
	_, m = h.ask("", "E1", "2026-11-26T10:00:00-05:00")
	if m["window_ends_at"] != "2026-11-26T17:00:00Z" || m["local_window_ends_at"] != "2026-11-26T12:00:00-05:00" {
		t.Errorf("window ends %v / %v, want 12:00 Bogotá", m["window_ends_at"], m["local_window_ends_at"])
	}
}

func TestTwoHolidaysOnOneDate(t *testing.T) {
	h := decisionFixture(t)
	_, m := h.ask("", "E1", "2025-06-30T10:00:00-05:00")
	r := m["reasons"].([]any)[0].(map[string]any)
	hs, _ := r["holidays"].([]any)
	if r["code"] != "public_holiday" || len(hs) != 2 {
		t.Fatalf("30 June 2025: %v, want two holidays", r)
	}
}

func TestScheduleChangeEffectiveMidWeek(t *testing.T) {
	h := decisionFixture(t)
	// From Wednesday 2 December 2026, Bogotá works 07:00-15:00.
	h.mustCreate("/v1/posts/BOG/schedules", map[string]any{"effective_from": "2026-12-02", "schedule": workweek("07:00-15:00")})
	if _, m := h.ask("", "E1", "2026-12-01T07:30:00-05:00"); m["decision"] != "defer" {
		t.Errorf("Tuesday 07:30 under the old hours: %v", m["decision"])
	}
	if _, m := h.ask("", "E1", "2026-12-02T07:30:00-05:00"); m["decision"] != "allow" {
		t.Errorf("Wednesday 07:30 under the new hours: %v %v", m["decision"], reasonCodes(m))
	}
	if _, m := h.ask("", "E1", "2026-12-02T16:00:00-05:00"); m["decision"] != "defer" || m["local_next_allowed_at"] != "2026-12-03T07:00:00-05:00" {
		t.Errorf("Wednesday 16:00 under the new hours: %v next %v", m["decision"], m["local_next_allowed_at"])
	}
}

func TestHorizonReached(t *testing.T) {
	h := decisionFixture(t)
	h.mustCreate("/v1/people/E1/leaves", map[string]any{"kind": "unpaid_study_leave", "external_ref": "LNR-E1", "start_date": "2027-01-04", "end_date": "2028-12-29"})
	_, m := h.ask("", "E1", "2027-02-01T10:00:00-05:00")
	if m["decision"] != "defer" || m["next_allowed_at"] != nil || m["horizon_reached"] != true {
		t.Fatalf("two-year leave within the default horizon: %v next %v horizon %v", m["decision"], m["next_allowed_at"], m["horizon_reached"])
	}
	_, m = h.ask("", "E1", "2027-02-01T10:00:00-05:00", "horizon", "P1098D")
	if m["local_next_allowed_at"] != "2029-01-02T08:00:00-05:00" {
		t.Fatalf("with a three-year horizon: next %v, want 2029-01-02 08:00 (1 Jan is a holiday)", m["local_next_allowed_at"])
	}
}

func TestNextSlotAvailabilityAndMeetings(t *testing.T) {
	h := decisionFixture(t)
	res := h.do(req{Method: "GET", Path: "/v1/people/E1/next-slot?after=2026-11-26T11:45:00-05:00&duration=PT30M"})
	m := res.Map(t)
	if res.Status != 200 || m["local_start"] != "2026-11-26T13:00:00-05:00" || m["local_end"] != "2026-11-26T13:30:00-05:00" {
		t.Fatalf("next 30-minute slot after 11:45: %d %s", res.Status, res.Body)
	}
	res = h.do(req{Method: "GET", Path: "/v1/people/E1/availability?from=2026-11-26T00:00:00-05:00&to=2026-11-28T00:00:00-05:00"})
	m = res.Map(t)
	ivs, _ := m["intervals"].([]any)
	if res.Status != 200 || len(ivs) != 4 || ivs[0].(map[string]any)["local_start"] != "2026-11-26T08:00:00-05:00" {
		t.Fatalf("availability Thursday-Friday: %d %s", res.Status, res.Body)
	}
	res = h.do(req{Method: "GET", Path: "/v1/people/E1/availability?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z"})
	if res.Status != 400 { // a query parameter out of its bounds: 400, as everywhere
		t.Errorf("a five-month availability range: %d, want 400", res.Status)
	}
	// Bogotá 08:00-12:00/13:00-17:00 and New York 09:00-17:00 (EST, one
	// hour ahead of Bogotá) share 09:00-12:00 and 13:00-16:00 Bogotá time.
	res = h.do(req{Method: "POST", Path: "/v1/meeting-slots", Body: map[string]any{
		"people": []string{"E1", "Y1"}, "duration": "PT1H", "from": "2026-11-30T00:00:00Z", "to": "2026-12-01T00:00:00Z", "limit": 3, "granularity": "PT30M"}})
	m = res.Map(t)
	slots, _ := m["slots"].([]any)
	if res.Status != 200 || len(slots) != 3 {
		t.Fatalf("meeting slots: %d %s", res.Status, res.Body)
	}
	first := slots[0].(map[string]any)
	local := first["local"].(map[string]any)
	if first["start"] != "2026-11-30T14:00:00Z" || local["E1"].(map[string]any)["local_start"] != "2026-11-30T09:00:00-05:00" || local["Y1"].(map[string]any)["local_start"] != "2026-11-30T09:00:00-05:00" {
		t.Errorf("first common slot: %v", first)
	}
	// The options do not overlap: 09:00-10:00, 10:00-11:00, 11:00-12:00.
	for i, want := range []string{"2026-11-30T14:00:00Z", "2026-11-30T15:00:00Z", "2026-11-30T16:00:00Z"} {
		if got := slots[i].(map[string]any)["start"]; got != want {
			t.Errorf("slot %d starts %v, want %s", i, got, want)
		}
	}
}

func TestContactChecksBatchReportsBadItemsInPlace(t *testing.T) {
	h := decisionFixture(t)
	res := h.do(req{Method: "POST", Path: "/v1/contact-checks", Body: map[string]any{"checks": []any{
		map[string]any{"person": "E1", "at": "2026-11-26T10:00:00-05:00"},
		map[string]any{"person": "E1", "at": "not a time"},
		map[string]any{"person": "NOBODY", "at": "2026-11-26T10:00:00-05:00"},
		map[string]any{"person": "E1", "at": "2026-11-26T20:00:00-05:00", "channel": "phone"},
		map[string]any{"person": "E1", "chanel": "phone"},
	}}, SkipSpec: true})
	if res.Status != 200 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	results := res.Map(t)["results"].([]any)
	if len(results) != 5 {
		t.Fatalf("%d results for 5 checks", len(results))
	}
	get := func(i int) map[string]any { return results[i].(map[string]any) }
	if get(0)["decision"] != "allow" || get(3)["decision"] != "deny" {
		t.Errorf("good items: %v / %v", get(0)["decision"], get(3)["decision"])
	}
	for i, code := range map[int]string{1: "invalid", 2: "not_found", 4: "malformed"} {
		e, _ := get(i)["error"].(map[string]any)
		if e == nil || e["code"] != code {
			t.Errorf("item %d: %v, want error %s", i, get(i), code)
		}
	}
}

// TestContactChecksLargeBatchInOrder: a batch large enough to be answered
// on several cores (see inParallel) gives, item by item and in order, what
// the same items give in a small batch, bad items included.
func TestContactChecksLargeBatchInOrder(t *testing.T) {
	h := decisionFixture(t)
	items := []any{
		map[string]any{"person": "E1", "at": "2026-11-26T10:00:00-05:00"},
		map[string]any{"person": "E1", "at": "not a time"},
		map[string]any{"person": "NOBODY", "at": "2026-11-26T10:00:00-05:00"},
		map[string]any{"person": "E1", "at": "2026-11-26T20:00:00-05:00", "channel": "phone"},
		map[string]any{"person": "E1", "chanel": "phone"},
		map[string]any{"person": "T1", "at": "2026-12-08T10:00:00-05:00"},
		map[string]any{"person": "E1", "at": "2026-12-25T10:00:00-05:00", "channel": "teams_call"},
	}
	batch := func(checks []any) []any {
		res := h.do(req{Method: "POST", Path: "/v1/contact-checks", Body: map[string]any{"checks": checks}, SkipSpec: true})
		if res.Status != 200 {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
		return res.Map(t)["results"].([]any)
	}
	small := batch(items)
	const n = 1001 // eight ranges of minParallel and a short one
	var large []any
	for i := range n {
		large = append(large, items[i%len(items)])
	}
	got := batch(large)
	if len(got) != n {
		t.Fatalf("%d results for %d checks", len(got), n)
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], small[i%len(items)]) {
			t.Fatalf("item %d: %v, want %v", i, got[i], small[i%len(items)])
		}
	}
}

func TestDecisionParametersAreValidated(t *testing.T) {
	h := decisionFixture(t)
	for _, q := range []string{
		"at=yesterday", "at=2026-11-26T10:00:00", "channel=pigeon", "purpose=whim", "official_document=maybe",
		"chanel=phone", "horizon=P5000D", "at=9999-01-01T00:00:00Z", "horizon=PT0S",
	} {
		res := h.do(req{Method: "GET", Path: "/v1/people/E1/contactability?" + q, SkipSpec: true})
		if res.Status < 400 || res.Status >= 500 {
			t.Errorf("?%s: %d, want 4xx", q, res.Status)
		}
	}
	res := h.do(req{Method: "GET", Path: "/v1/people/NOBODY/contactability"})
	if res.Status != 404 {
		t.Errorf("unknown person: %d", res.Status)
	}
}

// TestServiceCommissionWorksInItsZone: T1 (Bogotá) is on a service
// commission in Tokyo from 7 to 11 December 2026. It does not block, but
// while it lasts their hours are Tokyo hours; Bogotá's Friday 11, which
// begins as Tokyo's ends, is not worked a second time.
func TestServiceCommissionWorksInItsZone(t *testing.T) {
	h := decisionFixture(t)
	cases := []struct {
		name, at, decision, zone, next, localNext string
	}{
		{"before: Bogotá hours", "2026-12-04T10:00:00-05:00", "allow", "America/Bogota", "", ""},
		{"friday evening: the next slot is Monday in Tokyo", "2026-12-04T20:00:00-05:00", "defer", "America/Bogota", "2026-12-06T23:00:00Z", "2026-12-07T08:00:00+09:00"},
		{"10:00 in Bogotá is midnight in Tokyo", "2026-12-08T10:00:00-05:00", "defer", "Asia/Tokyo", "2026-12-08T23:00:00Z", "2026-12-09T08:00:00+09:00"},
		{"10:00 in Tokyo", "2026-12-09T10:00:00+09:00", "allow", "Asia/Tokyo", "", ""},
		{"after: Bogotá's Friday 11 was worked in Tokyo", "2026-12-11T20:00:00Z", "defer", "America/Bogota", "2026-12-14T13:00:00Z", "2026-12-14T08:00:00-05:00"},
		{"back on Bogotá hours on Monday", "2026-12-14T10:00:00-05:00", "allow", "America/Bogota", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, m := h.ask("", "T1", c.at)
			if m["decision"] != c.decision || m["time_zone"] != c.zone || str(m["next_allowed_at"]) != c.next || str(m["local_next_allowed_at"]) != c.localNext {
				t.Errorf("%v in %v, next %v (%v); want %s in %s, next %s (%s)", m["decision"], m["time_zone"], m["next_allowed_at"], m["local_next_allowed_at"], c.decision, c.zone, c.next, c.localNext)
			}
		})
	}
	res := h.do(req{Method: "GET", Path: "/v1/people/T1/availability?from=2026-12-08T00:00:00Z&to=2026-12-10T00:00:00Z"})
	ivs := res.Map(t)["intervals"].([]any)
	if len(ivs) == 0 || ivs[0].(map[string]any)["local_start"] != "2026-12-09T08:00:00+09:00" {
		t.Errorf("availability during the commission: %s", res.Body)
	}
	// A meeting with E1 (Bogotá): Tokyo and Bogotá hours do not meet, so the
	// first common hour is after T1 is back, Monday 14 December 08:00 Bogotá.
	res = h.do(req{Method: "POST", Path: "/v1/meeting-slots", Body: map[string]any{
		"people": []string{"T1", "E1"}, "duration": "PT1H", "from": "2026-12-08T00:00:00Z", "to": "2026-12-16T00:00:00Z", "limit": 1}})
	slots := res.Map(t)["slots"].([]any)
	if len(slots) != 1 || slots[0].(map[string]any)["start"] != "2026-12-14T13:00:00Z" {
		t.Errorf("meeting across the commission: %s", res.Body)
	}
}

// TestFutureOverrideKeepsThePostsHoursUntilThen: an override announced for
// January must not leave the person without a schedule before it starts.
func TestFutureOverrideKeepsThePostsHoursUntilThen(t *testing.T) {
	h := decisionFixture(t)
	res := h.do(req{Method: "POST", Path: "/v1/people/E1/schedules", Header: map[string]string{"If-Match": "*"},
		Body: map[string]any{"effective_from": "2027-01-04", "schedule": workweek("10:00-14:00")}})
	if res.Status != 201 {
		t.Fatalf("adding an override: %d %s", res.Status, res.Body)
	}
	for _, c := range []struct{ at, decision string }{
		{"2026-11-26T09:00:00-05:00", "allow"}, // the post's 08:00-12:00
		{"2027-01-05T09:00:00-05:00", "defer"}, // the override's 10:00-14:00
		{"2027-01-05T13:30:00-05:00", "allow"},
	} {
		if _, m := h.ask("", "E1", c.at); m["decision"] != c.decision {
			t.Errorf("%s: %v %v, want %s", c.at, m["decision"], reasonCodes(m), c.decision)
		}
	}
}
