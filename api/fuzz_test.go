package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The fuzz targets send fuzzed inputs through the real router, on a real
// database holding the access fixture (two reporting chains, a leave, keys
// for every role). One fixture serves a whole target: it is built before
// f.Fuzz, so each worker pays for it once. Their committed corpora live in
// testdata/fuzz/<FuzzName>/ and run with every `go test`.

// fuzzCallers are the roles a fuzzed request may be sent as, by index.
var fuzzCallers = []string{callerAdmin, callerHR, callerSupervisor, callerSystem}

// fuzzSend sends one request as caller (chosen by index) and fails on a 5xx,
// a body that is not JSON, or a body that leaks internals.
func (f *accessFixture) fuzzSend(t *testing.T, who uint8, method string, u *url.URL, contentType string, body []byte) {
	t.Helper()
	r := httptest.NewRequest(method, "/", bytes.NewReader(body))
	r.URL, r.RequestURI = u, u.RequestURI()
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Header.Set("Authorization", "Bearer "+f.tokens[fuzzCallers[int(who)%len(fuzzCallers)]])
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, r)
	if msg := unsafeAnswer(rec.Code, rec.Header(), rec.Body.Bytes()); msg != "" {
		t.Fatalf("%s %s: %s: %s", method, u, msg, rec.Body.Bytes())
	}
}

// unsafeAnswer says what is wrong with an answer to anything a client
// sends ("" when nothing): it must not be a 5xx, must be JSON (a problem
// when it is an error), and must not leak stack traces or SQL.
func unsafeAnswer(status int, h http.Header, body []byte) string {
	if status >= 500 {
		return fmt.Sprintf("status %d", status)
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case status == http.StatusNoContent || status == http.StatusNotModified:
	case mt != "application/json" && mt != "application/problem+json":
		return fmt.Sprintf("status %d with Content-Type %q", status, h.Get("Content-Type"))
	case !json.Valid(body):
		return fmt.Sprintf("status %d with a body that is not JSON", status)
	case status >= 400 && mt != "application/problem+json":
		return fmt.Sprintf("status %d is not a problem", status)
	}
	for _, leak := range []string{"goroutine ", "panic", "SQLSTATE", "pgx", "runtime/", ".go:"} {
		if bytes.Contains(body, []byte(leak)) {
			return fmt.Sprintf("the body leaks %q", leak)
		}
	}
	return ""
}

// decisionURL is a decision endpoint about person with a raw query string.
func decisionURL(person, endpoint, rawQuery string) *url.URL {
	return &url.URL{Path: "/v1/people/" + person + "/" + endpoint, RawQuery: rawQuery}
}

func FuzzContactability(f *testing.F) {
	for _, s := range []struct {
		who           uint8
		person, query string
	}{
		{0, "E2", "at=2026-12-01T10:00:00-05:00"},
		{1, "E1", "at=2026-11-26T10:00:00-05:00&channel=phone&purpose=routine"},
		{2, "E2", "purpose=urgent&justification=el+servidor+se+cayó+y+no+puede+esperar"},
		{3, "F1", "purpose=force_majeure&requester=S2&justification=inundaci%C3%B3n+en+la+sede"},
		{2, "F2", "at=2026-11-26T10:00:00Z"},
		{0, "NOBODY", "horizon=P1098D&official_document=true&channel=whatsapp"},
		{0, "E1", "at=0000-01-01T00:00:00Z&horizon=PT-1H"},
		{0, "E1", "at=2026-02-30T10:00:00Z&horizon=1h"},
		{1, "'; DROP TABLE people; --", "at=%00"},
		{3, "E1", "at=99999-01-01T00:00:00Z&horizon=P99999999D"},
		{0, "E1", "chanel=phone&at=2026-11-26T10:00:00%2B14:00"},
	} {
		f.Add(s.who, s.person, s.query)
	}
	fx := newAccessFixture(f)
	f.Fuzz(func(t *testing.T, who uint8, person, query string) {
		fx.fuzzSend(t, who, "GET", decisionURL(person, "contactability", query), "", nil)
	})
}

func FuzzSlotsAndAvailability(f *testing.F) {
	f.Add(uint8(0), false, "E1", "after=2026-11-26T11:45:00-05:00&duration=PT30M")
	f.Add(uint8(2), true, "E2", "from=2026-11-26T00:00:00-05:00&to=2026-11-28T00:00:00-05:00")
	f.Add(uint8(3), true, "E1", "from=2026-11-28T00:00:00Z&to=2026-11-26T00:00:00Z")
	f.Add(uint8(1), false, "E1", "duration=PT0S&horizon=P0D")
	f.Add(uint8(0), false, "E1", "duration=P99999D&after=2200-12-31T23:59:59Z")
	f.Add(uint8(0), true, "E1", "from=1900-01-01T00:00:00Z&to=2200-01-01T00:00:00Z")
	fx := newAccessFixture(f)
	f.Fuzz(func(t *testing.T, who uint8, availability bool, person, query string) {
		endpoint := "next-slot"
		if availability {
			endpoint = "availability"
		}
		fx.fuzzSend(t, who, "GET", decisionURL(person, endpoint, query), "", nil)
	})
}

func FuzzContactChecks(f *testing.F) {
	for _, s := range []string{
		`{"checks":[{"person":"E1","at":"2026-11-26T10:00:00-05:00"},{"person":"E2","channel":"phone"}]}`,
		`{"checks":[{"person":"E2","purpose":"urgent","requester":"S1","justification":"no puede esperar a mañana"}]}`,
		`{"checks":[{"person":"F1","at":"0000-01-01T00:00:00Z"},{"person":"E1","at":"2026-02-30T10:00:00Z"},{}]}`,
		`{"checks":[1,"x",null,[],{"person":null}]}`,
		`{"checks":[{"person":"E1","horizon":"P99999999D"}]}`,
		`{"checks":null}`,
		`{"checks":[{"person":"E1","official_document":"yes"}]}`,
		`{"checks":[{"person":"E1"}],"extra":1}`,
		`[]`,
		`{"checks":[{"person":"E1"`,
	} {
		f.Add(uint8(0), []byte(s))
	}
	fx := newAccessFixture(f)
	f.Fuzz(func(t *testing.T, who uint8, body []byte) {
		fx.fuzzSend(t, who, "POST", &url.URL{Path: "/v1/contact-checks"}, "application/json", body)
	})
}

func FuzzMeetingSlots(f *testing.F) {
	for _, s := range []string{
		`{"people":["E1","E2"],"duration":"PT1H","from":"2026-11-30T00:00:00Z","to":"2026-12-01T00:00:00Z","limit":3,"granularity":"PT30M"}`,
		`{"people":["E1","F1"],"duration":"PT30M","from":"2026-11-30T00:00:00Z","to":"2026-12-01T00:00:00Z"}`,
		`{"people":[],"duration":"PT-1H","from":"0000-01-01T00:00:00Z","to":"99999-01-01T00:00:00Z"}`,
		`{"people":["E1"],"duration":"PT1M","from":"2026-01-01T00:00:00Z","to":"2026-12-31T00:00:00Z","granularity":"PT1M","limit":-1}`,
		`{"people":["E1"],"duration":"P99999999D","granularity":"PT0S"}`,
		`{"people":"E1"}`,
	} {
		f.Add(uint8(0), []byte(s))
	}
	fx := newAccessFixture(f)
	f.Fuzz(func(t *testing.T, who uint8, body []byte) {
		fx.fuzzSend(t, who, "POST", &url.URL{Path: "/v1/meeting-slots"}, "application/json", body)
	})
}

func FuzzImportLeavesCSV(f *testing.F) {
	for _, s := range []string{
		"person,kind,external_ref,start_date,end_date,starts_at,ends_at,delegate,time_zone\nE1,vacation,LV-1,2026-03-02,2026-03-13,,,E2,\n",
		"person,kind,external_ref,start_date,end_date,starts_at,ends_at\nE2,study_permission,LV-2,,,2026-03-03T14:00:00-05:00,2026-03-03T16:00:00-05:00\n",
		"person,kind,external_ref,start_date,end_date\nE1,vacation,LV-3,0000-01-01,99999-12-31\nE1,vacation,LV-4,2026-02-30,2026-03-01\n",
		"person,kind,external_ref,start_date,end_date\nE1,vacation,LV-5,2026-03-13,2026-03-02\n",
		"person,kind,external_ref,start_date\n\"E1,vacation\n",
		"\xef\xbb\xbfperson,kind,external_ref,start_date,end_date,time_zone\nE1,sick_leave,'; DROP TABLE leaves; --,2026-03-02,2026-03-02,Mars/Olympus\n",
		"person,person,kind,external_ref\nE1,E1,vacation,x\n",
		"",
	} {
		f.Add(false, []byte(s))
	}
	fx := newAccessFixture(f)
	f.Fuzz(func(t *testing.T, dryRun bool, body []byte) {
		u := &url.URL{Path: "/v1/imports/leaves"}
		if dryRun {
			u.RawQuery = "dry_run=true"
		}
		fx.fuzzSend(t, 1, "POST", u, "text/csv", body)
	})
}

func FuzzImportPeopleJSON(f *testing.F) {
	for _, s := range []string{
		`[{"external_id":"N1","full_name":"Ana Gómez","email":"ana@example.org","post":"BOG","supervisor":"E1"}]`,
		`[{"external_id":"N2","full_name":"Luis","email":"luis@example.org","post":"BOG","exception":"direccion_confianza_manejo","time_zone":"Asia/Tokyo"}]`,
		`[{"external_id":"E1","full_name":"Persona E1","email":"e1@example.org","post":"BOG","supervisor":"E2"}]`,
		`[{"external_id":"N3","full_name":"x","email":"not-an-email","post":"NOPE","schedule":{"mon":["25:00-26:00"]}}]`,
		`[{"external_id":"N4","full_name":"x","email":"x@example.org","post":"BOG","schedule":"mon=08:00-12:00","schedule_from":"0000-01-01"}]`,
		`[1,null,"x",[],{"external_id":{}}]`,
		`{"external_id":"N5"}`,
		`[{"external_id":"N6"`,
		`[{"external_id":"N7","unknown":true}]`,
	} {
		f.Add(true, []byte(s))
	}
	fx := newAccessFixture(f)
	f.Fuzz(func(t *testing.T, dryRun bool, body []byte) {
		u := &url.URL{Path: "/v1/imports/people"}
		if dryRun {
			u.RawQuery = "dry_run=true"
		}
		fx.fuzzSend(t, 1, "POST", u, "application/json", body)
	})
}

// FuzzReadEndpoints sends every documented GET under /v1 with a fuzzed
// value in its first path parameter (the others from the fixture) and a
// fuzzed query string.
func FuzzReadEndpoints(f *testing.F) {
	for _, s := range []struct {
		who, route     uint8
		segment, query string
	}{
		{0, 0, "BOG", ""}, {1, 1, "CO", "year=2026"}, {2, 2, "E2", "limit=5"}, {3, 3, "BOG", "on=2026-02-30"},
		{0, 4, "a\x00b", "cursor=%ff"}, {0, 5, "\xff", "x=1"}, {1, 6, "../..", "limit=0"}, {0, 7, "99999999999999999999", "year=99999"},
	} {
		f.Add(s.who, s.route, s.segment, s.query)
	}
	var gets []documentedOp
	for _, op := range documentedOps(f) {
		if op.Method == "GET" && strings.Contains(op.Path, "{") {
			f.Add(uint8(0), uint8(len(gets)), "a\x00b", "") // NUL once reached PostgreSQL
			gets = append(gets, op)
		}
	}
	fx := newAccessFixture(f)
	f.Fuzz(func(t *testing.T, who, route uint8, segment, query string) {
		op := gets[int(route)%len(gets)]
		param := op.Path[strings.Index(op.Path, "{"):]
		param = param[:strings.Index(param, "}")+1]
		op.Path = strings.Replace(op.Path, param, segment, 1)
		fx.fuzzSend(t, who, "GET", &url.URL{Path: fx.pathFor(op), RawQuery: query}, "", nil)
	})
}

// FuzzStaffWrites posts fuzzed JSON to the endpoints that create staff
// data, keys and holidays.
func FuzzStaffWrites(f *testing.F) {
	paths := []string{"/v1/posts", "/v1/people", "/v1/people/E1/leaves", "/v1/posts/BOG/schedules", "/v1/people/E1/schedules", "/v1/posts/BOG/closures", "/v1/posts/BOG/exclusions", "/v1/api-keys"}
	for i, s := range []string{
		`{"code":"LIM","name":"Embajada en Lima","kind":"embassy","country":"PE","time_zone":"America/Lima","calendars":["CO"],"schedule":{"mon":["09:00-17:00"]}}`,
		`{"external_id":"N1","full_name":"Ana","email":"ana@example.org","post":"BOG","supervisor":"E1"}`,
		`{"kind":"vacation","external_ref":"V-9","start_date":"2026-12-01","end_date":"2026-12-02","delegate":"E2"}`,
		`{"effective_from":"2026-12-01","schedule":{"mon":["07:00-15:00"],"tue":["22:00-06:00"]}}`,
		`{"effective_from":null,"schedule":{"sun":["00:00-24:00"]}}`,
		`{"date":"2026-12-24","name":"Nochebuena"}`,
		`{"date":"2026-12-31"}`,
		`{"name":"robot","role":"supervisor","person":"E1","expires_at":"2099-01-01T00:00:00Z"}`,
	} {
		f.Add(uint8(0), uint8(i), []byte(s))
	}
	fx := newAccessFixture(f)
	f.Fuzz(func(t *testing.T, who, path uint8, body []byte) {
		fx.fuzzSend(t, who, "POST", &url.URL{Path: paths[int(path)%len(paths)]}, "application/json", body)
	})
}

// TestUnsafeAnswer keeps the fuzz targets' oracle honest: it must refuse
// what they exist to find, and pass ordinary answers.
func TestUnsafeAnswer(t *testing.T) {
	js := http.Header{"Content-Type": {"application/json"}}
	pj := http.Header{"Content-Type": {"application/problem+json"}}
	for _, tt := range []struct {
		name   string
		status int
		h      http.Header
		body   string
		unsafe bool
	}{
		{"a 200", 200, js, `{"decision":"allow"}`, false},
		{"a 422 problem", 422, pj, `{"code":"invalid"}`, false},
		{"a 204", 204, http.Header{}, ``, false},
		{"a 500", 500, pj, `{}`, true},
		{"not JSON", 200, js, `{"a":`, true},
		{"plain text", 400, http.Header{"Content-Type": {"text/plain"}}, `bad`, true},
		{"a 4xx that is no problem", 422, js, `{}`, true},
		{"a stack", 400, pj, `{"detail":"goroutine 1 [running]"}`, true},
		{"SQL", 400, pj, `{"detail":"ERROR: syntax error (SQLSTATE 42601)"}`, true},
	} {
		if got := unsafeAnswer(tt.status, tt.h, []byte(tt.body)); (got != "") != tt.unsafe {
			t.Errorf("%s: unsafeAnswer = %q, want unsafe=%v", tt.name, got, tt.unsafe)
		}
	}
}
