package api

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// obj is a JSON object, for bodies and expectations.
type obj = map[string]any

var tokyoPost = obj{
	"code": "EMB-TOKYO", "name": "Embajada en Tokio", "kind": "embassy", "country": "JP", "city": "Tokyo",
	"time_zone": "Asia/Tokyo", "calendars": []any{"JP", "CO"},
	"schedule": obj{"mon": []any{"09:00-12:00", "13:00-18:00"}, "fri": []any{"09:00-15:00"}},
}

// fullWeek is how the API writes tokyoPost's schedule back: all seven days.
var fullWeek = obj{"mon": []any{"09:00-12:00", "13:00-18:00"}, "tue": []any{}, "wed": []any{}, "thu": []any{},
	"fri": []any{"09:00-15:00"}, "sat": []any{}, "sun": []any{}}

func week(mon string) obj {
	return obj{"mon": []any{mon}, "tue": []any{}, "wed": []any{}, "thu": []any{}, "fri": []any{}, "sat": []any{}, "sun": []any{}}
}

// mustDo sends r and fails the test unless the status is want.
func (h *harness) mustDo(t *testing.T, r req, want int) *response {
	t.Helper()
	res := h.do(r)
	if res.Status != want {
		t.Fatalf("%s %s → %d, want %d: %s", r.Method, r.Path, res.Status, want, res.Body)
	}
	return res
}

// seed creates posts BOG and EMB-TOKYO and people B1 (BOG) and E1 (Tokyo,
// reporting to B1).
func seed(t *testing.T, h *harness) {
	t.Helper()
	h.mustDo(t, req{Method: "POST", Path: "/v1/posts", Body: tokyoPost}, 201)
	h.mustDo(t, req{Method: "POST", Path: "/v1/posts", Body: obj{"code": "BOG", "name": "Sede", "kind": "headquarters",
		"country": "CO", "time_zone": "America/Bogota", "calendars": []any{"CO"}, "schedule": obj{"mon": []any{"08:00-17:00"}}}}, 201)
	h.mustDo(t, req{Method: "POST", Path: "/v1/people", Body: obj{"external_id": "B1", "full_name": "Beatriz", "email": "b1@example.org", "post": "BOG"}}, 201)
	h.mustDo(t, req{Method: "POST", Path: "/v1/people", Body: obj{"external_id": "E1", "full_name": "Ana Pérez", "email": "ana@example.org", "post": "EMB-TOKYO", "supervisor": "B1"}}, 201)
}

// without returns m without the keys named.
func without(m obj, keys ...string) obj {
	out := obj{}
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func TestPostRoundTrip(t *testing.T) {
	h := newHarness(t)
	res := h.mustDo(t, req{Method: "POST", Path: "/v1/posts", Body: tokyoPost}, 201)
	if got := res.Header.Get("Location"); got != "/v1/posts/EMB-TOKYO" {
		t.Errorf("Location = %q", got)
	}
	if got := res.Header.Get("ETag"); got != `"1"` {
		t.Errorf("ETag = %q, want \"1\"", got)
	}
	want := without(tokyoPost)
	want["holiday_picks"], want["holidays_beyond_data"] = []any{}, "flag"
	want["schedule"] = fullWeek
	want["schedules"] = []any{obj{"effective_from": nil, "schedule": fullWeek}}
	for _, r := range []*response{res, h.mustDo(t, req{Method: "GET", Path: "/v1/posts/EMB-TOKYO"}, 200)} {
		got := r.Map(t)
		if _, ok := got["updated_at"].(string); !ok {
			t.Errorf("updated_at missing: %v", got)
		}
		if diff := cmp.Diff(want, without(got, "updated_at")); diff != "" {
			t.Errorf("post (-want +got):\n%s", diff)
		}
	}
	list := h.mustDo(t, req{Method: "GET", Path: "/v1/posts"}, 200).Map(t)
	if items := list["items"].([]any); len(items) != 1 || list["next_cursor"] != nil {
		t.Errorf("list = %v", list)
	}
}

func TestPersonRoundTrip(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	in := obj{"external_id": "E2", "full_name": "Carlos Ruiz", "email": "carlos@example.org", "post": "BOG",
		"time_zone": "Europe/Madrid", "supervisor": "B1", "exception": "direccion_confianza_manejo",
		"schedule": obj{"mon": []any{"22:00-06:00"}}}
	res := h.mustDo(t, req{Method: "POST", Path: "/v1/people", Body: in}, 201)
	if res.Header.Get("Location") != "/v1/people/E2" || res.Header.Get("ETag") != `"1"` {
		t.Errorf("headers: %v", res.Header)
	}
	want := without(in)
	want["schedule"] = week("22:00-06:00")
	want["schedules"] = []any{obj{"effective_from": nil, "schedule": week("22:00-06:00")}}
	got := h.mustDo(t, req{Method: "GET", Path: "/v1/people/E2"}, 200).Map(t)
	if diff := cmp.Diff(want, without(got, "updated_at")); diff != "" {
		t.Errorf("person (-want +got):\n%s", diff)
	}
	// Defaults: no overrides are null, exception none.
	got = h.mustDo(t, req{Method: "GET", Path: "/v1/people/B1"}, 200).Map(t)
	wantB1 := obj{"external_id": "B1", "full_name": "Beatriz", "email": "b1@example.org", "post": "BOG", "time_zone": nil,
		"supervisor": nil, "exception": "none", "schedule": nil, "schedules": []any{}}
	if diff := cmp.Diff(wantB1, without(got, "updated_at")); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestLeaveRoundTrip(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	h.mustDo(t, req{Method: "POST", Path: "/v1/people", Body: obj{"external_id": "E3", "full_name": "Delegada", "email": "e3@example.org", "post": "EMB-TOKYO"}}, 201)
	tests := []struct {
		name string
		in   obj
		want obj
	}{
		{"whole days", obj{"kind": "vacation", "external_ref": "HR-1", "start_date": "2026-12-01", "end_date": "2026-12-15", "delegate": "E3"},
			obj{"person": "E1", "kind": "vacation", "external_ref": "HR-1", "start_date": "2026-12-01", "end_date": "2026-12-15",
				"starts_at": nil, "ends_at": nil, "local_starts_at": nil, "local_ends_at": nil, "delegate": "E3", "time_zone": nil}},
		{"part of a day", obj{"kind": "study_permission", "starts_at": "2026-12-01T14:00:00-05:00", "ends_at": "2026-12-01T16:00:00-05:00"},
			obj{"person": "E1", "kind": "study_permission", "external_ref": nil, "start_date": nil, "end_date": nil,
				"starts_at": "2026-12-01T19:00:00Z", "ends_at": "2026-12-01T21:00:00Z",
				"local_starts_at": "2026-12-02T04:00:00+09:00", "local_ends_at": "2026-12-02T06:00:00+09:00", "delegate": nil, "time_zone": nil}},
		{"service commission", obj{"kind": "service_commission", "start_date": "2027-01-10", "end_date": "2027-01-12", "time_zone": "Europe/Paris"},
			obj{"person": "E1", "kind": "service_commission", "external_ref": nil, "start_date": "2027-01-10", "end_date": "2027-01-12",
				"starts_at": nil, "ends_at": nil, "local_starts_at": nil, "local_ends_at": nil, "delegate": nil, "time_zone": "Europe/Paris"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.mustDo(t, req{Method: "POST", Path: "/v1/people/E1/leaves", Body: tt.in}, 201)
			created := res.Map(t)
			loc := fmt.Sprintf("/v1/people/E1/leaves/%v", created["id"])
			if res.Header.Get("Location") != loc || res.Header.Get("ETag") != `"1"` {
				t.Errorf("headers: %v", res.Header)
			}
			got := h.mustDo(t, req{Method: "GET", Path: loc}, 200).Map(t)
			if diff := cmp.Diff(tt.want, without(got, "id", "updated_at")); diff != "" {
				t.Errorf("leave (-want +got):\n%s", diff)
			}
		})
	}
	list := h.mustDo(t, req{Method: "GET", Path: "/v1/people/E1/leaves"}, 200).Map(t)
	if n := len(list["items"].([]any)); n != 3 {
		t.Errorf("%d leaves listed, want 3", n)
	}
}

func TestLeaveResentByExternalRefUpdates(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	in := obj{"kind": "vacation", "external_ref": "HR-9", "start_date": "2026-12-01", "end_date": "2026-12-05"}
	first := h.mustDo(t, req{Method: "POST", Path: "/v1/people/E1/leaves", Body: in}, 201).Map(t)
	same := h.mustDo(t, req{Method: "POST", Path: "/v1/people/E1/leaves", Body: in}, 200)
	if same.Header.Get("ETag") != `"1"` || same.Map(t)["id"] != first["id"] {
		t.Errorf("unchanged re-send: %s %s", same.Header.Get("ETag"), same.Body)
	}
	in["end_date"] = "2026-12-09"
	changed := h.mustDo(t, req{Method: "POST", Path: "/v1/people/E1/leaves", Body: in}, 200)
	if m := changed.Map(t); changed.Header.Get("ETag") != `"2"` || m["id"] != first["id"] || m["end_date"] != "2026-12-09" {
		t.Errorf("changed re-send: %s %s", changed.Header.Get("ETag"), changed.Body)
	}
	res := h.do(req{Method: "POST", Path: "/v1/people/B1/leaves", Body: in})
	wantProblem(t, res, 409, "conflict", "external_ref")
	loc := fmt.Sprintf("/v1/people/E1/leaves/%v", first["id"])
	wantProblem(t, h.do(req{Method: "DELETE", Path: loc, Header: map[string]string{"If-Match": `"1"`}}), 412, "precondition_failed", "")
	h.mustDo(t, req{Method: "DELETE", Path: loc, Header: map[string]string{"If-Match": `"2"`}}, 204)
	wantProblem(t, h.do(req{Method: "GET", Path: loc}), 404, "not_found", "")
}

// wantProblem checks a problem's status, code and (when field is not "")
// that one of its errors names field.
func wantProblem(t *testing.T, res *response, status int, code, field string) map[string]any {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	p := res.Map(t)
	if p["code"] != code {
		t.Errorf("code %v, want %s: %s", p["code"], code, res.Body)
	}
	if field == "" {
		return p
	}
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		if e.(map[string]any)["field"] == field {
			return p
		}
	}
	t.Errorf("no error for field %q: %s", field, res.Body)
	return p
}

func TestPatchChangesOnlyWhatIsSent(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	before := h.mustDo(t, req{Method: "GET", Path: "/v1/posts/EMB-TOKYO"}, 200).Map(t)
	res := h.mustDo(t, req{Method: "PATCH", Path: "/v1/posts/EMB-TOKYO", Body: obj{"city": "Osaka"}, Header: map[string]string{"If-Match": `"1"`}}, 200)
	if res.Header.Get("ETag") != `"2"` {
		t.Errorf("ETag after PATCH = %q, want \"2\"", res.Header.Get("ETag"))
	}
	want := without(before, "updated_at")
	want["city"] = "Osaka"
	if diff := cmp.Diff(want, without(res.Map(t), "updated_at")); diff != "" {
		t.Errorf("post (-want +got):\n%s", diff)
	}

	// Person: null clears an optional field, absent leaves it.
	h.mustDo(t, req{Method: "PATCH", Path: "/v1/people/E1", Body: obj{"time_zone": "Asia/Seoul", "schedule": obj{"mon": []any{"10:00-14:00"}}},
		Header: map[string]string{"If-Match": `"1"`}}, 200)
	got := h.mustDo(t, req{Method: "PATCH", Path: "/v1/people/E1", Body: obj{"supervisor": nil, "schedule": nil},
		Header: map[string]string{"If-Match": `"2"`}}, 200).Map(t)
	wantE1 := obj{"external_id": "E1", "full_name": "Ana Pérez", "email": "ana@example.org", "post": "EMB-TOKYO",
		"time_zone": "Asia/Seoul", "supervisor": nil, "exception": "none", "schedule": nil, "schedules": []any{}}
	if diff := cmp.Diff(wantE1, without(got, "updated_at")); diff != "" {
		t.Errorf("person (-want +got):\n%s", diff)
	}
}

func TestPatchPreconditions(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	body := obj{"name": "Nuevo"}
	tests := []struct {
		name    string
		path    string
		ifMatch string
		status  int
		code    string
	}{
		{"post without If-Match", "/v1/posts/BOG", "", 428, "precondition_required"},
		{"person without If-Match", "/v1/people/E1", "", 428, "precondition_required"},
		{"stale", "/v1/posts/BOG", `"7"`, 412, "precondition_failed"},
		{"weak tags never match", "/v1/posts/BOG", `W/"1"`, 412, "precondition_failed"},
		{"not an entity tag", "/v1/posts/BOG", `1`, 400, "malformed"},
		{"missing post", "/v1/posts/NOPE", `"1"`, 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := any(body)
			if strings.HasPrefix(tt.path, "/v1/people") {
				b = obj{"full_name": "Nuevo"}
			}
			hdr := map[string]string{}
			if tt.ifMatch != "" {
				hdr["If-Match"] = tt.ifMatch
			}
			wantProblem(t, h.do(req{Method: "PATCH", Path: tt.path, Body: b, Header: hdr}), tt.status, tt.code, "")
		})
	}
	// A list naming the current version, and *, both match.
	h.mustDo(t, req{Method: "PATCH", Path: "/v1/posts/BOG", Body: body, Header: map[string]string{"If-Match": `"5", "1"`}}, 200)
	h.mustDo(t, req{Method: "PATCH", Path: "/v1/posts/BOG", Body: body, Header: map[string]string{"If-Match": `*`}}, 200)
	got := h.mustDo(t, req{Method: "GET", Path: "/v1/posts/BOG"}, 200)
	if got.Header.Get("ETag") != `"3"` || got.Map(t)["name"] != "Nuevo" {
		t.Errorf("after two patches: %s %s", got.Header.Get("ETag"), got.Body)
	}
}

func TestConcurrentPatchesOneWins(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	for _, path := range []string{"/v1/posts/EMB-TOKYO", "/v1/people/E1"} {
		field := map[bool]string{true: "name", false: "full_name"}[strings.HasPrefix(path, "/v1/posts")]
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := h.do(req{Method: "PATCH", Path: path, Body: obj{field: fmt.Sprintf("Writer %d", i)}, Header: map[string]string{"If-Match": `"1"`}})
				statuses[i] = res.Status
			}()
		}
		wg.Wait()
		if !(statuses[0] == 200 && statuses[1] == 412) && !(statuses[0] == 412 && statuses[1] == 200) {
			t.Errorf("%s: statuses %v, want one 200 and one 412", path, statuses)
		}
		if got := h.mustDo(t, req{Method: "GET", Path: path}, 200).Header.Get("ETag"); got != `"2"` {
			t.Errorf("%s: ETag %s after one successful write", path, got)
		}
	}
}

func TestDeletePostWithPeopleIsRefused(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	p := wantProblem(t, h.do(req{Method: "DELETE", Path: "/v1/posts/EMB-TOKYO"}), 409, "conflict", "")
	if detail, _ := p["detail"].(string); !strings.Contains(detail, "E1") || !strings.Contains(detail, "move them") {
		t.Errorf("detail %q should name E1 and say to move them", detail)
	}
	wantProblem(t, h.do(req{Method: "DELETE", Path: "/v1/people/B1"}), 409, "conflict", "")
	h.mustDo(t, req{Method: "DELETE", Path: "/v1/people/E1", Header: map[string]string{"If-Match": `"1"`}}, 204)
	wantProblem(t, h.do(req{Method: "DELETE", Path: "/v1/posts/EMB-TOKYO", Header: map[string]string{"If-Match": `"9"`}}), 412, "precondition_failed", "")
	h.mustDo(t, req{Method: "DELETE", Path: "/v1/posts/EMB-TOKYO"}, 204)
	wantProblem(t, h.do(req{Method: "GET", Path: "/v1/posts/EMB-TOKYO"}), 404, "not_found", "")
}

func TestScheduleVersionsAreEffectiveDated(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	res := h.mustDo(t, req{Method: "POST", Path: "/v1/posts/EMB-TOKYO/schedules",
		Body: obj{"effective_from": "2027-01-01", "schedule": obj{"mon": []any{"07:00-15:00"}}}}, 201)
	if res.Header.Get("ETag") != `"2"` {
		t.Errorf("ETag %q: adding a version is a write on the post", res.Header.Get("ETag"))
	}
	tests := []struct {
		on   string
		want obj
	}{
		{"", fullWeek}, // today (2026 when this was written; any date before 2027)
		{"?on=2026-12-31", fullWeek},
		{"?on=2027-01-01", week("07:00-15:00")},
	}
	for _, tt := range tests {
		got := h.mustDo(t, req{Method: "GET", Path: "/v1/posts/EMB-TOKYO" + tt.on}, 200).Map(t)
		if diff := cmp.Diff(tt.want, got["schedule"]); diff != "" && (tt.on != "" || today("Asia/Tokyo").Year < 2027) {
			t.Errorf("on %q (-want +got):\n%s", tt.on, diff)
		}
	}
	// PATCH with a date adds a third version; the 2026 answer still holds.
	h.mustDo(t, req{Method: "PATCH", Path: "/v1/posts/EMB-TOKYO", Header: map[string]string{"If-Match": `"2"`},
		Body: obj{"schedule": obj{"mon": []any{"06:00-14:00"}}, "schedule_effective_from": "2027-06-01"}}, 200)
	versions := h.mustDo(t, req{Method: "GET", Path: "/v1/posts/EMB-TOKYO/schedules"}, 200).Map(t)["items"].([]any)
	var froms []any
	for _, v := range versions {
		froms = append(froms, v.(map[string]any)["effective_from"])
	}
	if diff := cmp.Diff([]any{nil, "2027-01-01", "2027-06-01"}, froms); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	got := h.mustDo(t, req{Method: "GET", Path: "/v1/posts/EMB-TOKYO?on=2026-12-31"}, 200).Map(t)
	if diff := cmp.Diff(fullWeek, got["schedule"]); diff != "" {
		t.Errorf("2026 answer changed (-want +got):\n%s", diff)
	}
	// Replacing the version of a date answers 200.
	h.mustDo(t, req{Method: "POST", Path: "/v1/posts/EMB-TOKYO/schedules",
		Body: obj{"effective_from": "2027-01-01", "schedule": obj{"mon": []any{"07:30-15:30"}}}}, 200)
}

func TestPersonScheduleOverrideVersions(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	h.mustDo(t, req{Method: "POST", Path: "/v1/people/E1/schedules", Body: obj{"effective_from": nil, "schedule": obj{"mon": []any{"10:00-18:00"}}}}, 201)
	h.mustDo(t, req{Method: "POST", Path: "/v1/people/E1/schedules", Body: obj{"effective_from": "2027-03-01", "schedule": obj{"mon": []any{"11:00-19:00"}}}}, 201)
	got := h.mustDo(t, req{Method: "GET", Path: "/v1/people/E1?on=2027-02-28"}, 200).Map(t)
	if diff := cmp.Diff(week("10:00-18:00"), got["schedule"]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	items := h.mustDo(t, req{Method: "GET", Path: "/v1/people/E1/schedules"}, 200).Map(t)["items"].([]any)
	if len(items) != 2 {
		t.Errorf("%d override versions, want 2", len(items))
	}
}

func TestCursorPaginationWalksEveryRowOnce(t *testing.T) {
	h := newHarness(t)
	seed(t, h)
	var want []string
	want = append(want, "B1", "E1")
	for i := range 23 {
		id := fmt.Sprintf("P%03d", i)
		post := []string{"BOG", "EMB-TOKYO"}[i%2]
		h.mustDo(t, req{Method: "POST", Path: "/v1/people", Body: obj{"external_id": id, "full_name": id, "email": id + "@example.org", "post": post, "supervisor": "B1"}}, 201)
		want = append(want, id)
	}
	walk := func(query string) []string {
		var got []string
		path := "/v1/people?limit=7" + query
		for pages := 0; pages < 10; pages++ {
			m := h.mustDo(t, req{Method: "GET", Path: path}, 200).Map(t)
			for _, it := range m["items"].([]any) {
				got = append(got, it.(map[string]any)["external_id"].(string))
			}
			next, ok := m["next_cursor"].(string)
			if !ok {
				return got
			}
			path = "/v1/people?limit=7" + query + "&cursor=" + next
		}
		t.Fatal("pagination does not end")
		return nil
	}
	if diff := cmp.Diff(want, walk("")); diff != "" {
		t.Errorf("all people (-want +got):\n%s", diff)
	}
	var tokyo, reports []string
	for i, id := range want[2:] {
		if i%2 == 1 {
			tokyo = append(tokyo, id)
		}
		reports = append(reports, id)
	}
	if diff := cmp.Diff(append([]string{"E1"}, tokyo...), walk("&post=EMB-TOKYO")); diff != "" {
		t.Errorf("by post (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(append([]string{"E1"}, reports...), walk("&supervisor=B1")); diff != "" {
		t.Errorf("by supervisor (-want +got):\n%s", diff)
	}
}

func TestStaffEndpointsAreForHR(t *testing.T) {
	h := newHarness(t)
	wantProblem(t, h.do(req{Method: "GET", Path: "/v1/posts", Token: "-"}), http.StatusUnauthorized, "unauthorized", "")
}
