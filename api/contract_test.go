package api

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// raw sends a request through h's router as it is, without the OpenAPI
// checks of do (for methods the document does not list: HEAD, OPTIONS).
func (h *harness) raw(method, path string, header map[string]string, body string) *httptest.ResponseRecorder {
	h.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, r)
	return rec
}

var adminAuth = map[string]string{"Authorization": "Bearer " + testAdminToken}

func TestHeadFollowsGetOnEveryGetRoute(t *testing.T) {
	f := newAccessFixture(t)
	for _, op := range documentedOps(t) {
		if op.Method != http.MethodGet {
			continue
		}
		path := f.pathFor(op)
		get := f.raw("GET", path, adminAuth, "")
		head := f.raw("HEAD", path, adminAuth, "")
		if head.Code != get.Code || head.Code == http.StatusMethodNotAllowed {
			t.Errorf("HEAD %s = %d, GET = %d", path, head.Code, get.Code)
		}
		if head.Header().Get("Content-Type") != get.Header().Get("Content-Type") {
			t.Errorf("HEAD %s: Content-Type %q, GET's %q", path, head.Header().Get("Content-Type"), get.Header().Get("Content-Type"))
		}
	}
}

func TestOptionsAndMethodNotAllowedSayAllow(t *testing.T) {
	h := newHarness(t)
	// OPTIONS needs no token.
	rec := h.raw("OPTIONS", "/v1/posts/BOG", nil, "")
	if rec.Code != http.StatusNoContent || rec.Header().Get("Allow") != "GET, HEAD, PATCH, DELETE, OPTIONS" {
		t.Errorf("OPTIONS /v1/posts/BOG = %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	if rec := h.raw("OPTIONS", "/v1/nothing-here", nil, ""); rec.Code != http.StatusNotFound {
		t.Errorf("OPTIONS on no route = %d, want 404", rec.Code)
	}
	for path, allow := range map[string]string{
		"/v1/whoami":    "GET, HEAD, OPTIONS",
		"/v1/api-keys":  "GET, HEAD, POST, OPTIONS",
		"/openapi.yaml": "GET, HEAD, OPTIONS",
	} {
		rec := h.raw("PUT", path, adminAuth, "")
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != allow {
			t.Errorf("PUT %s = %d, Allow %q; want 405, Allow %q", path, rec.Code, rec.Header().Get("Allow"), allow)
		}
	}
}

func TestCORSIsOffByDefaultAndAnsweredBeforeAuthentication(t *testing.T) {
	preflight := map[string]string{"Origin": "https://intranet.example", "Access-Control-Request-Method": "POST",
		"Access-Control-Request-Headers": "authorization, content-type"}
	off := newHarness(t).raw("OPTIONS", "/v1/contact-checks", preflight, "")
	if off.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS without FRANJA_CORS_ORIGINS: %v", off.Header())
	}
	h := newHarnessWith(t, Config{CORSOrigins: []string{"https://intranet.example"}})
	rec := h.raw("OPTIONS", "/v1/contact-checks", preflight, "")
	if rec.Code >= 300 || rec.Header().Get("Access-Control-Allow-Origin") != "https://intranet.example" ||
		!strings.Contains(strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("preflight = %d, %v", rec.Code, rec.Header())
	}
	other := h.raw("OPTIONS", "/v1/contact-checks", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, "")
	if other.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("an origin not listed was allowed: %v", other.Header())
	}
	get := h.raw("GET", "/v1/whoami", map[string]string{"Origin": "https://intranet.example", "Authorization": "Bearer " + testAdminToken}, "")
	if get.Code != 200 || get.Header().Get("Access-Control-Allow-Origin") != "https://intranet.example" ||
		!strings.Contains(get.Header().Get("Access-Control-Expose-Headers"), "X-Request-Id") {
		t.Errorf("GET with Origin = %d, %v", get.Code, get.Header())
	}
}

func TestLargeAnswersAreGzippedSmallOnesNot(t *testing.T) {
	h := newHarness(t)
	for i := range 12 {
		h.mustCreate("/v1/posts", map[string]any{"code": fmt.Sprintf("P%02d", i), "name": "Sede de prueba con un nombre largo", "kind": "other",
			"country": "CO", "time_zone": "America/Bogota", "calendars": []string{"CO"}, "schedule": workweek("08:00-12:00", "13:00-17:00")})
	}
	gz := map[string]string{"Authorization": "Bearer " + testAdminToken, "Accept-Encoding": "gzip"}
	rec := h.raw("GET", "/v1/posts", gz, "")
	if rec.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Accept-Encoding") {
		t.Fatalf("a page of posts: Content-Encoding %q, Vary %q", rec.Header().Get("Content-Encoding"), rec.Header().Values("Vary"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if !json.Valid(body) || !bytes.Contains(body, []byte(`"P11"`)) {
		t.Errorf("gunzipped body: %.200s", body)
	}
	if small := h.raw("GET", "/v1/whoami", gz, ""); small.Header().Get("Content-Encoding") != "" {
		t.Errorf("a small answer was compressed")
	}
}

func TestPersonalDataIsNeverStoredCalendarsRevalidate(t *testing.T) {
	h := newHarness(t)
	h.mustCreate("/v1/posts", map[string]any{"code": "BOG", "name": "Sede Bogotá", "kind": "headquarters", "country": "CO", "time_zone": "America/Bogota", "calendars": []string{"CO"}})
	for _, path := range []string{"/v1/posts", "/v1/people", "/v1/api-keys", "/v1/whoami"} {
		if res := h.do(req{Method: "GET", Path: path}); res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: Cache-Control %q", path, res.Header.Get("Cache-Control"))
		}
	}
	for _, path := range []string{"/v1/calendars", "/v1/calendars/CO/holidays?year=2026", "/v1/posts/BOG/holidays?year=2026", "/v1/posts/BOG/closures"} {
		first := h.do(req{Method: "GET", Path: path})
		tag := first.Header.Get("ETag")
		if first.Status != 200 || tag == "" || first.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s = %d, ETag %q, Cache-Control %q", path, first.Status, tag, first.Header.Get("Cache-Control"))
			continue
		}
		again := h.do(req{Method: "GET", Path: path, Header: map[string]string{"If-None-Match": tag}})
		if again.Status != http.StatusNotModified || len(again.Body) != 0 || again.Header.Get("ETag") != tag {
			t.Errorf("GET %s with If-None-Match = %d (%d bytes)", path, again.Status, len(again.Body))
		}
		if other := h.do(req{Method: "GET", Path: path, Header: map[string]string{"If-None-Match": `W/"other"`}}); other.Status != 200 {
			t.Errorf("GET %s with another tag = %d", path, other.Status)
		}
	}
}

func TestStrictJSON(t *testing.T) {
	h := newHarness(t)
	// A gateway that keeps the first duplicate sees an hr key; encoding/json
	// would have made an admin one.
	res := h.do(req{Method: "POST", Path: "/v1/api-keys", Body: `{"name":"a","role":"hr","role":"admin"}`, ContentType: "application/json", SkipSpec: true})
	checkProblem(t, "duplicate key", res, 400, "malformed")
	if fields := fieldsOf(t, res); len(fields) != 1 || fields[0] != "role" {
		t.Errorf("duplicate key: fields %v, want [role]", fields)
	}
	if list := h.do(req{Method: "GET", Path: "/v1/api-keys"}); strings.Contains(string(list.Body), `"role":"admin"`) {
		t.Errorf("a key was made: %s", list.Body)
	}
	res = h.do(req{Method: "POST", Path: "/v1/posts", Body: `{"code":"BOG","name":"Sede \ud800","kind":"other","country":"CO","time_zone":"America/Bogota"}`, ContentType: "application/json", SkipSpec: true})
	checkProblem(t, "lone surrogate", res, 400, "malformed")
	if fields := fieldsOf(t, res); len(fields) != 1 || fields[0] != "name" {
		t.Errorf("lone surrogate: fields %v, want [name]", fields)
	}
	res = h.do(req{Method: "POST", Path: "/v1/contact-checks", Body: `{"checks":[{"person":"E1","person":"E2"}]}`, ContentType: "application/json", SkipSpec: true})
	if fields := fieldsOf(t, res); res.Status != 400 || len(fields) != 1 || fields[0] != "checks[0].person" {
		t.Errorf("nested duplicate: %d, fields %v", res.Status, fields)
	}
	res = h.do(req{Method: "POST", Path: "/v1/imports/posts", Body: `[{"code":"BOG","code":"LIM"}]`, ContentType: "application/json", SkipSpec: true})
	if fields := fieldsOf(t, res); res.Status != 400 || len(fields) != 1 || fields[0] != "[0].code" && fields[0] != "0.code" {
		t.Errorf("duplicate in an import: %d, fields %v", res.Status, fields)
	}
	res = h.do(req{Method: "POST", Path: "/v1/api-keys", Body: `{"name":"a","role":"hr"}`, SkipSpec: true})
	checkProblem(t, "no Content-Type", res, 415, "unsupported_media_type")
}

func fieldsOf(t *testing.T, res *response) []string {
	t.Helper()
	var p Problem
	res.JSON(t, &p)
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	return out
}

func TestAcceptLanguageNegotiation(t *testing.T) {
	h := newHarness(t)
	for header, want := range map[string]string{
		"":                       "es",
		"en":                     "en",
		"en;q=0":                 "es", // q=0: English is not acceptable
		"en;q=0, es":             "es",
		"en;q=x, fr":             "es", // a bad q is ignored, not taken as 1
		"fr, en;q=0.5":           "en",
		"en-GB":                  "en",
		"es-CO, en;q=0.9":        "es",
		"de, es;q=0.1, en;q=0.2": "en",
		"en;q=1.5":               "es", // not a qvalue
	} {
		res := h.do(req{Method: "GET", Path: "/v1/people/NOPE", Header: map[string]string{"Accept-Language": header}})
		if got := res.Header.Get("Content-Language"); got != want {
			t.Errorf("Accept-Language %q: Content-Language %q, want %q", header, got, want)
		}
		if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Language") {
			t.Errorf("Accept-Language %q: no Vary: Accept-Language", header)
		}
	}
}

// englishWords and spanishWords give a language away; neither list holds a
// word both languages share ("no", "use").
var (
	// Words that are also field names (at, from, to, on) are left out.
	englishWords = wordSet("the is are not must be and with of has have only cannot this that an for send required found missing between its any when it was were should give than by or which will would more")
	spanishWords = wordSet("el la los las del es un una debe que para con por envíe falta está hay sin obligatorio válido válida se su ningún ninguna puede ya aún solo cada otro otra desde")
	verbsRe      = regexp.MustCompile(`%[-+# 0-9.\[\]]*[a-zA-Z%]`)
	quotedRe     = regexp.MustCompile("\"[^\"]*\"|`[^`]*`|'[^']*'")
	wordRe       = regexp.MustCompile(`[\p{L}_]+`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// foreignWords returns the words of text that belong to the other language.
func foreignWords(text, lang string) []string {
	other := spanishWords
	if lang == "es" {
		other = englishWords
	}
	text = quotedRe.ReplaceAllString(text, " ")
	var out []string
	for _, w := range wordRe.FindAllString(text, -1) {
		// sick_leave and ES (of ES-MD) are values, not words
		if !strings.Contains(w, "_") && w != strings.ToUpper(w) && other[strings.ToLower(w)] {
			out = append(out, w)
		}
	}
	return out
}

// TestEveryErrorInOneLanguage sends requests that produce every kind of
// error the API gives (each code, each body and parameter parser, the
// store's checks, the import's row checks, a batch item's error), in
// Spanish and in English, and checks that each answer's texts (title,
// detail, errors[].message, reasons) are all in the language it says, and
// that the catalogue had every text asked for.
func TestEveryErrorInOneLanguage(t *testing.T) {
	f := newAccessFixture(t)
	var missing []string
	setMissing(func(format string) { missing = append(missing, format) })
	t.Cleanup(func() { setMissing(nil) })
	post := func(body string) req {
		return req{Method: "POST", Path: "/v1/posts", Body: body, ContentType: "application/json", SkipSpec: true}
	}
	cases := []struct {
		name   string
		caller string
		r      req
		status int
	}{
		{"no route", callerAdmin, req{Method: "GET", Path: "/v1/nothing"}, 404},
		{"method", callerAdmin, req{Method: "PUT", Path: "/v1/whoami"}, 405},
		{"no token", callerNone, req{Method: "GET", Path: "/v1/whoami"}, 401},
		{"unknown token", callerUnknown, req{Method: "GET", Path: "/v1/whoami"}, 401},
		{"role", callerSupervisor, req{Method: "GET", Path: "/v1/posts"}, 403},
		{"outside the line", callerSupervisor, req{Method: "GET", Path: "/v1/people/F1/contactability"}, 403},
		{"no such person", callerAdmin, req{Method: "GET", Path: "/v1/people/NOPE"}, 404},
		{"no such post", callerAdmin, req{Method: "GET", Path: "/v1/posts/nope"}, 404},
		{"no such leave", callerAdmin, req{Method: "GET", Path: "/v1/people/E1/leaves/x"}, 404},
		{"no such key", callerAdmin, req{Method: "DELETE", Path: "/v1/api-keys/999999"}, 404},
		{"invalid post", callerAdmin, post(`{"code":"bog","name":"","kind":"castle","country":"Colombia","time_zone":"America/Bogata","calendars":["XX","CO","CO"],"schedule":{"mon":["08:00-12:00","11:00-13:00","25:00-26:00"],"funday":[]}}`), 422},
		{"duplicate post", callerAdmin, post(`{"code":"BOG","name":"Otra","kind":"other","country":"CO","time_zone":"America/Bogota"}`), 409},
		{"not JSON", callerAdmin, post(`{"code":`), 400},
		{"trailing data", callerAdmin, post(`{} {}`), 400},
		{"wrong type", callerAdmin, post(`{"code":7}`), 400},
		{"unknown field", callerAdmin, post(`{"codigo":"BOG"}`), 400},
		{"empty body", callerAdmin, post(``), 400},
		{"duplicate key", callerAdmin, post(`{"code":"A","code":"B"}`), 400},
		{"lone surrogate", callerAdmin, post(`{"name":"\udc00"}`), 400},
		{"no content type", callerAdmin, req{Method: "POST", Path: "/v1/posts", Body: `{}`, SkipSpec: true}, 415},
		{"wrong content type", callerAdmin, req{Method: "POST", Path: "/v1/posts", Body: `{}`, ContentType: "text/plain", SkipSpec: true}, 415},
		{"too large", callerAdmin, req{Method: "POST", Path: "/v1/posts", Body: `{"name":"` + strings.Repeat("x", maxRecordBody) + `"}`, ContentType: "application/json", SkipSpec: true}, 413},
		{"invalid person", callerAdmin, req{Method: "POST", Path: "/v1/people", Body: map[string]any{"external_id": "é", "full_name": "x", "email": "nope", "post": "XX", "exception": "boss", "supervisor": "GHOST"}, SkipSpec: true}, 422},
		{"supervisor cycle", callerAdmin, req{Method: "PATCH", Path: "/v1/people/S1", Body: map[string]any{"supervisor": "E2"}, Header: map[string]string{"If-Match": "*"}}, 422},
		{"patch without If-Match", callerAdmin, req{Method: "PATCH", Path: "/v1/people/E1", Body: map[string]any{"full_name": "X"}}, 428},
		{"bad If-Match", callerAdmin, req{Method: "PATCH", Path: "/v1/people/E1", Body: map[string]any{"full_name": "X"}, Header: map[string]string{"If-Match": "nope"}}, 400},
		{"stale If-Match", callerAdmin, req{Method: "PATCH", Path: "/v1/people/E1", Body: map[string]any{"full_name": "X"}, Header: map[string]string{"If-Match": `"999"`}}, 412},
		{"removing a required field", callerAdmin, req{Method: "PATCH", Path: "/v1/posts/BOG", Body: map[string]any{"name": nil, "code": "LIM"}, Header: map[string]string{"If-Match": "*"}}, 422},
		{"post with people", callerAdmin, req{Method: "DELETE", Path: "/v1/posts/BOG"}, 409},
		{"person still supervising", callerAdmin, req{Method: "DELETE", Path: "/v1/people/S1"}, 409},
		{"invalid leave", callerAdmin, req{Method: "POST", Path: "/v1/people/E1/leaves", Body: map[string]any{"kind": "holiday", "external_ref": "-", "start_date": "2026-02-30", "starts_at": "mañana", "delegate": "E1", "time_zone": "Mars/Base"}, SkipSpec: true}, 422},
		{"leave dates backwards", callerAdmin, req{Method: "POST", Path: "/v1/people/E1/leaves", Body: map[string]any{"kind": "vacation", "external_ref": "V-1", "start_date": "2026-12-10", "end_date": "2026-12-01"}}, 422},
		{"leave of another person", callerAdmin, req{Method: "POST", Path: "/v1/people/E1/leaves", Body: map[string]any{"kind": "vacation", "external_ref": "INC-E2", "start_date": "2026-12-01", "end_date": "2026-12-02"}}, 409},
		{"no such calendar", callerAdmin, req{Method: "GET", Path: "/v1/calendars/XX/holidays?year=2026"}, 404},
		{"year missing", callerAdmin, req{Method: "GET", Path: "/v1/calendars/CO/holidays", SkipSpec: true}, 400},
		{"year not a year", callerAdmin, req{Method: "GET", Path: "/v1/calendars/CO/holidays?year=20x6", SkipSpec: true}, 400},
		{"year not covered", callerAdmin, req{Method: "GET", Path: "/v1/calendars/CO/holidays?year=1700"}, 422},
		{"holiday file type", callerAdmin, req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2030", Body: "x", ContentType: "text/plain", SkipSpec: true}, 415},
		{"bad holiday CSV", callerAdmin, req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2030", Body: "fecha,nombre\n2030-13-01,\n\"x", ContentType: "text/csv"}, 422},
		{"bad holiday ICS", callerAdmin, req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2030", Body: "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20300101T050000Z\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nBEGIN:VTODO\r\nEND:VCALENDAR\r\n", ContentType: "text/calendar"}, 422},
		{"not an ICS file", callerAdmin, req{Method: "PUT", Path: "/v1/calendars/CO/holidays/2030", Body: "hola", ContentType: "text/calendar"}, 422},
		{"exclusion of a working day", callerAdmin, req{Method: "POST", Path: "/v1/posts/BOG/exclusions", Body: map[string]any{"date": "2026-03-03"}}, 422},
		{"closure date", callerAdmin, req{Method: "POST", Path: "/v1/posts/BOG/closures", Body: map[string]any{"date": "2026-02-30", "name": ""}}, 422},
		{"no closure to delete", callerAdmin, req{Method: "DELETE", Path: "/v1/posts/BOG/closures/2026-03-03"}, 404},
		{"bad date in the path", callerAdmin, req{Method: "DELETE", Path: "/v1/posts/BOG/closures/someday", SkipSpec: true}, 400},
		{"unknown parameter", callerAdmin, req{Method: "GET", Path: "/v1/people/E1/contactability?chanel=phone", SkipSpec: true}, 400},
		{"bad parameters", callerAdmin, req{Method: "GET", Path: "/v1/people/E1/contactability?at=ayer&channel=fax&purpose=urgent&official_document=quizas&horizon=P999D", SkipSpec: true}, 400},
		{"exception without justification", callerAdmin, req{Method: "GET", Path: "/v1/people/E1/contactability?purpose=urgent&requester=GHOST&justification=ya"}, 400},
		{"bad slot length", callerAdmin, req{Method: "GET", Path: "/v1/people/E1/next-slot?duration=PT0M&after=2026-11-27T01:30:00", SkipSpec: true}, 400},
		{"long availability", callerAdmin, req{Method: "GET", Path: "/v1/people/E1/availability?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z"}, 400},
		{"bad meeting", callerAdmin, req{Method: "POST", Path: "/v1/meeting-slots", Body: map[string]any{"people": []string{}, "duration": "una hora", "from": "2026-12-01T00:00:00Z", "to": "2026-11-01T00:00:00Z", "limit": 1000}, SkipSpec: true}, 422},
		{"no checks", callerAdmin, req{Method: "POST", Path: "/v1/contact-checks", Body: map[string]any{}, SkipSpec: true}, 422},
		{"bad page", callerAdmin, req{Method: "GET", Path: "/v1/people?limit=0&cursor=zzz", SkipSpec: true}, 400},
		{"bad filter", callerAdmin, req{Method: "GET", Path: "/v1/people?post=bog", SkipSpec: true}, 400},
		{"bad month", callerAdmin, req{Method: "GET", Path: "/v1/reports/exceptions?month=noviembre", SkipSpec: true}, 400},
		{"bad audit range", callerAdmin, req{Method: "GET", Path: "/v1/audit/exceptions?from=ayer&format=pdf", SkipSpec: true}, 400},
		{"invalid key", callerAdmin, req{Method: "POST", Path: "/v1/api-keys", Body: map[string]any{"name": "", "role": "boss", "person": "E1", "expires_at": "mañana"}, SkipSpec: true}, 422},
		{"supervisor key without person", callerAdmin, req{Method: "POST", Path: "/v1/api-keys", Body: map[string]any{"name": "x", "role": "supervisor", "person": "GHOST"}}, 422},
		{"import rows", callerAdmin, req{Method: "POST", Path: "/v1/imports/people", Body: "external_id,full_name,email,post,supervisor,exception,schedule\nE9,,x,XX,E9,boss,mon=25:00-26:00\nE9,Ana,ana@x.co,BOG,GHOST,,lun=08:00-12:00\nE8,Bea,bea@x.co,BOG,\n", ContentType: "text/csv"}, 422},
		{"import header", callerAdmin, req{Method: "POST", Path: "/v1/imports/leaves", Body: "persona,kind,kind\n", ContentType: "text/csv"}, 422},
		{"import CSV syntax", callerAdmin, req{Method: "POST", Path: "/v1/imports/posts", Body: "code,name,kind,country,time_zone\n\"BOG,x\n", ContentType: "text/csv"}, 400},
		{"import JSON rows", callerAdmin, req{Method: "POST", Path: "/v1/imports/leaves", Body: `[1,{"person":"E1","kind":"vacation","external_ref":"A","start_date":"2026-01-02","end_date":"2026-01-01","desde":"x"},{"person":"GHOST","kind":"vacation","external_ref":"INC-E2","starts_at":"2026-01-01T10:00:00-05:00","ends_at":"2026-01-01T09:00:00-05:00"}]`, ContentType: "application/json", SkipSpec: true}, 422},
		{"import type", callerAdmin, req{Method: "POST", Path: "/v1/imports/posts", Body: "x", ContentType: "application/xml", SkipSpec: true}, 415},
		{"bad dry_run", callerAdmin, req{Method: "POST", Path: "/v1/imports/posts?dry_run=quizas", Body: "code\n", ContentType: "text/csv", SkipSpec: true}, 400},
		{"batch item errors", callerAdmin, req{Method: "POST", Path: "/v1/contact-checks", Body: map[string]any{"checks": []map[string]any{
			{"person": "GHOST"}, {"person": "E1", "at": "ayer", "channel": "fax", "purpose": "urgent"}, {"person": "E2", "at": "2026-12-01T15:00:00Z"}, {}}}, SkipSpec: true}, 200},
		{"decision reasons", callerAdmin, req{Method: "GET", Path: "/v1/people/E2/contactability?at=2026-12-01T15:00:00Z&channel=whatsapp"}, 200},
		{"next slot reason", callerAdmin, req{Method: "GET", Path: "/v1/people/E1/next-slot?after=2026-11-27T01:30:00Z&duration=PT24H"}, 200},
	}
	for _, c := range cases {
		for _, l := range []string{"es", "en"} {
			r := c.r
			r.Header = map[string]string{"Accept-Language": l}
			for k, v := range c.r.Header {
				r.Header[k] = v
			}
			res := f.as(c.caller, r)
			name := c.name + " (" + l + ")"
			if res.Status != c.status {
				t.Errorf("%s: status %d, want %d: %s", name, res.Status, c.status, res.Body)
			}
			if got := res.Header.Get("Content-Language"); got != l {
				t.Errorf("%s: Content-Language %q", name, got)
			}
			texts := peopleTexts(t, res)
			if len(texts) == 0 {
				t.Errorf("%s: no text to read: %s", name, res.Body)
			}
			for _, text := range texts {
				if words := foreignWords(text, l); len(words) > 0 {
					t.Errorf("%s: %q has words of the other language: %v", name, text, words)
				}
			}
		}
	}
	missing = slices.DeleteFunc(missing, func(f string) bool {
		return !regexp.MustCompile(`[A-Za-z]`).MatchString(verbsRe.ReplaceAllString(f, ""))
	})
	if len(missing) > 0 {
		t.Errorf("texts without a Spanish entry in the catalogue: %q", missing)
	}
}

// peopleTexts collects every people-facing text of an answer: a problem's
// title, detail and field messages, and any reason's or note's message,
// wherever they are nested (batch items).
func peopleTexts(t *testing.T, res *response) []string {
	t.Helper()
	var v any
	res.JSON(t, &v)
	var out []string
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(x, k)
			}
		case []any:
			for _, x := range v {
				walk(x, key)
			}
		case string:
			switch key {
			case "title", "detail", "message", "note":
				out = append(out, v)
			}
		}
	}
	walk(v, "")
	return out
}

func TestDurationsAreEchoedAsSent(t *testing.T) {
	h := decisionFixture(t)
	res := h.do(req{Method: "GET", Path: "/v1/people/E1/next-slot?after=2026-11-27T01:30:00Z&duration=PT24H"})
	if m := res.Map(t); m["duration"] != "PT24H" {
		t.Errorf("next-slot duration=PT24H echoed as %v", m["duration"])
	}
	res = h.do(req{Method: "POST", Path: "/v1/meeting-slots", Body: map[string]any{"people": []string{"E1"}, "duration": "PT60M", "granularity": "PT30M",
		"from": "2026-11-30T00:00:00Z", "to": "2026-12-01T00:00:00Z", "limit": 1}})
	if m := res.Map(t); m["duration"] != "PT60M" || m["granularity"] != "PT30M" {
		t.Errorf("meeting-slots echoed duration %v, granularity %v", m["duration"], m["granularity"])
	}
	if m := h.do(req{Method: "GET", Path: "/v1/people/E1/next-slot?after=2026-11-27T01:30:00Z"}).Map(t); m["duration"] != "PT30M" {
		t.Errorf("the default duration reads %v", m["duration"])
	}
}

// TestServerOwnErrorsAreProblems: what Go's HTTP server answers before any
// handler runs (a bad escape in the path, no Host, oversized headers) comes
// as problem+json in the language asked for, through ProblemListener.
func TestServerOwnErrorsAreProblems(t *testing.T) {
	h := newHarness(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h.handler, MaxHeaderBytes: 8 << 10}
	go srv.Serve(ProblemListener(ln))
	t.Cleanup(func() { srv.Close() })
	send := func(raw string) (status int, header http.Header, p Problem) {
		t.Helper()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte(raw)); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
			t.Fatalf("%q: the body is not JSON: %v", raw, err)
		}
		return res.StatusCode, res.Header, p
	}
	for _, c := range []struct {
		raw, lang string
		status    int
		code      string
	}{
		{"GET /v1/%zz HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n\r\n", "en", 400, "malformed"},
		{"GET /v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n", "es", 400, "malformed"},
		{"GET /v1/whoami HTTP/1.1\r\nAccept-Language: en\r\n\r\n", "en", 400, "malformed"},
		{"GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAccept-Language: es\r\nX-Big: " + strings.Repeat("a", 16<<10) + "\r\n\r\n", "es", 431, "header_too_large"},
	} {
		status, header, p := send(c.raw)
		if status != c.status || string(p.Code) != c.code || header.Get("Content-Type") != "application/problem+json" ||
			header.Get("Content-Language") != c.lang || p.Title == "" || p.Detail == "" {
			t.Errorf("%.40q: %d %s %v %+v", c.raw, status, p.Code, header, p)
		}
		if words := foreignWords(p.Title+" "+p.Detail, c.lang); len(words) > 0 {
			t.Errorf("%.40q: %q has words of the other language: %v", c.raw, p.Detail, words)
		}
	}
	// A normal answer on the same kind of connection is left alone.
	if status, _, p := send("GET /v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n"); status != 401 || p.Code != "unauthorized" {
		t.Errorf("a handler's own answer: %d %+v", status, p)
	}
}
