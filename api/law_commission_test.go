package api

import (
	"net/url"
	"testing"
)

// TestCommissionBoundaryTable: during a comisión de servicios the person's
// hours follow the commission's zone from its first to its last day, and
// the working day of a boundary date belongs to one zone only.
//
//	T1, Bogotá, in Tokyo (ahead) from Monday 9 to Friday 13 November 2026
//	K1, Tokyo, in Bogotá (behind) from Monday 9 to Wednesday 11 November
//	M1, Bogotá, in Madrid from 19 to 30 October, across Madrid's change
//	    from summer time on Sunday 25 October
func TestCommissionBoundaryTable(t *testing.T) {
	f := newLawFixture(t)
	cases := []struct {
		name, person, at, channel            string
		decision, first, zone, localAt, next string
	}{
		// Into a zone ahead, ending on a Friday.
		{"Tokyo's last Friday afternoon", "T1", "2026-11-13T14:30:00+09:00", "teams_call", "allow", "within_working_hours", "Asia/Tokyo", "2026-11-13T14:30:00+09:00", ""},
		// (Monday 16 is Independencia de Cartagena, moved to Monday.)
		{"Bogotá's Friday 13 is not a second working day", "T1", "2026-11-13T16:00:00Z", "teams_call", "deny", "outside_working_hours", "America/Bogota", "2026-11-13T11:00:00-05:00", "2026-11-17T13:00:00Z"},
		{"Friday 09:00 in Bogotá is still Tokyo's Friday night", "T1", "2026-11-13T09:00:00-05:00", "email", "defer", "outside_working_hours", "Asia/Tokyo", "2026-11-13T23:00:00+09:00", "2026-11-17T13:00:00Z"},
		// Into a zone ahead, starting on a Monday.
		{"the Friday before, at home", "T1", "2026-11-06T16:00:00-05:00", "teams_call", "allow", "within_working_hours", "America/Bogota", "2026-11-06T16:00:00-05:00", ""},
		{"Sunday evening in Bogotá is Monday morning in Tokyo", "T1", "2026-11-08T19:30:00-05:00", "teams_call", "allow", "within_working_hours", "Asia/Tokyo", "2026-11-09T09:30:00+09:00", ""},
		{"Sunday noon in Bogotá is 02:00 on Tokyo's Monday", "T1", "2026-11-08T12:00:00-05:00", "email", "defer", "outside_working_hours", "Asia/Tokyo", "2026-11-09T02:00:00+09:00", "2026-11-08T23:00:00Z"},
		{"Saturday in Bogotá is still home's rest day", "T1", "2026-11-07T12:00:00-05:00", "email", "defer", "rest_day", "America/Bogota", "2026-11-07T12:00:00-05:00", "2026-11-08T23:00:00Z"},
		// Into a zone behind, ending midweek (K1 keeps the embassy's hours,
		// 09:00-12:00 and 13:00-18:00, in Bogotá).
		{"Bogotá's Wednesday afternoon", "K1", "2026-11-11T16:00:00-05:00", "teams_call", "allow", "within_working_hours", "America/Bogota", "2026-11-11T16:00:00-05:00", ""},
		{"Tokyo's Thursday morning, still Wednesday in Bogotá", "K1", "2026-11-12T09:30:00+09:00", "teams_call", "allow", "within_working_hours", "Asia/Tokyo", "2026-11-12T09:30:00+09:00", ""},
		{"Tokyo's Wednesday was worked in Bogotá", "K1", "2026-11-11T10:00:00+09:00", "teams_call", "deny", "outside_working_hours", "America/Bogota", "2026-11-10T20:00:00-05:00", "2026-11-11T14:00:00Z"},
		{"Tokyo's Monday morning is not worked in Tokyo", "K1", "2026-11-09T10:00:00+09:00", "email", "defer", "outside_working_hours", "Asia/Tokyo", "2026-11-09T10:00:00+09:00", "2026-11-09T14:00:00Z"},
		// Across a change of clocks.
		{"Madrid on summer time", "M1", "2026-10-23T08:30:00+02:00", "teams_call", "allow", "within_working_hours", "Europe/Madrid", "2026-10-23T08:30:00+02:00", ""},
		{"Madrid after the change, 08:30 CET", "M1", "2026-10-26T07:30:00Z", "teams_call", "allow", "within_working_hours", "Europe/Madrid", "2026-10-26T08:30:00+01:00", ""},
		{"Madrid after the change, 07:30 CET waits for 08:00 CET", "M1", "2026-10-26T06:30:00Z", "email", "defer", "outside_working_hours", "Europe/Madrid", "2026-10-26T07:30:00+01:00", "2026-10-26T07:00:00Z"},
		{"the commission's last evening: next is Bogotá's Tuesday (Monday is a holiday)", "M1", "2026-10-30T17:30:00+01:00", "teams_call", "deny", "outside_working_hours", "Europe/Madrid", "2026-10-30T17:30:00+01:00", "2026-11-03T13:00:00Z"},
	}
	for _, lang := range langs {
		for _, c := range cases {
			name := lang + ": " + c.name
			status, m := f.askIn(lang, "", c.person, url.Values{"at": {c.at}, "channel": {c.channel}})
			codes := reasonCodes(m)
			if status != 200 || m["decision"] != c.decision || len(codes) == 0 || codes[0] != c.first || m["time_zone"] != c.zone || m["local_at"] != c.localAt || str(m["next_allowed_at"]) != c.next {
				t.Errorf("%s: %d %v %v in %v at %v, next %v; want %s %s in %s at %s, next %q", name, status, m["decision"], codes, m["time_zone"], m["local_at"], m["next_allowed_at"], c.decision, c.first, c.zone, c.localAt, c.next)
				continue
			}
			if c.first == "outside_working_hours" {
				mustContain(t, name, str(reason(m, c.first)["message"]), inLang(lang, "fuera de su jornada", "Outside their working hours"))
			}
		}
	}
	// Availability around the end: Tokyo's Friday, then Bogotá's Tuesday
	// (Monday is a holiday); nothing on Bogotá's Friday 13.
	res := f.do(req{Method: "GET", Path: "/v1/people/T1/availability?from=2026-11-12T12:00:00Z&to=2026-11-18T00:00:00Z"})
	var got []string
	for _, iv := range res.Map(t)["intervals"].([]any) {
		got = append(got, iv.(map[string]any)["local_start"].(string))
	}
	want := []string{"2026-11-13T08:00:00+09:00", "2026-11-13T13:00:00+09:00", "2026-11-17T08:00:00-05:00", "2026-11-17T13:00:00-05:00"}
	if len(got) != len(want) {
		t.Fatalf("availability: %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("availability[%d] starts %s, want %s", i, got[i], want[i])
		}
	}
}
