package postgres_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/domain"
	"franja/internal/pgtest"
	"franja/postgres"
)

func newPerson(id, post, supervisor string) domain.Person {
	return domain.Person{ExternalID: id, FullName: "Person " + id, Email: strings.ToLower(id) + "@example.org",
		Post: post, Supervisor: supervisor, Exception: domain.ExceptionNone}
}

func mustPerson(t *testing.T, s *postgres.Store, id, post, supervisor string) domain.Person {
	t.Helper()
	p, err := s.CreatePerson(ctx, newPerson(id, post, supervisor))
	if err != nil {
		t.Fatalf("CreatePerson(%s): %v", id, err)
	}
	return p
}

func TestPersonRoundTrip(t *testing.T) {
	s := newStore(t)
	mustPost(t, s, "BOG")
	mustPerson(t, s, "E0", "BOG", "")
	in := domain.Person{ExternalID: "E1.a-b_c", FullName: "Ana Pérez", Email: "ana@example.org", Post: "BOG",
		TimeZone: "America/Bogota", Supervisor: "E0", Exception: domain.ExceptionDisponibilidadPermanente,
		Schedules: []domain.ScheduleVersion{{Schedule: weekdays("22:00-06:00")}}}
	if _, err := s.CreatePerson(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindPersonByExternalID(ctx, in.ExternalID)
	if err != nil {
		t.Fatal(err)
	}
	in.Zone = "America/Bogota" // read with the person: their own zone
	if diff := cmp.Diff(in, got, cmpopts.IgnoreFields(domain.Person{}, "Version", "UpdatedAt")); diff != "" {
		t.Errorf("round trip (-sent +stored):\n%s", diff)
	}
	_, err = s.CreatePerson(ctx, in)
	wantCode(t, err, domain.EConflict)
}

func TestCreatePersonChecksReferences(t *testing.T) {
	s := newStore(t)
	_, err := s.CreatePerson(ctx, newPerson("E1", "NOPE", "E404"))
	wantCode(t, err, domain.EInvalid)
	if diff := cmp.Diff([]string{"post", "supervisor"}, fieldsOf(err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestUpdatePersonRefusesSupervisorCycle(t *testing.T) {
	s := newStore(t)
	mustPost(t, s, "BOG")
	mustPerson(t, s, "E1", "BOG", "")
	mustPerson(t, s, "E2", "BOG", "E1")
	mustPerson(t, s, "E3", "BOG", "E2")
	sup := "E3"
	_, err := s.UpdatePerson(ctx, "E1", postgres.PersonPatch{Supervisor: &sup}, postgres.AnyVersion)
	wantCode(t, err, domain.EInvalid)
	e := err.(*domain.Error)
	if len(e.Fields) != 1 || e.Fields[0].Field != "supervisor" || !strings.Contains(e.Fields[0].Text().String(), "E3 already reports (directly or indirectly) to E1") {
		t.Errorf("fields = %+v", e.Fields)
	}
	clear := ""
	got, err := s.UpdatePerson(ctx, "E2", postgres.PersonPatch{Supervisor: &clear}, postgres.AnyVersion)
	if err != nil || got.Supervisor != "" {
		t.Fatalf("clearing the supervisor: %+v, %v", got, err)
	}
}

// TestSupervisorCycleTriggerUnderConcurrency makes two transactions each
// close half of a cycle (E1→E2 and E2→E1) at once, bypassing the store's own
// check: the deferred trigger must let exactly one commit.
func TestSupervisorCycleTriggerUnderConcurrency(t *testing.T) {
	pool := pgtest.Pool(t)
	s := postgres.New(pool)
	mustPost(t, s, "BOG")
	mustPerson(t, s, "E1", "BOG", "")
	mustPerson(t, s, "E2", "BOG", "")
	errs := make([]error, 2)
	var updated, wg sync.WaitGroup
	updated.Add(2)
	for i, pair := range [][2]string{{"E1", "E2"}, {"E2", "E1"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = setSupervisorRaw(pool, pair[0], pair[1], &updated)
		}()
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			if !strings.Contains(err.Error(), "supervisor cycle") {
				t.Errorf("unexpected error: %v", err)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d of 2 transactions failed, want exactly 1: %v", failed, errs)
	}
}

// setSupervisorRaw updates in its own transaction and commits only once both
// goroutines have updated, so that neither sees the other's row committed.
func setSupervisorRaw(pool *pgxpool.Pool, id, sup string, updated *sync.WaitGroup) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		updated.Done()
		return err
	}
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `UPDATE people SET supervisor = $2 WHERE external_id = $1`, id, sup)
	updated.Done()
	if err != nil {
		return err
	}
	updated.Wait()
	return tx.Commit(ctx)
}

func TestUpdatePersonPatch(t *testing.T) {
	s := newStore(t)
	mustPost(t, s, "BOG")
	mustPost(t, s, "TYO")
	boss := mustPerson(t, s, "B1", "BOG", "")
	_ = boss
	before, err := s.CreatePerson(ctx, domain.Person{ExternalID: "E1", FullName: "Ana", Email: "a@example.org", Post: "BOG",
		TimeZone: "America/Bogota", Supervisor: "B1", Exception: domain.ExceptionNone,
		Schedules: []domain.ScheduleVersion{{Schedule: weekdays("08:00-12:00")}}})
	if err != nil {
		t.Fatal(err)
	}
	post, clear := "TYO", ""
	after, err := s.UpdatePerson(ctx, "E1", postgres.PersonPatch{Post: &post, TimeZone: &clear, ClearSchedules: true}, before.Version)
	if err != nil {
		t.Fatal(err)
	}
	want := before
	want.Post, want.TimeZone, want.Schedules, want.Version = "TYO", "", []domain.ScheduleVersion{}, before.Version+1
	want.Zone = "Asia/Tokyo" // the new post's, read in the same transaction
	if diff := cmp.Diff(want, after, cmpopts.IgnoreFields(domain.Person{}, "UpdatedAt")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	zone, err := s.PersonZone(ctx, "E1")
	if err != nil || zone != "Asia/Tokyo" {
		t.Errorf("PersonZone = %q, %v; want the post's Asia/Tokyo", zone, err)
	}
	_, err = s.UpdatePerson(ctx, "E1", postgres.PersonPatch{Post: &post}, before.Version)
	wantCode(t, err, domain.EPreconditionFailed)
	_, err = s.UpdatePerson(ctx, "E404", postgres.PersonPatch{Post: &post}, before.Version)
	wantCode(t, err, domain.ENotFound)
}

func TestListPeopleFilters(t *testing.T) {
	s := newStore(t)
	mustPost(t, s, "BOG")
	mustPost(t, s, "TYO")
	mustPerson(t, s, "B1", "BOG", "")
	for i := range 5 {
		post := []string{"BOG", "TYO"}[i%2]
		mustPerson(t, s, fmt.Sprintf("E%d", i), post, "B1")
	}
	mustPerson(t, s, "X1", "TYO", "E1")
	tests := []struct {
		name   string
		filter postgres.PeopleFilter
		want   []string
	}{
		{"all", postgres.PeopleFilter{}, []string{"B1", "E0", "E1", "E2", "E3", "E4", "X1"}},
		{"by post", postgres.PeopleFilter{Post: "TYO"}, []string{"E1", "E3", "X1"}},
		{"by supervisor", postgres.PeopleFilter{Supervisor: "B1"}, []string{"E0", "E1", "E2", "E3", "E4"}},
		{"by both", postgres.PeopleFilter{Post: "BOG", Supervisor: "B1"}, []string{"E0", "E2", "E4"}},
		{"unknown post", postgres.PeopleFilter{Post: "NOPE"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			f := tt.filter
			f.Page.Limit = 2
			for range 10 {
				people, next, err := s.ListPeople(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range people {
					got = append(got, p.ExternalID)
				}
				if next == "" {
					break
				}
				f.Page.After = next
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeletePersonWhoSupervises(t *testing.T) {
	s := newStore(t)
	mustPost(t, s, "BOG")
	mustPerson(t, s, "B1", "BOG", "")
	mustPerson(t, s, "E1", "BOG", "B1")
	err := s.DeletePerson(ctx, "B1", postgres.AnyVersion)
	wantCode(t, err, domain.EConflict)
	if !strings.Contains(err.Error(), "E1") {
		t.Errorf("message does not name who they supervise: %v", err)
	}
	wantCode(t, s.DeletePerson(ctx, "E1", 9), domain.EPreconditionFailed)
	if err := s.DeletePerson(ctx, "E1", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePerson(ctx, "B1", postgres.AnyVersion); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeletePerson(ctx, "B1", postgres.AnyVersion), domain.ENotFound)
}
