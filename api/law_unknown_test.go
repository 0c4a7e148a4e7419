package api

import (
	"net/url"
	"testing"
)

// TestHolidaysUnknownTable: a decision about a date whose holidays cannot
// be known (a calendar the post takes has no data for the year) is never a
// silent allow: it says which calendar lacks which year, with confidence
// low; under the post's closed fallback the date is not worked.
//
// JP covers 2000–2100, CO 1984–2100, LK 2020–2026; EMB-COLOMBO takes LK and
// CO, EMB-TOKYO JP, BOG CO.
func TestHolidaysUnknownTable(t *testing.T) {
	f := newLawFixture(t)
	type row struct {
		name, person, at, channel   string
		decision, first, confidence string
		unknown                     string // the message's calendar and year, "" when none is unknown
		next                        string
		horizon                     bool
	}
	flag := []row{
		{"Tokyo, New Year's Day 2200: allowed as far as is known, and said so", "J1", "2200-01-01T10:00:00+09:00", "email", "allow", "within_working_hours", "low", "JP|2200", "", false},
		{"Tokyo, a working day of 2100: known", "J1", "2100-06-01T10:00:00+09:00", "email", "allow", "within_working_hours", "high", "", "", false},
		{"Tokyo, Culture Day 2026: known", "J1", "2026-11-03T10:00:00+09:00", "email", "defer", "public_holiday", "high", "", "2026-11-04T00:00:00Z", false},
		{"Tokyo, deferred into 2101: the next instant's holidays are unknown", "J1", "2100-12-31T20:00:00+09:00", "email", "defer", "outside_working_hours", "low", "JP|2101", "2101-01-03T00:00:00Z", false},
		{"Bogotá in 2101: Colombia's rules reach 2100", "E1", "2101-03-01T10:00:00-05:00", "teams_call", "allow", "within_working_hours", "low", "CO|2101", "", false},
		{"Colombo in 2027: LK's data ends in 2026, CO still known", "L1", "2027-03-02T10:00:00+05:30", "email", "allow", "within_working_hours", "low", "LK|2027", "", false},
		{"Colombo in 2026: both known", "L1", "2026-03-03T10:00:00+05:30", "email", "allow", "within_working_hours", "high", "", "", false},
		{"Colombo's Christmas 2027: Colombia's holiday is known even so", "L1", "2027-12-25T10:00:00+05:30", "email", "defer", "public_holiday", "low", "LK|2027", "2027-12-27T03:00:00Z", false},
	}
	closed := []row{
		{"Colombo in 2027 under the closed fallback: not worked", "L1", "2027-03-02T10:00:00+05:30", "email", "defer", "holidays_unknown", "low", "LK|2027", "", true},
		{"a call then is refused", "L1", "2027-03-02T10:00:00+05:30", "teams_call", "deny", "holidays_unknown", "low", "LK|2027", "", true},
		{"Colombo in 2026 under the closed fallback: known, worked", "L1", "2026-03-03T10:00:00+05:30", "email", "allow", "within_working_hours", "high", "", "", false},
	}
	run := func(rows []row, mode string) {
		for _, lang := range langs {
			for _, c := range rows {
				name := lang + " " + mode + ": " + c.name
				status, m := f.askIn(lang, "", c.person, url.Values{"at": {c.at}, "channel": {c.channel}})
				codes := reasonCodes(m)
				if status != 200 || m["decision"] != c.decision || len(codes) == 0 || codes[0] != c.first || m["confidence"] != c.confidence ||
					str(m["next_allowed_at"]) != c.next || (m["horizon_reached"] == true) != c.horizon {
					t.Errorf("%s: %d %v %v confidence %v next %v horizon %v; want %s %s %s next %q horizon %v", name, status, m["decision"], codes, m["confidence"], m["next_allowed_at"], m["horizon_reached"], c.decision, c.first, c.confidence, c.next, c.horizon)
					continue
				}
				r := reason(m, "holidays_unknown")
				switch {
				case c.unknown == "" && r != nil:
					t.Errorf("%s: holidays_unknown on a known date: %v", name, r)
				case c.unknown != "" && r == nil:
					t.Errorf("%s: no holidays_unknown reason: %v", name, codes)
				case r != nil:
					cal, year := c.unknown[:2], c.unknown[3:]
					mustContain(t, name, str(r["message"]), cal, year, inLang(lang, "No se conocen los festivos", "are not known"))
					if mode == "closed" {
						mustContain(t, name, str(r["message"]), inLang(lang, "no laborables", "not worked"))
					}
					if r["legal_basis"] != "Ley 2191 de 2022, art. 5" {
						t.Errorf("%s: legal basis %v", name, r["legal_basis"])
					}
				}
			}
		}
	}
	run(flag, "flag")
	f.mustDo(t, req{Method: "PATCH", Path: "/v1/posts/EMB-COLOMBO", Header: map[string]string{"If-Match": "*"}, Body: map[string]any{"holidays_beyond_data": "closed"}}, 200)
	run(closed, "closed")
	res := f.do(req{Method: "PATCH", Path: "/v1/posts/EMB-COLOMBO", Header: map[string]string{"If-Match": "*"}, Body: map[string]any{"holidays_beyond_data": "maybe"}, SkipSpec: true})
	if res.Status != 422 {
		t.Errorf("an unknown fallback: %d %s", res.Status, res.Body)
	}
}
