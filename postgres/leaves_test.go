package postgres_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"franja/domain"
	"franja/postgres"
)

func TestCreateLeaveUpsertsByExternalRef(t *testing.T) {
	s := newStore(t)
	mustPost(t, s, "BOG")
	mustPerson(t, s, "E1", "BOG", "")
	mustPerson(t, s, "E2", "BOG", "")
	from, to := date("2026-12-01"), date("2026-12-15")
	in := domain.Leave{Person: "E1", Kind: domain.LeaveVacation, ExternalRef: "HR:2026/77", StartDate: &from, EndDate: &to, Delegate: "E2"}

	first, created, err := s.CreateLeave(ctx, in)
	if err != nil || !created || first.Version != 1 {
		t.Fatalf("first: %+v created %v err %v", first, created, err)
	}
	if diff := cmp.Diff(in, first, cmpopts.IgnoreFields(domain.Leave{}, "ID", "Version", "UpdatedAt")); diff != "" {
		t.Errorf("stored (-sent +got):\n%s", diff)
	}

	same, created, err := s.CreateLeave(ctx, in)
	if err != nil || created || same.ID != first.ID || same.Version != 1 {
		t.Errorf("re-sent unchanged: id %d version %d created %v err %v; want id %d version 1, not created", same.ID, same.Version, created, err, first.ID)
	}

	later := date("2026-12-20")
	in.EndDate = &later
	changed, created, err := s.CreateLeave(ctx, in)
	if err != nil || created || changed.ID != first.ID || changed.Version != 2 || *changed.EndDate != later {
		t.Errorf("re-sent changed: %+v created %v err %v", changed, created, err)
	}

	other := in
	other.Person, other.Delegate = "E2", ""
	_, _, err = s.CreateLeave(ctx, other)
	wantCode(t, err, domain.EConflict)

	leaves, _, err := s.ListLeaves(ctx, "E1", 0, 100)
	if err != nil || len(leaves) != 1 {
		t.Errorf("E1 has %d leaves (%v), want 1", len(leaves), err)
	}
}

func TestCreateLeaveWithoutRefAlwaysInserts(t *testing.T) {
	s := newStore(t)
	mustPost(t, s, "BOG")
	mustPerson(t, s, "E1", "BOG", "")
	a, b := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	in := domain.Leave{Person: "E1", Kind: domain.LeaveStudyPermission, StartsAt: &a, EndsAt: &b}
	for range 2 {
		if _, created, err := s.CreateLeave(ctx, in); err != nil || !created {
			t.Fatalf("created %v, %v", created, err)
		}
	}
	leaves, next, err := s.ListLeaves(ctx, "E1", 0, 1)
	if err != nil || len(leaves) != 1 || next != leaves[0].ID {
		t.Fatalf("page 1: %v next %d err %v", leaves, next, err)
	}
	rest, next, err := s.ListLeaves(ctx, "E1", next, 1)
	if err != nil || len(rest) != 1 || next != 0 || rest[0].ID == leaves[0].ID || !rest[0].StartsAt.Equal(a) {
		t.Fatalf("page 2: %v next %d err %v", rest, next, err)
	}
	_, _, err = s.ListLeaves(ctx, "E404", 0, 1)
	wantCode(t, err, domain.ENotFound)
}

func TestCreateLeaveValidation(t *testing.T) {
	d1, d2 := date("2026-12-10"), date("2026-12-01")
	at := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		leave domain.Leave
		code  domain.ErrorCode
		want  []string
	}{
		{"end before start", domain.Leave{Person: "E1", Kind: domain.LeaveVacation, StartDate: &d1, EndDate: &d2}, domain.EInvalid, []string{"end_date"}},
		{"dates and instants", domain.Leave{Person: "E1", Kind: domain.LeaveVacation, StartDate: &d1, EndDate: &d1, StartsAt: &at, EndsAt: &at}, domain.EInvalid, []string{"start_date"}},
		{"neither", domain.Leave{Person: "E1", Kind: "holiday"}, domain.EInvalid, []string{"kind", "start_date"}},
		{"delegate is the person", domain.Leave{Person: "E1", Kind: domain.LeaveVacation, StartDate: &d2, EndDate: &d1, Delegate: "E1"}, domain.EInvalid, []string{"delegate"}},
		{"unknown delegate", domain.Leave{Person: "E1", Kind: domain.LeaveVacation, StartDate: &d2, EndDate: &d1, Delegate: "E9"}, domain.EInvalid, []string{"delegate"}},
		{"zone on a vacation", domain.Leave{Person: "E1", Kind: domain.LeaveVacation, StartDate: &d2, EndDate: &d1, TimeZone: "Asia/Tokyo"}, domain.EInvalid, []string{"time_zone"}},
		{"unknown person", domain.Leave{Person: "E9", Kind: domain.LeaveVacation, StartDate: &d2, EndDate: &d1}, domain.ENotFound, nil},
	}
	s := newStore(t)
	mustPost(t, s, "BOG")
	mustPerson(t, s, "E1", "BOG", "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.CreateLeave(ctx, tt.leave)
			wantCode(t, err, tt.code)
			if diff := cmp.Diff(tt.want, fieldsOf(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	commission := domain.Leave{Person: "E1", Kind: domain.LeaveServiceCommission, StartDate: &d2, EndDate: &d1, TimeZone: "Asia/Tokyo"}
	if _, _, err := s.CreateLeave(ctx, commission); err != nil {
		t.Errorf("service commission with a zone: %v", err)
	}
}

func TestDeleteLeaveVersions(t *testing.T) {
	s := newStore(t)
	mustPost(t, s, "BOG")
	mustPerson(t, s, "E1", "BOG", "")
	mustPerson(t, s, "E2", "BOG", "")
	d := date("2026-12-01")
	l, _, err := s.CreateLeave(ctx, domain.Leave{Person: "E1", Kind: domain.LeaveSick, StartDate: &d, EndDate: &d})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteLeave(ctx, "E2", l.ID, postgres.AnyVersion), domain.ENotFound)
	wantCode(t, s.DeleteLeave(ctx, "E1", l.ID+1, postgres.AnyVersion), domain.ENotFound)
	wantCode(t, s.DeleteLeave(ctx, "E1", l.ID, 2), domain.EPreconditionFailed)
	if err := s.DeleteLeave(ctx, "E1", l.ID, 1); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindLeave(ctx, "E1", l.ID)
	wantCode(t, err, domain.ENotFound)
}
