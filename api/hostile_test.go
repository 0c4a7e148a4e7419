package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// injections are what an attacker puts in identifiers and parameters.
var injections = []string{
	"'; DROP TABLE people; --",
	"E1' OR '1'='1",
	"../../etc/passwd",
	"%00",
	"\x00",
	"Ω≈ç√ 🇨🇴 \u202e gnp.exe",
	strings.Repeat("A", 10<<10),
	"<script>alert(1)</script>",
	"-1",
	"99999999999999999999",
	"$(reboot)",
	"%",
}

// hostile sends a request as admin straight to the handler: hostile
// requests are off the OpenAPI document by design, so only the answer's
// safety is checked here. contentLength -1 streams the body unannounced.
func (f *accessFixture) hostile(t *testing.T, method, target, contentType string, body []byte, contentLength int64) (int, []byte) {
	t.Helper()
	return f.hostileWith(t, method, target, contentType, nil, body, contentLength)
}

// hostileWith is hostile with extra headers.
func (f *accessFixture) hostileWith(t *testing.T, method, target, contentType string, header map[string]string, body []byte, contentLength int64) (int, []byte) {
	t.Helper()
	u, err := url.ParseRequestURI(target)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	r := httptest.NewRequest(method, "/", bytes.NewReader(body))
	r.URL, r.RequestURI = u, target
	if contentLength != 0 {
		r.ContentLength = contentLength
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Header.Set("Authorization", "Bearer "+testAdminToken)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, r)
	if msg := unsafeAnswer(rec.Code, rec.Header(), rec.Body.Bytes()); msg != "" {
		t.Errorf("%s %.200s: %s: %.500s", method, target, msg, rec.Body.Bytes())
	}
	return rec.Code, rec.Body.Bytes()
}

// dbDigest fingerprints every table a request could change (all but the
// access log, which reads append to by design).
func dbDigest(t *testing.T, h *harness) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := h.store.Pool().Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT IN ('access_log', 'franja_chain_heads', 'schema_migrations') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 5 {
		t.Fatalf("tables %v: %v", tables, err)
	}
	out := map[string]string{}
	for _, name := range tables {
		var d string
		q := fmt.Sprintf(`SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %s t`, pgx.Identifier{name}.Sanitize())
		if err := h.store.Pool().QueryRow(ctx, q).Scan(&d); err != nil {
			t.Fatal(err)
		}
		out[name] = d
	}
	return out
}

// unchanged fails the test if the database differs from before.
func unchanged(t *testing.T, h *harness, before map[string]string) {
	t.Helper()
	if diff := cmp.Diff(before, dbDigest(t, h)); diff != "" {
		t.Errorf("hostile requests changed the database (-before +after):\n%s", diff)
	}
}

func is4xx(status int) bool { return status >= 400 && status < 500 }

// TestInjectionInEveryPathParameter puts each injection in each path
// parameter of every operation, the others left valid: each is a 4xx, and
// nothing changes (a DELETE aimed at a bad id deletes nothing).
func TestInjectionInEveryPathParameter(t *testing.T) {
	f := newAccessFixture(t)
	before := dbDigest(t, f.harness)
	for _, op := range documentedOps(t) {
		for _, param := range []string{"{code}", "{external_id}", "{id}", "{year}", "{date}"} {
			if !strings.Contains(op.Path, param) {
				continue
			}
			for _, inj := range injections {
				hostileOp := op
				hostileOp.Path = strings.Replace(op.Path, param, url.PathEscape(inj), 1)
				r := f.requestFor(hostileOp)
				body, ct := requestBytes(t, r)
				status, res := f.hostile(t, r.Method, r.Path, ct, body, 0)
				if !is4xx(status) {
					t.Errorf("%s %s with %s = %.40q: %d, want 4xx: %.300s", op.Method, op.Path, param, inj, status, res)
				}
			}
		}
	}
	unchanged(t, f.harness, before)
}

// requestBytes is the body and content type req.Body stands for.
func requestBytes(t *testing.T, r req) ([]byte, string) {
	switch b := r.Body.(type) {
	case nil:
		return nil, r.ContentType
	case string:
		return []byte(b), r.ContentType
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return j, "application/json"
	}
}

// loadDoc parses openapi.yaml.
func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// docQueryParams lists the query parameters the document declares for op.
func docQueryParams(doc *openapi3.T, op documentedOp) []string {
	item := doc.Paths.Value(op.Path)
	params := append(slices.Clone(item.Parameters), item.GetOperation(op.Method).Parameters...)
	var names []string
	for _, p := range params {
		if p.Value != nil && p.Value.In == "query" {
			names = append(names, p.Value.Name)
		}
	}
	return names
}

// freeTextFilters are query parameters that filter by a value anyone may
// name: an injection there finds nothing (200, empty) instead of failing.
// So are requester and justification on a routine question, which does not
// use them.
var freeTextFilters = map[string]bool{
	"listAudit requester": true, "listAudit person": true,
	"listPeople post": true, "listPeople supervisor": true,
	"contactability requester": true, "contactability justification": true,
	"listContacts person": true, "listContacts requester": true,
}

// TestInjectionInEveryQueryParameter puts each injection in each query
// parameter the document declares for every GET, and an unknown parameter
// on each: a 4xx every time (a free-text filter may answer an empty 200).
func TestInjectionInEveryQueryParameter(t *testing.T) {
	f := newAccessFixture(t)
	before := dbDigest(t, f.harness)
	doc := loadDoc(t)
	for _, op := range documentedOps(t) {
		if op.Method != "GET" || !strings.HasPrefix(op.Path, "/v1/") {
			continue // the public operations serve fixed documents
		}
		base := f.requestFor(op)
		path, rawQuery, _ := strings.Cut(base.Path, "?")
		for _, name := range append(docQueryParams(doc, op), "x'; DROP TABLE people; --") {
			for _, inj := range injections {
				q, err := url.ParseQuery(rawQuery)
				if err != nil {
					t.Fatal(err)
				}
				q.Set(name, inj)
				status, res := f.hostile(t, "GET", path+"?"+q.Encode(), "", nil, 0)
				ok := is4xx(status) || (status == 200 && freeTextFilters[op.ID+" "+name])
				if !ok {
					t.Errorf("GET %s?%s=%.40q: %d, want 4xx: %.300s", op.Path, name, inj, status, res)
				}
			}
		}
	}
	unchanged(t, f.harness, before)
}

// TestHostileBodies sends every operation with a body a 20 MB body (told and
// untold), broken JSON, an unknown field and broken CSV: 413, 400, 400 and
// a 4xx, and nothing changes.
func TestHostileBodies(t *testing.T) {
	f := newAccessFixture(t)
	before := dbDigest(t, f.harness)
	huge := append(append([]byte(`{"name":"`), bytes.Repeat([]byte("a"), 20<<20)...), `"}`...)
	for _, op := range documentedOps(t) {
		if op.Method != "POST" && op.Method != "PUT" && op.Method != "PATCH" {
			continue
		}
		r := f.requestFor(op)
		_, ct := requestBytes(t, r)
		name := op.Method + " " + op.Path
		var hdr map[string]string
		if op.Method == "PATCH" { // the current version, so only the body is at fault
			hdr = map[string]string{"If-Match": f.do(req{Method: "GET", Path: r.Path}).Header.Get("ETag")}
		}
		send := func(body []byte, length int64) (int, []byte) {
			return f.hostileWith(t, r.Method, r.Path, ct, hdr, body, length)
		}
		isImport := strings.HasPrefix(op.Path, "/v1/imports/")
		big := huge
		if isImport {
			// Imports legitimately take 200,000 rows (tens of MB): their
			// limit is the server's, 32 MiB.
			big = bytes.Repeat([]byte("a"), 33<<20)
		}
		for _, length := range []int64{0, -1} {
			if status, res := send(big, length); status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s, %d MB (length %d): %d, want 413: %.300s", name, len(big)>>20, length, status, res)
			}
		}
		if isImport {
			if status, res := send(huge, -1); !is4xx(status) {
				t.Errorf("%s, 20 MB of nonsense: %d, want 4xx: %.300s", name, status, res)
			}
		}
		if ct == "text/csv" {
			for _, broken := range []string{"\"unterminated,\n", "a,b\n\"x\"y,z\n", "\x00\xff\xfe", ""} {
				if status, res := send([]byte(broken), 0); !is4xx(status) {
					t.Errorf("%s, broken CSV %q: %d, want 4xx: %.300s", name, broken, status, res)
				}
			}
			continue
		}
		for _, tt := range []struct {
			body   string
			status int
		}{{`{"a":`, 400}, {`{"zzz_unknown":1}`, 400}, {`{} {}`, 400}, {`not json`, 400}, {`["x"]`, 400}} {
			if status, res := send([]byte(tt.body), 0); status != tt.status && !(isImport && is4xx(status)) {
				t.Errorf("%s, body %s: %d, want %d: %.300s", name, tt.body, status, tt.status, res)
			}
		}
	}
	// NUL and broken UTF-8 inside JSON strings: PostgreSQL cannot store them.
	for _, tt := range []struct{ path, body string }{
		{"/v1/posts", `{"code":"NUL","name":"Sede\u0000","kind":"other","country":"CO","time_zone":"America/Bogota"}`},
		{"/v1/people", `{"external_id":"N\u0000","full_name":"Ana","email":"ana@example.org","post":"BOG"}`},
		{"/v1/people", "{\"external_id\":\"N1\",\"full_name\":\"Ana \xff\xfe\",\"email\":\"ana@example.org\",\"post\":\"BOG\"}"},
		{"/v1/people/E1/leaves", `{"kind":"vacation","external_ref":"X\u0000","start_date":"2026-12-01","end_date":"2026-12-02"}`},
		{"/v1/posts/BOG/closures", `{"date":"2026-12-24","name":"\u0000"}`},
		{"/v1/api-keys", `{"name":"\u0000","role":"hr"}`},
		{"/v1/imports/people", `[{"external_id":"N\u0000","full_name":"Ana","email":"ana@example.org","post":"BOG"}]`},
		{"/v1/contact-checks", `{"checks":[{"person":"E1\u0000"}]}`},
		{"/v1/meeting-slots", `{"people":["E1\u0000"],"duration":"PT30M","from":"2026-11-30T00:00:00Z","to":"2026-12-01T00:00:00Z"}`},
	} {
		status, res := f.hostile(t, "POST", tt.path, "application/json", []byte(tt.body), 0)
		if tt.path == "/v1/contact-checks" && status == 200 {
			status = batchItemStatus(t, res)
		}
		if !is4xx(status) {
			t.Errorf("POST %s %q: %d, want 4xx: %.300s", tt.path, tt.body, status, res)
		}
	}
	unchanged(t, f.harness, before)
}

// TestAbsurdDatesAndDurations: year 0, year 99999, 30 February, and
// durations that are huge, negative or not ISO 8601, wherever a date, an
// instant or a duration is taken. Each is a 4xx and changes nothing.
func TestAbsurdDatesAndDurations(t *testing.T) {
	f := newAccessFixture(t)
	before := dbDigest(t, f.harness)
	instants := []string{"0000-01-01T00:00:00Z", "99999-01-01T00:00:00Z", "2026-02-30T10:00:00-05:00", "2026-11-26T25:00:00Z", "2026-11-26T10:00:00+99:00"}
	dates := []string{"0000-01-01", "99999-01-01", "2026-02-30", "2026-13-01", "26-11-26"}
	durations := []string{"P99999999D", "PT-1H", "1h", "PT0S", "P", "-P1D", "PT1.5H"}
	type hostileReq struct{ method, path, body string }
	var reqs []hostileReq
	get := func(path string, vals ...string) {
		for _, v := range vals {
			reqs = append(reqs, hostileReq{"GET", strings.ReplaceAll(path, "%v", url.QueryEscape(v)), ""})
		}
	}
	post := func(method, path, body string, vals ...string) {
		for _, v := range vals {
			reqs = append(reqs, hostileReq{method, path, strings.ReplaceAll(body, "%v", v)})
		}
	}
	get("/v1/people/E1/contactability?at=%v", instants...)
	get("/v1/people/E1/contactability?horizon=%v", durations...)
	get("/v1/people/E1/next-slot?after=%v", instants...)
	get("/v1/people/E1/next-slot?duration=%v", durations...)
	get("/v1/people/E1/next-slot?horizon=%v", durations...)
	get("/v1/people/E1/availability?from=%v&to=2026-11-28T00:00:00Z", instants...)
	get("/v1/people/E1/availability?from=2026-11-26T00:00:00Z&to=%v", instants...)
	get("/v1/posts/BOG?on=%v", dates...)
	get("/v1/calendars/CO/holidays?year=%v", "0", "99999", "-1", "2026.5")
	get("/v1/posts/BOG/holidays?year=%v", "0", "99999")
	get("/v1/audit/exceptions?from=%v", instants...)
	get("/v1/reports/exceptions?month=%v", "0000-01", "99999-01", "2026-13", "2026-00")
	post("POST", "/v1/contact-checks", `{"checks":[{"person":"E1","at":"%v"}]}`, instants...)
	post("POST", "/v1/meeting-slots", `{"people":["E1"],"duration":"%v","from":"2026-11-30T00:00:00Z","to":"2026-12-01T00:00:00Z"}`, durations...)
	post("POST", "/v1/meeting-slots", `{"people":["E1"],"duration":"PT30M","from":"%v","to":"2026-12-01T00:00:00Z"}`, instants...)
	post("POST", "/v1/meeting-slots", `{"people":["E1"],"duration":"PT30M","granularity":"%v","from":"2026-11-30T00:00:00Z","to":"2026-12-01T00:00:00Z"}`, durations...)
	post("POST", "/v1/people/E1/leaves", `{"kind":"vacation","external_ref":"ABS","start_date":"%v","end_date":"2026-12-04"}`, dates...)
	post("POST", "/v1/people/E1/leaves", `{"kind":"vacation","external_ref":"ABS","start_date":"2026-12-01","end_date":"%v"}`, dates...)
	post("POST", "/v1/people/E1/leaves", `{"kind":"study_permission","external_ref":"ABS","starts_at":"%v","ends_at":"2026-11-26T16:00:00-05:00"}`, instants...)
	post("POST", "/v1/posts/BOG/schedules", `{"effective_from":"%v","schedule":{"mon":["08:00-12:00"]}}`, dates...)
	post("POST", "/v1/people/E1/schedules", `{"effective_from":"%v","schedule":{"mon":["08:00-12:00"]}}`, dates...)
	post("POST", "/v1/posts/BOG/closures", `{"date":"%v","name":"Cierre"}`, dates...)
	post("POST", "/v1/calendars/CO/closures", `{"date":"%v","name":"Cierre"}`, dates...)
	post("POST", "/v1/posts/BOG/exclusions", `{"date":"%v"}`, dates...)
	post("PUT", "/v1/calendars/CO/holidays/2026", "date,name\n%v,Fiesta\n", dates...)
	post("PUT", "/v1/posts/BOG/holidays/2026", "date,name\n%v,Fiesta\n", dates...)
	post("POST", "/v1/api-keys", `{"name":"x","role":"hr","expires_at":"%v"}`, instants...)
	post("POST", "/v1/imports/leaves", "person,kind,external_ref,start_date,end_date\nE1,vacation,ABS,%v,2026-12-04\n", dates...)
	for _, y := range []string{"0", "99999", "-1", "2026.5"} {
		reqs = append(reqs, hostileReq{"PUT", "/v1/calendars/CO/holidays/" + y, "date,name\n2026-12-31,Fiesta\n"})
		reqs = append(reqs, hostileReq{"PUT", "/v1/posts/BOG/holidays/" + y, "date,name\n2026-12-31,Fiesta\n"})
	}
	for _, r := range reqs {
		ct := ""
		switch {
		case strings.HasPrefix(r.body, "{"):
			ct = "application/json"
		case r.body != "":
			ct = "text/csv"
		}
		status, res := f.hostile(t, r.method, r.path, ct, []byte(r.body), 0)
		if r.path == "/v1/contact-checks" && status == 200 {
			status = batchItemStatus(t, res) // a bad check is answered in place
		}
		if !is4xx(status) {
			t.Errorf("%s %s %s: %d, want 4xx: %.300s", r.method, r.path, r.body, status, res)
		}
	}
	unchanged(t, f.harness, before)
}

// batchItemStatus is the status of the error a one-check batch answered
// with (200 when it answered a decision).
func batchItemStatus(t *testing.T, body []byte) int {
	t.Helper()
	var out struct {
		Results []struct{ Error *Problem }
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Results) != 1 {
		t.Fatalf("a one-check batch answered %s (%v)", body, err)
	}
	if out.Results[0].Error == nil {
		return 200
	}
	return out.Results[0].Error.Status
}

// TestQueryParamTableMatchesDocument: withKnownQuery's table and the query
// parameters openapi.yaml declares are the same, operation by operation.
func TestQueryParamTableMatchesDocument(t *testing.T) {
	doc := loadDoc(t)
	documented := map[string][]string{}
	for _, op := range documentedOps(t) {
		if names := docQueryParams(doc, op); strings.HasPrefix(op.Path, "/v1/") && len(names) > 0 {
			slices.Sort(names)
			documented[op.Method+" "+op.Path] = names
		}
	}
	served := map[string][]string{}
	for k, names := range queryParams {
		served[k] = slices.Sorted(slices.Values(names))
	}
	if diff := cmp.Diff(documented, served); diff != "" {
		t.Errorf("query parameters (-openapi.yaml +queryParams):\n%s", diff)
	}
}
