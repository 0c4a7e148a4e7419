package postgres_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
	"franja/postgres"
)

func TestScheduleOn(t *testing.T) {
	always, v2026, v2027 := weekdays("08:00-17:00"), weekdays("07:00-16:00"), weekdays("09:00-18:00")
	versions := []domain.ScheduleVersion{{From: date("2027-01-01"), Schedule: v2027}, {Schedule: always}, {From: date("2026-03-01"), Schedule: v2026}}
	tests := []struct {
		name     string
		versions []domain.ScheduleVersion
		on       string
		want     domain.Schedule
		ok       bool
	}{
		{"before every dated version", versions, "2026-02-28", always, true},
		{"on the day a version starts", versions, "2026-03-01", v2026, true},
		{"between versions", versions, "2026-12-31", v2026, true},
		{"after the last", versions, "2030-01-01", v2027, true},
		{"nothing in force yet", versions[:1], "2026-12-31", domain.Schedule{}, false},
		{"no versions", nil, "2026-12-31", domain.Schedule{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := postgres.ScheduleOn(tt.versions, date(tt.on))
			if ok != tt.ok || !cmp.Equal(got, tt.want) {
				t.Errorf("ScheduleOn(%s) = %v, %v; want %v, %v", tt.on, got.CellString(), ok, tt.want.CellString(), tt.ok)
			}
		})
	}
}

func TestAddPostScheduleIsEffectiveDated(t *testing.T) {
	s := newStore(t)
	p := mustPost(t, s, "BOG")
	before := p.Schedules[0].Schedule
	next := weekdays("07:00-15:00")
	got, created, err := s.AddPostSchedule(ctx, "BOG", domain.ScheduleVersion{From: date("2027-01-01"), Schedule: next}, p.Version)
	if err != nil || !created {
		t.Fatalf("AddPostSchedule: created %v, %v", created, err)
	}
	if got.Version != 2 || len(got.Schedules) != 2 {
		t.Fatalf("version %d, %d versions; want 2 and 2", got.Version, len(got.Schedules))
	}
	if on, _ := postgres.ScheduleOn(got.Schedules, date("2026-12-31")); !cmp.Equal(on, before) {
		t.Errorf("2026 answer changed to %s", on.CellString())
	}
	if on, _ := postgres.ScheduleOn(got.Schedules, date("2027-01-01")); !cmp.Equal(on, next) {
		t.Errorf("2027 answer is %s", on.CellString())
	}
	// The same date again replaces that version.
	again := weekdays("06:00-14:00")
	got, created, err = s.AddPostSchedule(ctx, "BOG", domain.ScheduleVersion{From: date("2027-01-01"), Schedule: again}, got.Version)
	if err != nil || created || len(got.Schedules) != 2 || !cmp.Equal(got.Schedules[1].Schedule, again) {
		t.Errorf("replacing: created %v, err %v, versions %v", created, err, got.Schedules)
	}
	_, _, err = s.AddPostSchedule(ctx, "BOG", domain.ScheduleVersion{Schedule: next}, 1)
	wantCode(t, err, domain.EPreconditionFailed)
	_, _, err = s.AddPostSchedule(ctx, "NOPE", domain.ScheduleVersion{Schedule: next}, postgres.AnyVersion)
	wantCode(t, err, domain.ENotFound)
}
