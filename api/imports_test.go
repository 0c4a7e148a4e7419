package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
	"franja/postgres"
)

const (
	impPostsCSV = `code,name,kind,country,city,time_zone,calendars,schedule
BOG,Bogotá,headquarters,CO,Bogotá,America/Bogota,CO,"mon=08:00-12:00,13:00-17:00;tue=08:00-12:00,13:00-17:00"
TYO,Embajada en Tokio,embassy,JP,Tokyo,Asia/Tokyo,"JP,CO",mon=09:00-18:00
`
	// E2 names E1 as supervisor before E1's own row.
	impPeopleCSV = `external_id,full_name,email,post,supervisor,time_zone,exception
E2,Ana Gómez,ana@example.org,TYO,E1,,
E1,Luis Pérez,luis@example.org,BOG,,,direccion_confianza_manejo
E3,Eva Ruiz,eva@example.org,TYO,E2,Asia/Tokyo,none
`
	impLeavesCSV = `person,kind,external_ref,start_date,end_date,starts_at,ends_at,delegate,time_zone
E1,vacation,LV-1,2026-03-02,2026-03-13,,,E2,
E2,study_permission,LV-2,,,2026-03-03T14:00:00-05:00,2026-03-03T16:00:00-05:00,,
E3,service_commission,LV/2026:3,2026-04-01,2026-04-03,,,,Europe/Madrid
`
	impPostsJSON = `[
 {"code":"BOG","name":"Bogotá","kind":"headquarters","country":"CO","city":"Bogotá","time_zone":"America/Bogota","calendars":["CO"],"schedule":{"mon":["08:00-12:00","13:00-17:00"],"tue":["08:00-12:00","13:00-17:00"]}},
 {"code":"TYO","name":"Embajada en Tokio","kind":"embassy","country":"JP","city":"Tokyo","time_zone":"Asia/Tokyo","calendars":["JP","CO"],"schedule":{"mon":["09:00-18:00"]}}
]`
	impPeopleJSON = `[
 {"external_id":"E2","full_name":"Ana Gómez","email":"ana@example.org","post":"TYO","supervisor":"E1"},
 {"external_id":"E1","full_name":"Luis Pérez","email":"luis@example.org","post":"BOG","exception":"direccion_confianza_manejo"},
 {"external_id":"E3","full_name":"Eva Ruiz","email":"eva@example.org","post":"TYO","supervisor":"E2","time_zone":"Asia/Tokyo","exception":"none"}
]`
	impLeavesJSON = `[
 {"person":"E1","kind":"vacation","external_ref":"LV-1","start_date":"2026-03-02","end_date":"2026-03-13","delegate":"E2"},
 {"person":"E2","kind":"study_permission","external_ref":"LV-2","starts_at":"2026-03-03T14:00:00-05:00","ends_at":"2026-03-03T16:00:00-05:00"},
 {"person":"E3","kind":"service_commission","external_ref":"LV/2026:3","start_date":"2026-04-01","end_date":"2026-04-03","time_zone":"Europe/Madrid"}
]`
)

// impSend posts body to /v1/imports/{kind}.
func impSend(h *harness, kind, contentType, body string, query string) *response {
	h.t.Helper()
	path := "/v1/imports/" + kind
	if query != "" {
		path += "?" + query
	}
	return h.do(req{Method: http.MethodPost, Path: path, Body: body, ContentType: contentType})
}

// impResult decodes a 200 answer, failing on any other status.
func impResult(t *testing.T, res *response) postgres.ImportResult {
	t.Helper()
	if res.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", res.Status, res.Body)
	}
	var out postgres.ImportResult
	res.JSON(t, &out)
	return out
}

// impProblem decodes a problem answer with the wanted status.
func impProblem(t *testing.T, res *response, status int) Problem {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	var p Problem
	res.JSON(t, &p)
	return p
}

func impCounts(r postgres.ImportResult) [3]int { return [3]int{r.Created, r.Updated, r.Unchanged} }

// impCount returns the number of rows of a table.
func impCount(t *testing.T, h *harness, table string) int {
	t.Helper()
	var n int
	if err := h.store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportCSVAndJSON imports posts, people and leave in each format, then
// the same files again (all unchanged), then files with one row changed.
func TestImportCSVAndJSON(t *testing.T) {
	formats := []struct {
		name, contentType  string
		posts, people, lvs string
		change             func(string) string // changes one row of the leave file
	}{
		{"csv", "text/csv; charset=utf-8", impPostsCSV, impPeopleCSV, impLeavesCSV,
			func(s string) string { return strings.Replace(s, "E1,vacation", "E1,sick_leave", 1) }},
		{"json", "application/json", impPostsJSON, impPeopleJSON, impLeavesJSON,
			func(s string) string { return strings.Replace(s, `"kind":"vacation"`, `"kind":"sick_leave"`, 1) }},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			h := newHarness(t)
			files := []struct{ kind, body string }{{"posts", f.posts}, {"people", f.people}, {"leaves", f.lvs}}
			for _, file := range files {
				if got := impCounts(impResult(t, impSend(h, file.kind, f.contentType, file.body, ""))); got != [3]int{len(rowsOf(file.body, f.name)), 0, 0} {
					t.Errorf("%s first import: created/updated/unchanged = %v", file.kind, got)
				}
			}
			for _, file := range files {
				if got := impCounts(impResult(t, impSend(h, file.kind, f.contentType, file.body, ""))); got != [3]int{0, 0, len(rowsOf(file.body, f.name))} {
					t.Errorf("%s re-import = %v, want all unchanged", file.kind, got)
				}
			}
			if got := impCounts(impResult(t, impSend(h, "leaves", f.contentType, f.change(f.lvs), ""))); got != [3]int{0, 1, 2} {
				t.Errorf("modified leaves = %v, want [0 1 2]", got)
			}
			var kind, tz string
			var version int
			const q = `SELECT l.kind, l.version, coalesce((SELECT time_zone FROM leaves WHERE external_ref = 'LV/2026:3'), '') FROM leaves l WHERE external_ref = 'LV-1'`
			if err := h.store.Pool().QueryRow(context.Background(), q).Scan(&kind, &version, &tz); err != nil {
				t.Fatal(err)
			}
			if kind != "sick_leave" || version != 2 || tz != "Europe/Madrid" {
				t.Errorf("stored LV-1 = %s v%d, LV/2026:3 zone %q; want sick_leave v2 and Europe/Madrid", kind, version, tz)
			}
		})
	}
}

// rowsOf returns the data rows of a test file.
func rowsOf(body, format string) []string {
	if format == "csv" {
		return strings.Split(strings.TrimSpace(body), "\n")[1:]
	}
	return strings.Split(strings.TrimSpace(body), "\n")[1:][:strings.Count(body, "\n {")]
}

func TestImportDryRunWritesNothing(t *testing.T) {
	h := newHarness(t)
	got := impResult(t, impSend(h, "posts", "text/csv", impPostsCSV, "dry_run=true"))
	if want := (postgres.ImportResult{DryRun: true, Created: 2, Errors: []domain.FieldError{}}); !cmp.Equal(want, got) {
		t.Errorf("dry run answer %+v, want %+v", got, want)
	}
	if n := impCount(t, h, "posts") + impCount(t, h, "schedules"); n != 0 {
		t.Errorf("a dry run stored %d rows", n)
	}
}

// TestImportEveryBadRow sends files with several bad rows, each wrong in a
// different way, and expects every one listed, and nothing written.
func TestImportEveryBadRow(t *testing.T) {
	tests := []struct {
		name, kind, contentType, body string
		want                          []domain.FieldError
	}{{
		name: "leaves csv", kind: "leaves", contentType: "text/csv",
		body: `person,kind,external_ref,start_date,end_date,starts_at,ends_at,delegate
E1,vacation,OK-1,2026-03-02,2026-03-13,,,
E1,holiday,B-2,2026-03-02,2026-03-13,,,
GHOST,vacation,B-3,2026-02-30,2026-03-01,,,
E2,vacation,B-4,2026-03-05,2026-03-01,,,E2
E2,sick_leave,OK-1,,,2026-03-03T14:00:00,2026-03-03T16:00:00Z,
E3,vacation,B 6,2026-03-01,2026-03-02,2026-03-03T14:00:00Z,,NOBODY
`,
		want: []domain.FieldError{
			{Line: 3, Field: "kind", Message: `"holiday" is not a valid leave kind; use one of ` + strings.Join(names(domain.LeaveKinds), ", ")},
			{Line: 4, Field: "person", Message: `no person has the external_id "GHOST"`},
			{Line: 4, Field: "start_date", Message: `"2026-02-30" is not a date in the form YYYY-MM-DD`},
			{Line: 5, Field: "delegate", Message: "a person cannot be their own delegate"},
			{Line: 5, Field: "end_date", Message: "2026-03-01 is before start_date 2026-03-05 (end_date is inclusive)"},
			{Line: 6, Field: "external_ref", Message: `"OK-1" appears also on line 2; each external_ref may appear once per file`},
			{Line: 6, Field: "starts_at", Message: `"2026-03-03T14:00:00" is not an RFC 3339 instant with offset, e.g. 2026-03-02T14:00:00-05:00`},
			{Line: 7, Field: "delegate", Message: `no person has the external_id "NOBODY"`},
			{Line: 7, Field: "external_ref", Message: `"B 6" is not an external_ref: use 1 to 128 letters, digits, '.', '_', ':', '/' or '-'`},
			{Line: 7, Field: "start_date", Message: "give either start_date and end_date (all-day leave) or starts_at and ends_at (part of a day), not both"},
		},
	}, {
		name: "people json", kind: "people", contentType: "application/json",
		body: `[{"external_id":"N1","full_name":"","email":"no-at-sign","post":"NOPE"},
 {"external_id":"N2","full_name":"N","email":"n2@example.org","post":"BOG","time_zone":"Mars/Olympus","nickname":"x"},
 {"external_id":"N3","full_name":"N","email":"n3@example.org","post":"BOG","schedule":{"mon":["09:00-12:00","11:00-13:00"],"xyz":[]}},
 {"external_id":"N4","full_name":"N","email":"n4@example.org","post":"BOG","exception":7}]`,
		want: []domain.FieldError{
			{Line: 1, Field: "email", Message: `"no-at-sign" is not an email address`},
			{Line: 1, Field: "full_name", Message: "is required"},
			{Line: 1, Field: "post", Message: `no post has the code "NOPE"`},
			{Line: 2, Field: "nickname", Message: "unknown field; the fields of people are external_id, full_name, email, post, time_zone, supervisor, exception, schedule, schedule_from"},
			{Line: 2, Field: "time_zone", Message: `"Mars/Olympus" is not an IANA time zone name, e.g. America/Bogota or Asia/Tokyo`},
			{Line: 3, Field: "schedule.xyz", Message: `unknown day "xyz": use mon, tue, wed, thu, fri, sat or sun`},
			{Line: 4, Field: "exception", Message: "must be a string"},
		},
	}, {
		name: "posts csv", kind: "posts", contentType: "text/csv",
		body: "code,name,kind,country,time_zone,calendars,schedule\n" +
			"bog,B,headquarters,CO,America/Bogota,CO,\n" +
			"MAD,M,embassy,Spain,Europe/Madrid,XX|ES,mon=09:00-14:00;mon=15:00-18:00\n" +
			"LIM,L,consulate,PE,America/Lima,PE,\"mon=09:00-13:00,12:00-14:00\"\n",
		want: []domain.FieldError{
			{Line: 2, Field: "code", Message: `"bog" is not a post code: use 1 to 32 upper-case letters, digits, '-' or '_'`},
			{Line: 3, Field: "calendars", Message: `"XX" is not a base calendar code (see GET /v1/calendars)`},
			{Line: 3, Field: "country", Message: `"Spain" is not an ISO 3166-1 alpha-2 country code (two upper-case letters, e.g. CO)`},
			{Line: 3, Field: "schedule.mon", Message: `day "mon" appears twice`},
			{Line: 4, Field: "schedule.mon[1]", Message: `"12:00-14:00" overlaps "09:00-13:00" on the same day`},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			impResult(t, impSend(h, "posts", "text/csv", impPostsCSV, ""))
			impResult(t, impSend(h, "people", "text/csv", impPeopleCSV, ""))
			before := impCount(t, h, "leaves") + impCount(t, h, "people") + impCount(t, h, "posts")
			p := impProblem(t, impSend(h, tt.kind, tt.contentType, tt.body, ""), http.StatusUnprocessableEntity)
			if diff := cmp.Diff(tt.want, p.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if after := impCount(t, h, "leaves") + impCount(t, h, "people") + impCount(t, h, "posts"); after != before {
				t.Errorf("rows went from %d to %d despite the errors", before, after)
			}
		})
	}
}

func TestImportSupervisorCycleInFile(t *testing.T) {
	h := newHarness(t)
	impResult(t, impSend(h, "posts", "text/csv", impPostsCSV, ""))
	body := "external_id,full_name,email,post,supervisor\n" +
		"A,A,a@example.org,BOG,C\nB,B,b@example.org,BOG,A\nC,C,c@example.org,BOG,B\nD,D,d@example.org,BOG,A\n"
	p := impProblem(t, impSend(h, "people", "text/csv", body, ""), http.StatusUnprocessableEntity)
	var lines []int
	for _, e := range p.Errors {
		if e.Field != "supervisor" || !strings.Contains(e.Message, "cycle") {
			t.Errorf("unexpected error %+v", e)
		}
		lines = append(lines, e.Line)
	}
	if diff := cmp.Diff([]int{2, 3, 4}, lines); diff != "" {
		t.Errorf("lines of the cycle (-want +got):\n%s", diff)
	}
}

// TestImportBadRequests: malformed files and wrong requests are 4xx with a
// message, never 5xx, and write nothing.
func TestImportBadRequests(t *testing.T) {
	tests := []struct {
		name, contentType, body, query string
		status                         int
		wantErrors                     []domain.FieldError
		wantDetail                     string
	}{
		{name: "ragged rows", contentType: "text/csv", body: "code,name,kind,country,time_zone\nBOG,B,headquarters\nTYO,T,embassy,JP,Asia/Tokyo,extra\n",
			status: 422, wantErrors: []domain.FieldError{
				{Line: 2, Field: "row", Message: "has 3 cells but the header names 5 columns"},
				{Line: 3, Field: "row", Message: "has 6 cells but the header names 5 columns"}}},
		{name: "bad quoting", contentType: "text/csv", body: "code,name,kind,country,time_zone\nBOG,\"B\"x,headquarters,CO,America/Bogota\n",
			status: 400, wantDetail: "line 2"},
		{name: "unterminated quote", contentType: "text/csv", body: "code,name,kind,country,time_zone\nBOG,\"B,headquarters,CO,America/Bogota\n",
			status: 400, wantDetail: "line 2"},
		{name: "unknown and missing headers", contentType: "text/csv", body: "code,name,kind,colour\n",
			status: 422, wantErrors: []domain.FieldError{
				{Line: 1, Field: "colour", Message: "unknown column; the columns of posts are code, name, kind, country, city, time_zone, calendars, holiday_picks, holidays_beyond_data, schedule, schedule_from"},
				{Line: 1, Field: "country", Message: "required column missing from the header"},
				{Line: 1, Field: "time_zone", Message: "required column missing from the header"}}},
		{name: "empty csv", contentType: "text/csv", body: "", status: 422,
			wantErrors: []domain.FieldError{{Line: 1, Field: "header", Message: "the first line must name the columns: code,name,kind,country,city,time_zone,calendars,holiday_picks,holidays_beyond_data,schedule,schedule_from"}}},
		{name: "empty json", contentType: "application/json", body: "", status: 422,
			wantErrors: []domain.FieldError{{Field: "body", Message: `send a JSON array of objects, e.g. [{"code":"BOG",…}]`}}},
		{name: "json object", contentType: "application/json", body: `{"items":[]}`, status: 400, wantDetail: "array"},
		{name: "broken json", contentType: "application/json", body: `[{"code":"BOG"`, status: 400},
		{name: "json row not an object", contentType: "application/json", body: `[1]`, status: 422,
			wantErrors: []domain.FieldError{{Line: 1, Field: "row", Message: "must be a JSON object"}}},
		{name: "not UTF-8", contentType: "text/csv", body: "code,name,kind,country,time_zone\nBOG,Bogot\xe1,headquarters,CO,America/Bogota\n", status: 422,
			wantErrors: []domain.FieldError{
				{Line: 2, Field: "name", Message: "is not UTF-8 text (or holds a NUL byte); save the file as UTF-8"},
				{Line: 2, Field: "name", Message: "is required"}}},
		{name: "wrong content type", contentType: "text/plain", body: impPostsCSV, status: 415},
		{name: "no content type", body: impPostsCSV, status: 415},
		{name: "latin-1 charset", contentType: "text/csv; charset=iso-8859-1", body: impPostsCSV, status: 415},
		{name: "bad dry_run", contentType: "text/csv", body: impPostsCSV, query: "dry_run=maybe", status: 400,
			wantErrors: []domain.FieldError{{Field: "dry_run", Message: `"maybe": use true or false`}}},
	}
	h := newHarness(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/v1/imports/posts"
			if tt.query != "" {
				path += "?" + tt.query
			}
			res := h.do(req{Method: http.MethodPost, Path: path, Body: tt.body, ContentType: tt.contentType, SkipSpec: true})
			p := impProblem(t, res, tt.status)
			if diff := cmp.Diff(tt.wantErrors, p.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if !strings.Contains(p.Detail, tt.wantDetail) {
				t.Errorf("detail %q does not mention %q", p.Detail, tt.wantDetail)
			}
		})
	}
	if n := impCount(t, h, "posts"); n != 0 {
		t.Errorf("%d posts stored by bad requests", n)
	}
	// A header alone is a valid, empty import.
	if got := impResult(t, impSend(h, "posts", "text/csv", "code,name,kind,country,time_zone\n", "")); impCounts(got) != [3]int{} {
		t.Errorf("header-only file: %+v", got)
	}
	if got := impResult(t, impSend(h, "posts", "application/json", "[]", "")); impCounts(got) != [3]int{} {
		t.Errorf("empty array: %+v", got)
	}
}

// impRole authenticates every token as a key of one role.
type impRole Role

func (r impRole) Authenticate(context.Context, string) (*Principal, error) {
	return &Principal{Role: Role(r), KeyPrefix: "test"}, nil
}

func TestImportRoles(t *testing.T) {
	base := newHarness(t)
	for _, tt := range []struct {
		role   Role
		status int
	}{{RoleHR, http.StatusOK}, {RoleSupervisor, http.StatusForbidden}, {RoleSystem, http.StatusForbidden}} {
		h := &harness{t: t, store: base.store, handler: New(Config{Store: base.store, Authenticators: []Authenticator{impRole(tt.role)}})}
		res := h.do(req{Method: http.MethodPost, Path: "/v1/imports/posts", Token: "any", Body: impPostsCSV, ContentType: "text/csv"})
		if res.Status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.role, res.Status, tt.status, res.Body)
		}
	}
}

// TestImportLargeLeaveFile sends 20,000 leave rows through the router (the
// COPY path), re-sends them (all unchanged), then sends them with one bad
// row in the middle: 422 naming that line, and nothing changed.
func TestImportLargeLeaveFile(t *testing.T) {
	h := newHarness(t)
	impResult(t, impSend(h, "posts", "text/csv", impPostsCSV, ""))
	var people strings.Builder
	people.WriteString("external_id,full_name,email,post\n")
	for i := range 200 {
		fmt.Fprintf(&people, "P%d,Person %d,p%d@example.org,BOG\n", i, i, i)
	}
	impResult(t, impSend(h, "people", "text/csv", people.String(), ""))
	const n = 20000
	lines := []string{"person,kind,external_ref,start_date,end_date"}
	for i := range n {
		lines = append(lines, fmt.Sprintf("P%d,vacation,HR-%06d,2026-%02d-%02d,2026-%02d-%02d", i%200, i, i%12+1, i%28+1, i%12+1, i%28+1))
	}
	file := strings.Join(lines, "\n") + "\n"
	if got := impCounts(impResult(t, impSend(h, "leaves", "text/csv", file, ""))); got != [3]int{n, 0, 0} {
		t.Fatalf("first import = %v", got)
	}
	if got := impCounts(impResult(t, impSend(h, "leaves", "text/csv", file, ""))); got != [3]int{0, 0, n} {
		t.Fatalf("re-import = %v", got)
	}
	var before, after [2]int64
	const q = `SELECT count(*), sum(version) FROM leaves`
	if err := h.store.Pool().QueryRow(context.Background(), q).Scan(&before[0], &before[1]); err != nil {
		t.Fatal(err)
	}
	lines[10000] = strings.Replace(lines[10000], "vacation", "holiday", 1) // line 10,001
	lines[5] = strings.Replace(lines[5], "vacation", "sick_leave", 1)      // a valid change
	p := impProblem(t, impSend(h, "leaves", "text/csv", strings.Join(lines, "\n"), ""), http.StatusUnprocessableEntity)
	want := []domain.FieldError{{Line: 10001, Field: "kind", Message: `"holiday" is not a valid leave kind; use one of ` + strings.Join(names(domain.LeaveKinds), ", ")}}
	if diff := cmp.Diff(want, p.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if err := h.store.Pool().QueryRow(context.Background(), q).Scan(&after[0], &after[1]); err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Errorf("count and version sum went from %v to %v", before, after)
	}
}
