package api

import (
	"fmt"
	"strings"
	"testing"
)

// TestStaffValidation sends one bad thing per case and checks the status,
// the problem code, the field named and (where it matters) the message.
func TestStaffValidation(t *testing.T) {
	post := func(change obj) obj {
		p := obj{"code": "NEW", "name": "Nuevo", "kind": "consulate", "country": "US", "time_zone": "America/New_York"}
		for k, v := range change {
			p[k] = v
		}
		return p
	}
	person := func(change obj) obj {
		p := obj{"external_id": "N1", "full_name": "Nadia", "email": "n1@example.org", "post": "BOG"}
		for k, v := range change {
			p[k] = v
		}
		return p
	}
	leave := func(change obj) obj {
		l := obj{"kind": "vacation", "start_date": "2026-12-01", "end_date": "2026-12-03"}
		for k, v := range change {
			l[k] = v
		}
		return l
	}
	ifMatch1 := map[string]string{"If-Match": `"1"`}
	tests := []struct {
		name     string
		method   string
		path     string
		body     any
		header   map[string]string
		status   int
		code     string
		field    string
		contains string
	}{
		{"unknown zone", "POST", "/v1/posts", post(obj{"time_zone": "America/Bogata"}), nil, 422, "invalid", "time_zone", `"America/Bogata" is not an IANA time zone; examples: America/Bogota`},
		{"window past 24h", "POST", "/v1/posts", post(obj{"schedule": obj{"mon": []any{"25:00-08:00"}}}), nil, 422, "invalid", "schedule.mon[0]", "25:00"},
		{"overlapping windows", "POST", "/v1/posts", post(obj{"schedule": obj{"tue": []any{"08:00-12:00", "11:00-13:00"}}}), nil, 422, "invalid", "schedule.tue[1]", "overlaps"},
		{"unknown day", "POST", "/v1/posts", post(obj{"schedule": obj{"lun": []any{"08:00-12:00"}}}), nil, 422, "invalid", "schedule.lun", "mon"},
		{"unknown post kind", "POST", "/v1/posts", post(obj{"kind": "palace"}), nil, 422, "invalid", "kind", "consulate"},
		{"bad country", "POST", "/v1/posts", post(obj{"country": "Colombia"}), nil, 422, "invalid", "country", "ISO 3166-1"},
		{"unknown calendar", "POST", "/v1/posts", post(obj{"calendars": []any{"ZZ"}}), nil, 422, "invalid", "calendars[0]", "GET /v1/calendars"},
		{"bad post code", "POST", "/v1/posts", post(obj{"code": "new post"}), nil, 422, "invalid", "code", ""},
		{"NUL in text", "POST", "/v1/posts", post(obj{"name": "Nue\x00vo"}), nil, 422, "invalid", "name", "NUL"},
		{"huge text", "POST", "/v1/posts", post(obj{"city": strings.Repeat("x", 1<<20)}), nil, 422, "invalid", "city", "limit is 200"},
		{"duplicate post code", "POST", "/v1/posts", post(obj{"code": "BOG"}), nil, 409, "conflict", "", "BOG"},
		{"post schedule cannot be removed", "PATCH", "/v1/posts/BOG", obj{"schedule": nil}, ifMatch1, 422, "invalid", "schedule", ""},
		{"post name cannot be null", "PATCH", "/v1/posts/BOG", obj{"name": nil}, ifMatch1, 422, "invalid", "name", ""},
		{"post code cannot change", "PATCH", "/v1/posts/BOG", obj{"code": "BOG2"}, ifMatch1, 422, "invalid", "code", ""},
		{"bad effective date", "PATCH", "/v1/posts/BOG", obj{"schedule": obj{}, "schedule_effective_from": "2027-02-30"}, ifMatch1, 422, "invalid", "schedule_effective_from", ""},
		{"unknown post", "POST", "/v1/people", person(obj{"post": "NOPE"}), nil, 422, "invalid", "post", `"NOPE"`},
		{"unknown supervisor", "POST", "/v1/people", person(obj{"supervisor": "E404"}), nil, 422, "invalid", "supervisor", `"E404"`},
		{"supervisor cycle", "PATCH", "/v1/people/B1", obj{"supervisor": "E1"}, ifMatch1, 422, "invalid", "supervisor", "E1 already reports (directly or indirectly) to B1"},
		{"own supervisor", "PATCH", "/v1/people/B1", obj{"supervisor": "B1"}, ifMatch1, 422, "invalid", "supervisor", ""},
		{"duplicate external_id", "POST", "/v1/people", person(obj{"external_id": "E1"}), nil, 409, "conflict", "", "E1"},
		{"bad email", "POST", "/v1/people", person(obj{"email": "not an address"}), nil, 422, "invalid", "email", ""},
		{"unknown exception", "POST", "/v1/people", person(obj{"exception": "always"}), nil, 422, "invalid", "exception", "disponibilidad_permanente"},
		{"person zone", "POST", "/v1/people", person(obj{"time_zone": "Mars/Olympus"}), nil, 422, "invalid", "time_zone", "IANA"},
		{"end before start", "POST", "/v1/people/E1/leaves", leave(obj{"end_date": "2026-11-30"}), nil, 422, "invalid", "end_date", "before start_date"},
		{"end instant before start", "POST", "/v1/people/E1/leaves", obj{"kind": "study_permission", "starts_at": "2026-12-01T16:00:00Z", "ends_at": "2026-12-01T14:00:00Z"}, nil, 422, "invalid", "ends_at", ""},
		{"unknown leave kind", "POST", "/v1/people/E1/leaves", leave(obj{"kind": "holiday"}), nil, 422, "invalid", "kind", "vacation, sick_leave"},
		{"dates and instants", "POST", "/v1/people/E1/leaves", leave(obj{"starts_at": "2026-12-01T14:00:00Z", "ends_at": "2026-12-01T16:00:00Z"}), nil, 422, "invalid", "start_date", "not both"},
		{"neither dates nor instants", "POST", "/v1/people/E1/leaves", obj{"kind": "vacation"}, nil, 422, "invalid", "start_date", ""},
		{"only a start date", "POST", "/v1/people/E1/leaves", obj{"kind": "vacation", "start_date": "2026-12-01"}, nil, 422, "invalid", "end_date", ""},
		{"bad date", "POST", "/v1/people/E1/leaves", leave(obj{"start_date": "01/12/2026"}), nil, 422, "invalid", "start_date", "YYYY-MM-DD"},
		{"instant without offset", "POST", "/v1/people/E1/leaves", obj{"kind": "study_permission", "starts_at": "2026-12-01T14:00:00", "ends_at": "2026-12-01T16:00:00Z"}, nil, 422, "invalid", "starts_at", "offset"},
		{"delegate is the person", "POST", "/v1/people/E1/leaves", leave(obj{"delegate": "E1"}), nil, 422, "invalid", "delegate", ""},
		{"unknown delegate", "POST", "/v1/people/E1/leaves", leave(obj{"delegate": "E404"}), nil, 422, "invalid", "delegate", `"E404"`},
		{"zone on a vacation", "POST", "/v1/people/E1/leaves", leave(obj{"time_zone": "Asia/Tokyo"}), nil, 422, "invalid", "time_zone", "service_commission"},
		{"free text is refused", "POST", "/v1/people/E1/leaves", leave(obj{"notes": "flu"}), nil, 400, "malformed", "notes", ""},
		{"leave of unknown person", "POST", "/v1/people/E404/leaves", leave(nil), nil, 404, "not_found", "", ""},
		{"bad cursor", "GET", "/v1/people?cursor=bm90LW91cnM", nil, nil, 400, "malformed", "cursor", ""},
		{"cursor of another list", "GET", "/v1/people?cursor=" + *newPager(cursorPosts).cursor("BOG"), nil, nil, 400, "malformed", "cursor", ""},
		{"cursor of another filter", "GET", "/v1/people?post=LIM&cursor=" + *newPager(cursorPeople, "BOG", "").cursor("E1"), nil, nil, 400, "malformed", "cursor", "another filter"},
		{"leave cursor of another person", "GET", "/v1/people/E1/leaves?cursor=" + *newPager(cursorLeaves, "E2").cursor("1"), nil, nil, 400, "malformed", "cursor", "another filter"},
		{"limit too big", "GET", "/v1/posts?limit=1001", nil, nil, 400, "malformed", "limit", ""},
		{"limit zero", "GET", "/v1/people/E1/leaves?limit=0", nil, nil, 400, "malformed", "limit", ""},
		{"bad post filter", "GET", "/v1/people?post=a%00b", nil, nil, 400, "malformed", "post", ""},
		{"odd path", "GET", "/v1/posts/a%00b", nil, nil, 404, "not_found", "", ""},
		{"bad leave id", "GET", "/v1/people/E1/leaves/abc", nil, nil, 404, "not_found", "", ""},
		{"bad on date", "GET", "/v1/posts/BOG?on=tomorrow", nil, nil, 400, "malformed", "on", ""},
	}
	h := newHarness(t)
	seed(t, h)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(req{Method: tt.method, Path: tt.path, Body: tt.body, Header: tt.header, SkipSpec: true})
			p := wantProblem(t, res, tt.status, tt.code, tt.field)
			if tt.contains != "" && !strings.Contains(problemText(p), tt.contains) {
				t.Errorf("problem does not say %q: %v", tt.contains, p)
			}
		})
	}
}

// TestEveryProblemAtOnce checks that one request hears about all its
// problems, not the first.
func TestEveryProblemAtOnce(t *testing.T) {
	h := newHarness(t)
	body := obj{"code": "x", "name": "", "kind": "palace", "country": "co", "time_zone": "Bogota",
		"calendars": []any{"CO", "CO"}, "schedule": obj{"mon": []any{"25:00-08:00", "8-12"}}}
	p := wantProblem(t, h.do(req{Method: "POST", Path: "/v1/posts", Body: body}), 422, "invalid", "")
	var fields []string
	for _, e := range p["errors"].([]any) {
		fields = append(fields, e.(map[string]any)["field"].(string))
	}
	want := "code name kind country time_zone calendars[1] schedule.mon[0] schedule.mon[1]"
	if got := strings.Join(fields, " "); got != want {
		t.Errorf("fields %q, want %q", got, want)
	}
}

// problemText joins a problem's detail and field messages.
func problemText(p map[string]any) string {
	parts := []string{fmt.Sprint(p["detail"])}
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		parts = append(parts, fmt.Sprint(e.(map[string]any)["message"]))
	}
	return strings.Join(parts, "\n")
}
