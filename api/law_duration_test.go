package api

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDurationTable: a call or meeting is allowed only when it ends within
// the allowed window it starts in; each channel has a default length; the
// next allowed instant is one from which the whole contact fits. E1 works
// 08:00-12:00 and 13:00-17:00 in Bogotá; Thursday 26 November 2026.
func TestDurationTable(t *testing.T) {
	f := newLawFixture(t)
	urgent := url.Values{"purpose": {"urgent"}, "requester": {"E1"}, "justification": {"Caída del sistema consular en curso"}}
	cases := []struct {
		name, person, at, channel, duration string
		extra                               url.Values
		decision, first, gotDuration, next  string
	}{
		{"a one-hour meeting at 16:30 runs past the day", "E1", "16:30", "teams_meeting", "PT1H", nil, "deny", "duration_exceeds_window", "PT1H", "2026-11-27T13:00:00Z"},
		{"the default meeting (30 min) at 16:30 fits", "E1", "16:30", "teams_meeting", "", nil, "allow", "within_working_hours", "PT30M", ""},
		{"the default call (15 min) at 16:50 does not fit", "E1", "16:50", "teams_call", "", nil, "deny", "duration_exceeds_window", "PT15M", "2026-11-27T13:00:00Z"},
		{"the default call at 16:45 ends at 17:00: fits", "E1", "16:45", "phone", "", nil, "allow", "within_working_hours", "PT15M", ""},
		{"a meeting at 11:30 would run into lunch: next at 13:00", "E1", "11:30", "teams_meeting", "PT1H", nil, "deny", "duration_exceeds_window", "PT1H", "2026-11-26T18:00:00Z"},
		{"a call said to take no time, at 16:59", "E1", "16:59", "teams_call", "PT0S", nil, "allow", "within_working_hours", "PT0S", ""},
		{"an email takes no time", "E1", "16:59", "email", "", nil, "allow", "within_working_hours", "PT0S", ""},
		{"a long email is held for a window it fits in", "E1", "16:30", "email", "PT1H", nil, "defer", "duration_exceeds_window", "PT1H", "2026-11-27T13:00:00Z"},
		{"after hours: the next start that fits two hours", "E1", "20:00", "teams_meeting", "PT2H", nil, "deny", "outside_working_hours", "PT2H", "2026-11-27T13:00:00Z"},
		{"four hours fill the next morning exactly", "E1", "20:00", "teams_meeting", "PT4H", nil, "deny", "outside_working_hours", "PT4H", "2026-11-27T13:00:00Z"},
		{"four hours and a half fit no window: none within the horizon", "E1", "20:00", "teams_meeting", "PT4H30M", url.Values{"horizon": {"P30D"}}, "deny", "outside_working_hours", "PT4H30M", ""},
		{"an urgent call past the day reaches dirección by exception", "S1", "16:30", "teams_call", "PT1H", urgent, "allow", "duration_exceeds_window", "PT1H", ""},
		{"an urgent call past the day does not reach others", "E1", "16:30", "teams_call", "PT1H", urgent, "deny", "duration_exceeds_window", "PT1H", "2026-11-27T13:00:00Z"},
	}
	for _, lang := range langs {
		for _, c := range cases {
			q := url.Values{"at": {"2026-11-26T" + c.at + ":00-05:00"}, "channel": {c.channel}}
			if c.duration != "" {
				q.Set("duration", c.duration)
			}
			for k, v := range c.extra {
				q[k] = v
			}
			name := lang + ": " + c.name
			status, m := f.askIn(lang, "", c.person, q)
			codes := reasonCodes(m)
			if status != 200 || m["decision"] != c.decision || len(codes) == 0 || codes[0] != c.first || m["duration"] != c.gotDuration || str(m["next_allowed_at"]) != c.next {
				t.Errorf("%s: %d %v %v duration %v next %v; want %s %s %s %q", name, status, m["decision"], codes, m["duration"], m["next_allowed_at"], c.decision, c.first, c.gotDuration, c.next)
				continue
			}
			if r := reason(m, "duration_exceeds_window"); r != nil {
				mustContain(t, name, str(r["message"]), inLang(lang, "no cabe", "does not fit"), "(America/Bogota)")
			}
			if c.extra != nil && c.decision == "allow" && (m["audit_id"] == nil || !slices.Contains(codes, "exception_applied")) {
				t.Errorf("%s: let through without an audited exception: %v", name, m)
			}
		}
	}
}

// TestDurationInBatches: contact-checks weighs each item's duration (or its
// channel's default) and reports a bad one where it stands.
func TestDurationInBatches(t *testing.T) {
	f := newLawFixture(t)
	at := "2026-11-26T16:30:00-05:00"
	for _, lang := range langs {
		hdr := map[string]string{"Accept-Language": lang} // the harness asks for English unless told
		res := f.do(req{Method: "POST", Path: "/v1/contact-checks", Header: hdr, Body: map[string]any{"checks": []map[string]any{
			{"person": "E1", "at": at, "channel": "teams_meeting", "duration": "PT1H"},
			{"person": "E1", "at": at, "channel": "teams_meeting"},
			{"person": "E1", "at": at, "channel": "teams_call", "duration": "soon"},
			{"person": "E1", "at": at, "channel": "teams_call", "duration": "PT25H"},
		}}})
		if res.Status != 200 {
			t.Fatalf("%s: %d %s", lang, res.Status, res.Body)
		}
		rs := res.Map(t)["results"].([]any)
		first, second := rs[0].(map[string]any), rs[1].(map[string]any)
		if first["decision"] != "deny" || reasonCodes(first)[0] != "duration_exceeds_window" || first["next_allowed_at"] != "2026-11-27T13:00:00Z" {
			t.Errorf("%s: the hour-long meeting: %v", lang, first)
		}
		if second["decision"] != "allow" || second["duration"] != "PT30M" {
			t.Errorf("%s: the default meeting: %v", lang, second)
		}
		for i, want := range []string{inLang(lang, "no es una duración ISO 8601", "is not an ISO 8601 duration"), inLang(lang, "debe ser de PT0S a P1D", "must be from PT0S to P1D")} {
			e, _ := rs[2+i].(map[string]any)["error"].(map[string]any)
			if e == nil || e["status"] != float64(422) {
				t.Errorf("%s: item %d: %v, want a 422 in place", lang, 2+i, rs[2+i])
				continue
			}
			fields := e["errors"].([]any)
			mustContain(t, lang, str(fields[0].(map[string]any)["message"]), want)
		}
	}
	for q, want := range map[string]string{"duration=PT25H": "out of range", "duration=1h": "is not an ISO 8601 duration", "duration=-PT1H": "is not an ISO 8601 duration"} {
		res := f.do(req{Method: "GET", Path: "/v1/people/E1/contactability?channel=teams_call&" + q, SkipSpec: true})
		// A bad query parameter is a malformed request (400), as for every parameter.
		if res.Status != 400 || !strings.Contains(string(res.Body), want) {
			t.Errorf("?%s: %d, want 400 saying %q: %s", q, res.Status, want, res.Body)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "PT0S", 15 * time.Minute: "PT15M", 90 * time.Minute: "PT1H30M", 24 * time.Hour: "P1D",
		90 * time.Second: "PT1M30S", 366 * 24 * time.Hour: "P366D", 25 * time.Hour: "PT25H",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
		if back, err := parseDuration(want); err != nil || back != d {
			t.Errorf("parseDuration(%q) = %v, %v", want, back, err)
		}
	}
}
