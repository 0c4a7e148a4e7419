package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-chi/chi/v5"
	"github.com/google/go-cmp/cmp"

	"franja/postgres"
)

// lateAuth is an Authenticator whose real authenticator is set after the
// harness (and so its store) exists: newHarnessWith makes the store itself.
type lateAuth struct {
	mu sync.Mutex
	a  *KeyAuthenticator
}

func (l *lateAuth) Authenticate(ctx context.Context, token string) (*Principal, error) {
	l.mu.Lock()
	a := l.a
	l.mu.Unlock()
	return a.Authenticate(ctx, token)
}

// Token labels for the callers the access tests walk through.
const (
	callerAdmin      = "admin"
	callerHR         = "hr"
	callerSupervisor = "supervisor"
	callerSystem     = "system"
	callerNone       = "no token"
	callerMalformed  = "malformed header"
	callerGarbage    = "garbage token"
	callerUnknown    = "unknown key"
	callerExpired    = "expired key"
	callerRevoked    = "revoked key"
)

// roleCallers are the callers that authenticate; badCallers must all get 401.
var (
	roleCallers = []string{callerAdmin, callerHR, callerSupervisor, callerSystem}
	badCallers  = []string{callerNone, callerMalformed, callerGarbage, callerUnknown, callerExpired, callerRevoked}
)

// accessFixture is a harness with database keys, the in-memory view, and
// staff with two reporting chains: S1 → E1 → E2 and S2 → F1 → F2.
type accessFixture struct {
	*harness
	tokens  map[string]string // caller → bearer token
	leaveID int64             // E2's sick leave
	spareID int64             // an API key the walk may revoke
}

// keyClockSkew is how far ahead of the wall clock the key authenticator
// lives: the "expired" key expires a minute after it is made.
const keyClockSkew = time.Hour

func newAccessFixture(t testing.TB) *accessFixture {
	t.Helper()
	late := &lateAuth{}
	h := newHarnessWith(t, Config{Authenticators: []Authenticator{late}})
	keys := NewKeyAuthenticator(h.view, h.store, KeyAuthOptions{Now: func() time.Time { return time.Now().Add(keyClockSkew) }, Logger: discardLogger()})
	late.a = keys
	f := &accessFixture{harness: h, tokens: map[string]string{callerAdmin: testAdminToken}}
	f.staff()
	f.keys()
	return f
}

func (f *accessFixture) staff() {
	h := f.harness
	h.mustCreate("/v1/posts", map[string]any{"code": "BOG", "name": "Sede Bogotá", "kind": "headquarters", "country": "CO", "city": "Bogotá", "time_zone": "America/Bogota", "calendars": []string{"CO"}, "schedule": workweek("08:00-12:00", "13:00-17:00")})
	h.mustCreate("/v1/posts", map[string]any{"code": "DEL", "name": "Oficina por cerrar", "kind": "other", "country": "CO", "time_zone": "America/Bogota", "calendars": []string{"CO"}})
	for _, p := range [][2]string{{"S1", ""}, {"E1", "S1"}, {"E2", "E1"}, {"S2", ""}, {"F1", "S2"}, {"F2", "F1"}, {"D1", ""}} {
		body := map[string]any{"external_id": p[0], "full_name": "Persona " + p[0], "email": strings.ToLower(p[0]) + "@cancilleria.gov.co", "post": "BOG"}
		if p[1] != "" {
			body["supervisor"] = p[1]
		}
		h.mustCreate("/v1/people", body)
	}
	l := h.mustCreate("/v1/people/E2/leaves", map[string]any{"kind": "sick_leave", "external_ref": "INC-E2", "start_date": "2026-11-30", "end_date": "2026-12-04", "delegate": "E1"})
	h.mustCreate("/v1/people/F2/leaves", map[string]any{"kind": "maternity_leave", "external_ref": "MAT-F2", "start_date": "2026-11-30", "end_date": "2026-12-04"})
	id, ok := l["id"].(float64)
	if !ok {
		h.t.Fatalf("leave without a numeric id: %v", l)
	}
	f.leaveID = int64(id)
}

func (f *accessFixture) keys() {
	ctx := context.Background()
	now := time.Now()
	mk := func(caller, role, person string, expires *time.Time) postgres.APIKey {
		k, token, err := f.store.CreateAPIKey(ctx, postgres.NewAPIKey{Name: caller, Role: role, Person: person, ExpiresAt: expires}, now)
		if err != nil {
			f.t.Fatalf("creating the %s key: %v", caller, err)
		}
		f.tokens[caller] = token
		return k
	}
	mk(callerHR, "hr", "", nil)
	mk(callerSupervisor, "supervisor", "S1", nil)
	mk(callerSystem, "system", "", nil)
	soon := now.Add(time.Minute) // before the authenticator's clock
	mk(callerExpired, "hr", "", &soon)
	revoked := mk(callerRevoked, "admin", "", nil)
	if _, err := f.store.RevokeAPIKey(ctx, revoked.ID, now); err != nil {
		f.t.Fatal(err)
	}
	f.spareID = mk("spare", "system", "", nil).ID
	unknown, _, err := postgres.GenerateAPIKeyToken()
	if err != nil {
		f.t.Fatal(err)
	}
	f.tokens[callerUnknown] = unknown
	f.tokens[callerGarbage] = "not-a-franja-key"
	if err := f.view.Sync(ctx); err != nil { // written straight to the store: let the view catch up
		f.t.Fatal(err)
	}
}

// as sends r as caller.
func (f *accessFixture) as(caller string, r req) *response {
	f.t.Helper()
	switch caller {
	case callerNone:
		r.Token = "-"
	case callerMalformed:
		r.Token = "-"
		r.Header = map[string]string{"Authorization": "Basic " + "YWRtaW46YWRtaW4="}
	default:
		r.Token = f.tokens[caller]
	}
	return f.do(r)
}

// documentedOp is an operation of openapi.yaml with its x-roles.
type documentedOp struct {
	Method, Path, ID string
	Roles            []string
}

// documentedOps reads every operation of openapi.yaml, in path order.
func documentedOps(t testing.TB) []documentedOp {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		t.Fatal(err)
	}
	var ops []documentedOp
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			raw, _ := op.Extensions["x-roles"].([]any)
			var roles []string
			for _, r := range raw {
				s, _ := r.(string)
				roles = append(roles, s)
			}
			ops = append(ops, documentedOp{Method: method, Path: path, ID: op.OperationID, Roles: roles})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Path+ops[i].Method < ops[j].Path+ops[j].Method })
	return ops
}

// TestEveryRouteIsDocumentedWithRoles: the routes chi serves and the
// operations openapi.yaml documents are the same set, and each operation
// states its roles.
func TestEveryRouteIsDocumentedWithRoles(t *testing.T) {
	var served []string
	err := chi.Walk(New(Config{}).(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		served = append(served, method+" "+strings.TrimSuffix(route, "/"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	known := []string{"public", "admin", "hr", "supervisor", "system"}
	for _, op := range documentedOps(t) {
		documented = append(documented, op.Method+" "+op.Path)
		if len(op.Roles) == 0 {
			t.Errorf("%s %s (%s) has no x-roles", op.Method, op.Path, op.ID)
		}
		for _, r := range op.Roles {
			if !slices.Contains(known, r) {
				t.Errorf("%s %s: unknown role %q in x-roles", op.Method, op.Path, r)
			}
		}
		if slices.Contains(op.Roles, "public") == strings.HasPrefix(op.Path, "/v1/") {
			// Public operations live outside /v1, and nothing under /v1 is public.
			t.Errorf("%s %s: x-roles %v, but public iff outside /v1", op.Method, op.Path, op.Roles)
		}
		if !slices.Contains(op.Roles, "public") && !slices.Contains(op.Roles, "admin") {
			t.Errorf("%s %s: admin may call everything, but x-roles is %v", op.Method, op.Path, op.Roles)
		}
	}
	sort.Strings(served)
	sort.Strings(documented)
	if diff := cmp.Diff(documented, served); diff != "" {
		t.Errorf("routes served vs documented (-documented +served):\n%s", diff)
	}
}

// pathFor fills the operation's path parameters with fixture values that
// the supervisor's scope covers; deletes get disposable targets.
func (f *accessFixture) pathFor(op documentedOp) string {
	p := op.Path
	code := "BOG"
	if strings.HasPrefix(p, "/v1/calendars/") {
		code = "CO"
	}
	if op.ID == "deletePost" {
		code = "DEL"
	}
	person := "E2"
	if op.ID == "deletePerson" {
		person = "D1"
	}
	id := strconv.FormatInt(f.leaveID, 10)
	if strings.HasPrefix(p, "/v1/api-keys/") {
		id = strconv.FormatInt(f.spareID, 10)
	}
	return strings.NewReplacer("{code}", code, "{external_id}", person, "{id}", id, "{year}", "2026", "{date}", "2026-12-24").Replace(p)
}

// requestFor builds a valid-enough request for op: allowed callers should
// get past authorisation and into the handler.
func (f *accessFixture) requestFor(op documentedOp) req {
	r := req{Method: op.Method, Path: f.pathFor(op)}
	switch op.ID {
	case "availability":
		r.Path += "?from=2026-11-26T00:00:00-05:00&to=2026-11-28T00:00:00-05:00"
	case "contactability":
		r.Path += "?at=2026-11-26T10:00:00-05:00"
	case "getCalendarHolidays", "getPostHolidays":
		r.Path += "?year=2026"
	case "reportExceptions":
		r.Path += "?month=2026-11"
	case "contactChecks":
		r.Body = map[string]any{"checks": []any{map[string]any{"person": "E2", "at": "2026-11-26T10:00:00-05:00"}}}
	case "meetingSlots":
		r.Body = map[string]any{"people": []string{"E1", "E2"}, "duration": "PT30M", "from": "2026-11-26T00:00:00Z", "to": "2026-11-27T00:00:00Z"}
	case "createApiKey":
		r.Body = map[string]any{"name": "walk", "role": "system"}
	case "importPosts", "importPeople", "importLeaves", "importOnCallTurns":
		r.Path += "?dry_run=true"
		r.Body, r.ContentType = "person,kind,external_ref\n", "text/csv"
	case "putCalendarYear", "putPostYear":
		r.Body, r.ContentType = "date,name\n2026-12-31,Cierre de año\n", "text/csv"
	default:
		if op.Method == "POST" || op.Method == "PUT" || op.Method == "PATCH" {
			r.Body = map[string]any{}
		}
	}
	return r
}

// TestRoleEndpointTable walks every documented operation × every caller:
// the roles in x-roles get into the handler, other roles get 403, and every
// missing or bad token gets 401 with a Bearer challenge.
func TestRoleEndpointTable(t *testing.T) {
	f := newAccessFixture(t)
	for _, op := range documentedOps(t) {
		public := slices.Contains(op.Roles, "public")
		for _, caller := range append(slices.Clone(roleCallers), badCallers...) {
			name := fmt.Sprintf("%s %s as %s", op.Method, op.Path, caller)
			r := f.requestFor(op)
			r.SkipSpec = true // the bodies are valid enough, not complete
			res := f.as(caller, r)
			checkCommonHeaders(t, name, res)
			switch {
			case res.Status >= 500:
				t.Errorf("%s: %d %s", name, res.Status, res.Body)
			case public || slices.Contains(op.Roles, caller):
				if res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden {
					t.Errorf("%s: %d, but x-roles allows it: %s", name, res.Status, res.Body)
				}
			case slices.Contains(badCallers, caller):
				checkProblem(t, name, res, http.StatusUnauthorized, "unauthorized")
				if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Errorf("%s: WWW-Authenticate %q, want a Bearer challenge", name, got)
				}
			default:
				checkProblem(t, name, res, http.StatusForbidden, "forbidden")
			}
		}
	}
}

// checkProblem checks res is a problem+json with status and code.
func checkProblem(t *testing.T, name string, res *response, status int, code string) {
	t.Helper()
	var p Problem
	res.JSON(t, &p)
	if res.Status != status || string(p.Code) != code || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s: %d %s (%s), want %d %s", name, res.Status, p.Code, res.Header.Get("Content-Type"), status, code)
	}
}

// checkCommonHeaders checks the headers every response carries.
func checkCommonHeaders(t *testing.T, name string, res *response) {
	t.Helper()
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", name, k, got, v)
		}
	}
	if res.Header.Get("X-Request-Id") == "" {
		t.Errorf("%s: no X-Request-Id", name)
	}
}

// TestSupervisorReachesTheirLineOnly: S1 sees E1 (direct report), E2 (a
// report of E1) and themselves, never the other chain (S2 → F1 → F2).
func TestSupervisorReachesTheirLineOnly(t *testing.T) {
	f := newAccessFixture(t)
	at := url.QueryEscape("2026-11-26T10:00:00-05:00")
	span := "?from=2026-11-26T00:00:00-05:00&to=2026-11-27T00:00:00-05:00"
	for _, tt := range []struct {
		person string
		want   int
	}{{"S1", 200}, {"E1", 200}, {"E2", 200}, {"S2", 403}, {"F1", 403}, {"F2", 403},
		// Someone who does not exist answers like someone outside the line:
		// a supervisor key cannot probe who is on staff.
		{"NOBODY", 403}} {
		for _, path := range []string{"/contactability?at=" + at, "/next-slot?after=" + at, "/availability" + span} {
			res := f.as(callerSupervisor, req{Method: "GET", Path: "/v1/people/" + tt.person + path})
			if res.Status != tt.want {
				t.Errorf("supervisor S1 → %s%s: %d, want %d: %s", tt.person, path, res.Status, tt.want, res.Body)
			}
		}
		res := f.as(callerSupervisor, req{Method: "POST", Path: "/v1/meeting-slots", Body: map[string]any{
			"people": []string{"E1", tt.person}, "duration": "PT30M", "from": "2026-11-26T00:00:00Z", "to": "2026-11-27T00:00:00Z"}})
		if res.Status != tt.want {
			t.Errorf("supervisor S1, meeting with %s: %d, want %d: %s", tt.person, res.Status, tt.want, res.Body)
		}
		res = f.as(callerSupervisor, req{Method: "POST", Path: "/v1/contact-checks", Body: map[string]any{
			"checks": []any{map[string]any{"person": tt.person, "at": "2026-11-26T10:00:00-05:00"}}}})
		results, _ := res.Map(t)["results"].([]any)
		if res.Status != 200 || len(results) != 1 {
			t.Fatalf("contact-checks: %d %s", res.Status, res.Body)
		}
		item := results[0].(map[string]any)
		if e, isErr := item["error"].(map[string]any); (tt.want == 403) != (isErr && e["code"] == "forbidden") {
			t.Errorf("supervisor S1, batch check of %s: %v, want forbidden=%v", tt.person, item, tt.want == 403)
		}
	}
	// Staff data stays closed to a supervisor, even about their own line.
	for _, path := range []string{"/v1/people/E1", "/v1/people/E2/leaves", "/v1/people", "/v1/audit/exceptions"} {
		if res := f.as(callerSupervisor, req{Method: "GET", Path: path}); res.Status != 403 {
			t.Errorf("supervisor GET %s: %d, want 403", path, res.Status)
		}
	}
}

// TestLeaveKindsHiddenFromSystemAndSupervisor: E2 is on sick leave; hr (and admin) see the kind,
// and that is logged; system and supervisor keys never see it, not even in
// the delegate's answer or a batch.
func TestLeaveKindsHiddenFromSystemAndSupervisor(t *testing.T) {
	f := newAccessFixture(t)
	const at = "2026-12-01T10:00:00-05:00"
	one := req{Method: "GET", Path: "/v1/people/E2/contactability?at=" + url.QueryEscape(at)}
	batch := req{Method: "POST", Path: "/v1/contact-checks", Body: map[string]any{"checks": []any{map[string]any{"person": "E2", "at": at}}}}
	for _, caller := range []string{callerHR, callerAdmin, callerSystem, callerSupervisor} {
		for _, r := range []req{one, batch} {
			res := f.as(caller, r)
			if res.Status != 200 || !strings.Contains(string(res.Body), "on_leave") {
				t.Fatalf("%s %s as %s: %d %s", r.Method, r.Path, caller, res.Status, res.Body)
			}
			shown := strings.Contains(string(res.Body), "leave_kind") || strings.Contains(string(res.Body), "sick_leave")
			if want := caller == callerHR || caller == callerAdmin; shown != want {
				t.Errorf("%s %s as %s: leave kind shown = %v, want %v: %s", r.Method, r.Path, caller, shown, want, res.Body)
			}
		}
	}
	logged := accessLog(t, f.harness, "leave_kind")
	wantRoles := map[string]bool{"hr": true, "admin": true}
	for _, e := range logged {
		if e.person != "E2" || !wantRoles[e.role] {
			t.Errorf("access_log entry %+v: want E2 seen by hr or admin", e)
		}
	}
	if len(logged) == 0 {
		t.Error("hr saw a leave kind and access_log has no leave_kind row")
	}
}

// TestReadingTheAuditLogIsLogged: every read of the audit log (and its
// report) leaves an access_log row naming the key, the role and the person.
func TestReadingTheAuditLogIsLogged(t *testing.T) {
	f := newAccessFixture(t)
	if res := f.as(callerHR, req{Method: "GET", Path: "/v1/audit/exceptions?person=E2"}); res.Status != 200 {
		t.Fatalf("audit log: %d %s", res.Status, res.Body)
	}
	if res := f.as(callerHR, req{Method: "GET", Path: "/v1/reports/exceptions?month=2026-11"}); res.Status >= 300 {
		t.Fatalf("audit report: %d %s", res.Status, res.Body)
	}
	prefix, _ := postgres.ParseAPIKeyToken(f.tokens[callerHR])
	got := append(accessLog(t, f.harness, "audit_log"), accessLog(t, f.harness, "audit_report")...)
	want := []accessRow{{what: "audit_log", role: "hr", person: "E2", key: prefix}, {what: "audit_report", role: "hr", key: prefix}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(accessRow{})); diff != "" {
		t.Errorf("access_log (-want +got):\n%s", diff)
	}
}

type accessRow struct{ what, role, person, key string }

func accessLog(t *testing.T, h *harness, what string) []accessRow {
	t.Helper()
	rows, err := h.store.Pool().Query(context.Background(),
		`SELECT what, role, person, api_key FROM access_log WHERE what = $1 AND at > now() - interval '1 hour' ORDER BY id`, what)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []accessRow
	for rows.Next() {
		var r accessRow
		if err := rows.Scan(&r.what, &r.role, &r.person, &r.key); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDelegateOutsideTheLineIsNotShown: E1 (in S1's line) names F2 (in
// S2's) as delegate; S1's key gets E1's answer without F2's, which would
// tell when F2's own leave ends. hr sees the delegate, and that hr saw
// F2's leave kind through it is logged under F2.
func TestDelegateOutsideTheLineIsNotShown(t *testing.T) {
	f := newAccessFixture(t)
	f.mustCreate("/v1/people/E1/leaves", map[string]any{"kind": "vacation", "external_ref": "VAC-E1", "start_date": "2026-12-01", "end_date": "2026-12-02", "delegate": "F2"})
	path := "/v1/people/E1/contactability?at=" + url.QueryEscape("2026-12-01T10:00:00-05:00")
	res := f.as(callerSupervisor, req{Method: "GET", Path: path})
	if m := res.Map(t); res.Status != 200 || m["delegate"] != nil {
		t.Fatalf("supervisor S1: %d, delegate %v", res.Status, m["delegate"])
	}
	res = f.as(callerHR, req{Method: "POST", Path: "/v1/contact-checks", Body: map[string]any{
		"checks": []any{map[string]any{"person": "E1", "at": "2026-12-01T10:00:00-05:00"}}}})
	item := res.Map(t)["results"].([]any)[0].(map[string]any)
	d, _ := item["delegate"].(map[string]any)
	if d == nil || d["person"] != "F2" {
		t.Fatalf("hr: delegate %v", item["delegate"])
	}
	var n int
	_ = f.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM access_log WHERE what = 'leave_kind' AND person IN ('E1', 'F2')`).Scan(&n)
	if n != 2 {
		t.Errorf("%d leave_kind access rows for a batch that showed E1's and F2's kinds, want 2", n)
	}
}
