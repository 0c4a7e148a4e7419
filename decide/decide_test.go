package decide_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"franja/calendars"
	"franja/decide"
	"franja/domain"
	"franja/internal/pgtest"
	"franja/policy"
	"franja/postgres"
	"franja/view"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// E1 heads the post; E2 reports to E1 and is on vacation with E3 as
// encargado; E4 is nobody's report. All work Monday to Friday 08:00–17:00
// in Bogotá.
const seedSQL = `
INSERT INTO posts (code, name, kind, country, time_zone, calendars) VALUES ('BOG', 'Bogotá', 'headquarters', 'CO', 'America/Bogota', '{CO}');
INSERT INTO schedules (post, windows) VALUES ('BOG', '{"mon":["08:00-17:00"],"tue":["08:00-17:00"],"wed":["08:00-17:00"],"thu":["08:00-17:00"],"fri":["08:00-17:00"]}');
INSERT INTO people (external_id, full_name, email, post, exception) VALUES
  ('E1', 'Ana', 'ana@x.co', 'BOG', 'direccion_confianza_manejo'),
  ('E2', 'Beto', 'beto@x.co', 'BOG', 'none'),
  ('E3', 'Carla', 'carla@x.co', 'BOG', 'direccion_confianza_manejo'),
  ('E4', 'Dora', 'dora@x.co', 'BOG', 'none');
UPDATE people SET supervisor = 'E1' WHERE external_id IN ('E2', 'E3');
INSERT INTO leaves (person, kind, start_date, end_date, delegate) VALUES ('E2', 'sick_leave', '2026-11-23', '2026-11-27', 'E3');`

// thursday21 is Thursday 26 November 2026, 21:00 in Bogotá: after hours.
var thursday21 = time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)

type fixture struct {
	svc   *decide.Service
	store *postgres.Store
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	pool := pgtest.Pool(t)
	if _, err := pool.Exec(context.Background(), seedSQL); err != nil {
		t.Fatal(err)
	}
	store := postgres.New(pool)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	v := view.New(view.Config{Pool: pool, LoadStored: func(ctx context.Context, tx pgx.Tx) (*calendars.Stored, error) {
		return postgres.ReadStoredCalendars(ctx, tx)
	}, Logger: log})
	if err := v.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return fixture{svc: decide.New(v, store, log), store: store}
}

func (f fixture) exceptions(t *testing.T) []postgres.AuditEntry {
	t.Helper()
	entries, _, err := f.store.ListExceptions(context.Background(), postgres.AuditFilter{
		From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

var (
	system     = &domain.Principal{Role: domain.RoleSystem, KeyPrefix: "sys"}
	supervisor = &domain.Principal{Role: domain.RoleSupervisor, Person: "E1", KeyPrefix: "sup"}
	hr         = &domain.Principal{Role: domain.RoleHR, KeyPrefix: "hr"}
)

func urgent(person string) decide.Question {
	return decide.Question{Person: person, At: thursday21, Channel: policy.Phone, Purpose: policy.Urgent,
		Requester: "E4", Justification: "Caída del sistema consular", Horizon: 14 * 24 * time.Hour}
}

func TestAnExceptionIsRecordedBeforeTheAnswer(t *testing.T) {
	f := newFixture(t)
	a, err := f.svc.Check(context.Background(), system, "req-1", urgent("E1"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Decision.Verdict != policy.Allow || a.AuditID == nil {
		t.Fatalf("urgent call to a dirección, confianza y manejo post after hours: %s, audit %v; want allow with an audit id", a.Decision.Verdict, a.AuditID)
	}
	rows := f.exceptions(t)
	if len(rows) != 1 || rows[0].ID != *a.AuditID || rows[0].Person != "E1" || rows[0].Requester != "E4" || rows[0].RequestID != "req-1" {
		t.Fatalf("audit rows %+v; want one for E1 asked by E4 in req-1 with id %d", rows, *a.AuditID)
	}
}

func TestNoAuditNoException(t *testing.T) {
	f := newFixture(t)
	f.store.Pool().Close() // the database is gone
	_, err := f.svc.Check(context.Background(), system, "req-1", urgent("E1"))
	if err == nil {
		t.Fatal("an exception was answered without its audit row")
	}
	// A routine question needs no record, and is answered from memory.
	q := urgent("E1")
	q.Purpose, q.Channel = policy.Routine, policy.Email
	a, err := f.svc.Check(context.Background(), system, "req-2", q)
	if err != nil || a.Decision.Verdict != policy.Defer {
		t.Fatalf("routine email after hours with the database down: %v, %v; want defer", a, err)
	}
}

func TestTheDelegateIsAnsweredAndAuditedToo(t *testing.T) {
	f := newFixture(t)
	q := urgent("E2")
	q.Purpose = policy.ForceMajeure
	a, err := f.svc.Check(context.Background(), system, "req-1", q)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Decision.OnLeave || a.AuditID != nil {
		t.Fatalf("E2 on leave: on leave %v, audit %v; want on leave and no exception", a.Decision.OnLeave, a.AuditID)
	}
	if a.Delegate == nil || a.Delegate.Person.ExternalID != "E3" || a.Delegate.Decision.Verdict != policy.Allow || a.Delegate.AuditID == nil {
		t.Fatalf("delegate %+v; want E3 allowed by force majeure with an audit id", a.Delegate)
	}
	if rows := f.exceptions(t); len(rows) != 1 || rows[0].Person != "E3" {
		t.Fatalf("audit rows %+v; want one, for the delegate E3", rows)
	}
}

func TestSupervisorsAskAsThemselvesWithinTheirLine(t *testing.T) {
	f := newFixture(t)
	q := urgent("E3")
	q.Requester = ""
	a, err := f.svc.Check(context.Background(), supervisor, "req-1", q)
	if err != nil {
		t.Fatal(err)
	}
	if a.Question.Requester != "E1" {
		t.Fatalf("requester %q; a supervisor key asks as its person E1", a.Question.Requester)
	}
	q.Requester = "E4"
	if _, err := f.svc.Check(context.Background(), supervisor, "req-2", q); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Fatalf("a supervisor naming another requester: %v; want invalid", err)
	}
	// Outside the line, existing or not, the same refusal.
	for _, id := range []string{"E4", "NOPE"} {
		_, err := f.svc.Check(context.Background(), supervisor, "req-3", decide.Question{Person: id, At: thursday21, Channel: policy.Email, Purpose: policy.Routine})
		if domain.ErrorCodeOf(err) != domain.EForbidden {
			t.Fatalf("supervisor asking about %s: %v; want forbidden", id, err)
		}
	}
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	f := newFixture(t)
	q := urgent("E1")
	q.Requester, q.Justification = "NOPE", "short"
	_, err := f.svc.Check(context.Background(), system, "req-1", q, domain.FieldError{Field: "at", Message: "is not an instant"})
	var e *domain.Error
	if !errors.As(err, &e) || len(e.Fields) != 3 {
		t.Fatalf("%v; want the caller's problem with at plus requester and justification", err)
	}
	if rows := f.exceptions(t); len(rows) != 0 {
		t.Fatalf("an invalid question wrote %d audit rows", len(rows))
	}
}

func TestLeaveKindsAreShownToHROnlyAndTheirAccessLogged(t *testing.T) {
	f := newFixture(t)
	q := decide.Question{Person: "E2", At: thursday21, Channel: policy.Email, Purpose: policy.Routine, Horizon: 14 * 24 * time.Hour}
	for _, c := range []struct {
		p    *domain.Principal
		sees bool
	}{{system, false}, {supervisor, false}, {hr, true}} {
		a, err := f.svc.Check(context.Background(), c.p, "req-"+string(c.p.Role), q)
		if err != nil {
			t.Fatal(err)
		}
		if a.SeesLeaveKinds != c.sees {
			t.Errorf("%s sees leave kinds: %v; want %v", c.p.Role, a.SeesLeaveKinds, c.sees)
		}
	}
	var n int
	if err := f.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM access_log WHERE person = 'E2' AND what = 'leave_kind'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d leave-kind accesses logged; want 1, hr's", n)
	}
}
