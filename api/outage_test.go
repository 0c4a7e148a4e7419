package api

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/internal/pgtest"
	"franja/postgres"
	"franja/view"
)

// deadStore is a store on an address where no database listens: every
// query fails at once with "connection refused", as when PostgreSQL has
// been killed.
func deadStore(t *testing.T) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), "postgres://franja:secret@127.0.0.1:1/franja?sslmode=disable",
		postgres.Options{ConnectTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// outageHarness is a harness whose view was loaded from a real database
// (BOG, E1) and whose store then lost it.
func outageHarness(t *testing.T) (*harness, *postgres.Store) {
	t.Helper()
	live := newHarness(t)
	live.mustCreate("/v1/posts", map[string]any{"code": "BOG", "name": "Sede Bogotá", "kind": "headquarters", "country": "CO",
		"time_zone": "America/Bogota", "calendars": []string{"CO"}, "schedule": workweek("08:00-17:00")})
	live.mustCreate("/v1/people", map[string]any{"external_id": "E1", "full_name": "Ana", "email": "ana@example.org", "post": "BOG"})
	dead := deadStore(t)
	return harnessOn(t, dead, live.view, Config{}), dead
}

// validBodies are requests that pass validation, so that they reach the
// database; other operations are sent without a body.
var validBodies = map[string]req{
	"POST /v1/posts": {Body: map[string]any{"code": "MAD", "name": "Madrid", "kind": "embassy", "country": "ES",
		"time_zone": "Europe/Madrid", "calendars": []string{"ES"}}},
	"POST /v1/people":                          {Body: map[string]any{"external_id": "E9", "full_name": "X", "email": "x@example.org", "post": "BOG"}},
	"POST /v1/people/{external_id}/leaves":     {Body: map[string]any{"kind": "vacation", "external_ref": "V9", "start_date": "2027-01-04", "end_date": "2027-01-08"}},
	"POST /v1/posts/{code}/schedules":          {Body: map[string]any{"effective_from": "2027-01-01", "schedule": workweek("09:00-13:00")}},
	"POST /v1/people/{external_id}/schedules":  {Body: map[string]any{"effective_from": "2027-01-01", "schedule": workweek("09:00-13:00")}},
	"POST /v1/api-keys":                        {Body: map[string]any{"name": "n", "role": "system"}},
	"POST /v1/posts/{code}/closures":           {Body: map[string]any{"date": "2026-12-24", "name": "Cierre"}},
	"POST /v1/posts/{code}/exclusions":         {Body: map[string]any{"date": "2026-12-08"}},
	"POST /v1/calendars/{code}/closures":       {Body: map[string]any{"date": "2026-12-24", "name": "Cierre"}},
	"PATCH /v1/posts/{code}":                   {Body: map[string]any{"name": "Bogotá"}, Header: map[string]string{"If-Match": `"1"`}},
	"PATCH /v1/people/{external_id}":           {Body: map[string]any{"full_name": "Ana M."}, Header: map[string]string{"If-Match": `"1"`}},
	"PUT /v1/calendars/{code}/holidays/{year}": {Body: "date,name\n2026-12-24,Cierre\n", ContentType: "text/csv"},
	"PUT /v1/posts/{code}/holidays/{year}":     {Body: "date,name\n2026-12-24,Cierre\n", ContentType: "text/csv"},
	"POST /v1/imports/posts":                   {Body: "code,name,kind,country,time_zone,calendars\nMAD,Madrid,embassy,ES,Europe/Madrid,ES\n", ContentType: "text/csv"},
	"POST /v1/imports/people":                  {Body: "external_id,full_name,email,post\nE9,X,x@example.org,BOG\n", ContentType: "text/csv"},
	"POST /v1/imports/leaves":                  {Body: "person,kind,external_ref,start_date,end_date\nE1,vacation,V9,2027-01-04,2027-01-08\n", ContentType: "text/csv"},
	"POST /v1/contact-checks":                  {Body: map[string]any{"checks": []any{map[string]any{"person": "E1"}}}},
	"POST /v1/contacts":                        {Body: map[string]any{"person": "E1", "requester": "E1"}},
	"POST /v1/webhooks":                        {Body: map[string]any{"name": "n", "url": "https://mensajeria.example.org/franja"}},
	"POST /v1/meeting-slots":                   {Body: map[string]any{"people": []string{"E1"}, "duration": "PT1H", "from": "2026-11-30T00:00:00Z", "to": "2026-12-05T00:00:00Z"}},
}

// TestOutageIsNeverA500 sends every operation of openapi.yaml to a replica
// whose database is gone: decisions answer from memory (200), anything that
// needs the database answers 503 with Retry-After, nothing is a 500.
func TestOutageIsNeverA500(t *testing.T) {
	h, _ := outageHarness(t)
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		t.Fatal(err)
	}
	params := strings.NewReplacer("{external_id}", "E1", "{id}", "1", "{year}", "2026", "{date}", "2026-12-24")
	var ops []string
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	sort.Strings(ops)
	unavailable := 0
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		r := validBodies[op]
		r.Method, r.SkipSpec = method, true
		code := "BOG"
		if strings.HasPrefix(path, "/v1/calendars/") {
			code = "CO"
		}
		r.Path = strings.ReplaceAll(params.Replace(path), "{code}", code)
		res := h.do(r)
		switch {
		case res.Status == http.StatusServiceUnavailable:
			unavailable++
			if res.Header.Get("Retry-After") == "" || !strings.Contains(string(res.Body), `"code":"unavailable"`) {
				t.Errorf("%s → 503 without Retry-After or code unavailable: %v %s", op, res.Header, res.Body)
			}
		case res.Status >= 500:
			t.Errorf("%s → %d during the outage: %s", op, res.Status, res.Body)
		}
	}
	if unavailable < 20 {
		t.Errorf("only %d of %d operations reached the database: the bodies no longer pass validation", unavailable, len(ops))
	}
	for _, c := range []struct {
		path string
		want int
	}{
		{"/v1/people/E1/contactability?at=2026-11-26T15:00:00Z", http.StatusOK},
		{"/v1/people/E1/next-slot?after=2026-11-26T15:00:00Z", http.StatusOK},
		// Audited before it is answered: no audit row, no exception.
		{"/v1/people/E1/contactability?at=2026-11-27T03:00:00Z&purpose=force_majeure&requester=E1&justification=Terremoto%20en%20la%20sede", http.StatusServiceUnavailable},
	} {
		if res := h.do(req{Method: "GET", Path: c.path}); res.Status != c.want {
			t.Errorf("GET %s during the outage: %d, want %d: %s", c.path, res.Status, c.want, res.Body)
		}
	}
}

// TestReadyzDuringAnOutage: the database gone does not make the replica
// unready (its decisions are right), the body says writes are unavailable,
// and only an admin sees the error text (finding 8 of issue 17: it was
// shown to anyone, with user and database names).
func TestReadyzDuringAnOutage(t *testing.T) {
	h, dead := outageHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go dead.Monitor(ctx, 50*time.Millisecond, discardLogger())
	deadline := time.Now().Add(10 * time.Second)
	for dead.Health().Up {
		if time.Now().After(deadline) {
			t.Fatal("the monitor never saw the database down")
		}
		time.Sleep(10 * time.Millisecond)
	}
	anon := h.do(req{Method: "GET", Path: "/readyz", Token: "-"})
	m := anon.Map(t)
	if anon.Status != http.StatusOK || m["decisions"] != "ok" || m["writes"] != "unavailable" {
		t.Errorf("readyz during an outage: %d %s, want 200 with writes unavailable", anon.Status, anon.Body)
	}
	if _, ok := m["details"]; ok || strings.Contains(string(anon.Body), "127.0.0.1") || strings.Contains(string(anon.Body), "franja") {
		t.Errorf("readyz shows error details without a token: %s", anon.Body)
	}
	wrong := h.do(req{Method: "GET", Path: "/readyz", Token: "frj_AAAAAAAA_" + strings.Repeat("a", 43)})
	if _, ok := wrong.Map(t)["details"]; ok {
		t.Errorf("readyz shows details to an unknown token: %s", wrong.Body)
	}
	admin := h.do(req{Method: "GET", Path: "/readyz"})
	d, _ := admin.Map(t)["details"].(map[string]any)
	if d == nil || d["database_up"] != false || !strings.Contains(d["database_error"].(string), "127.0.0.1") {
		t.Errorf("readyz for an admin: %s, want the database's error in details", admin.Body)
	}
}

// committedHarness is a harness whose database works but whose view cannot
// catch up (its own pool is gone): every write commits and the view cannot
// reflect it.
func committedHarness(t *testing.T) *harness {
	t.Helper()
	dsn := pgtest.DSN(t)
	storePool, viewPool := poolOn(t, dsn, nil), poolOn(t, dsn, nil)
	v := view.New(view.Config{Pool: viewPool, Logger: discardLogger(), SyncTimeout: 100 * time.Millisecond})
	if err := v.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	viewPool.Close()
	return harnessOn(t, postgres.New(storePool), v, Config{})
}

// TestCommittedButNotServed: a write the view cannot reflect is not a 2xx:
// 503 committed_not_served, with the answer it would have had, and the
// replica is not ready until it catches up. A dry run writes nothing, so it
// waits for nothing (finding 13 of issue 17: dry_run=1 was a dry run to the
// handler but not to the Sync wrapper).
func TestCommittedButNotServed(t *testing.T) {
	h := committedHarness(t)
	res := h.do(req{Method: "POST", Path: "/v1/posts", Body: validBodies["POST /v1/posts"].Body})
	m := res.Map(t)
	result, _ := m["result"].(map[string]any)
	if res.Status != http.StatusServiceUnavailable || m["code"] != "committed_not_served" || m["result_status"] != 201.0 ||
		result["code"] != "MAD" || res.Header.Get("Retry-After") == "" {
		t.Fatalf("a write the view cannot serve: %d %v %s", res.Status, res.Header, res.Body)
	}
	if _, err := h.store.FindPostByCode(context.Background(), "MAD"); err != nil {
		t.Errorf("the committed post is not in the database: %v", err)
	}
	if ready := h.do(req{Method: "GET", Path: "/readyz", Token: "-"}); ready.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz with a committed write not served: %d %s, want 503", ready.Status, ready.Body)
	}
	for _, q := range []string{"dry_run=1", "dry_run=true", "dry_run=TRUE"} {
		r := validBodies["POST /v1/imports/posts"]
		r.Method, r.Path = "POST", "/v1/imports/posts?"+q
		if res := h.do(r); res.Status != http.StatusOK {
			t.Errorf("an import with %s: %d %s, want 200 (a dry run needs no sync)", q, res.Status, res.Body)
		}
	}
}

// poolOn is a pool on dsn, traced by tracer when not nil, closed with the
// test.
func poolOn(t *testing.T, dsn string, tracer pgx.QueryTracer) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if tracer != nil {
		cfg.ConnConfig.Tracer = tracer
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// failAfterCommit is a pgx tracer that, once armed, fails every query after
// the next COMMIT: the database dies right after a write commits.
type failAfterCommit struct {
	armed, committed atomic.Bool
	after            atomic.Int32 // queries attempted after the commit
}

func (f *failAfterCommit) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	if f.committed.Load() {
		f.after.Add(1)
		c, cancel := context.WithCancel(ctx)
		cancel()
		return c
	}
	return ctx
}

func (f *failAfterCommit) TraceQueryEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	if d.Err == nil && d.CommandTag.String() == "COMMIT" && f.armed.Load() {
		f.committed.Store(true)
	}
}

// TestAReadAfterTheCommitCannotFailTheWrite: creating a person or a leave
// read the person's zone after the commit; a failure there answered an
// error for a committed write. Now everything the answer needs is read
// before the commit.
func TestAReadAfterTheCommitCannotFailTheWrite(t *testing.T) {
	dsn := pgtest.DSN(t)
	tracer := &failAfterCommit{}
	storePool, viewPool := poolOn(t, dsn, tracer), poolOn(t, dsn, nil)
	store := postgres.New(storePool)
	h := harnessOn(t, store, startView(t, postgres.New(viewPool)), Config{})
	h.mustCreate("/v1/posts", map[string]any{"code": "BOG", "name": "Sede Bogotá", "kind": "headquarters", "country": "CO",
		"time_zone": "America/Bogota", "calendars": []string{"CO"}, "schedule": workweek("08:00-17:00")})
	for _, c := range []struct{ path, body string }{
		{"/v1/people", `{"external_id":"E1","full_name":"Ana","email":"ana@example.org","post":"BOG"}`},
		{"/v1/people/E1/leaves", `{"kind":"vacation","external_ref":"V1","start_date":"2027-01-04","end_date":"2027-01-08"}`},
	} {
		tracer.committed.Store(false)
		tracer.armed.Store(true)
		res := h.do(req{Method: "POST", Path: c.path, Body: []byte(c.body), ContentType: "application/json"})
		tracer.armed.Store(false)
		if res.Status != http.StatusCreated || tracer.after.Load() != 0 {
			t.Errorf("POST %s with the database gone after the commit: %d (%d queries after it) %s", c.path, res.Status, tracer.after.Load(), res.Body)
		}
		tracer.committed.Store(false)
	}
}
