package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"franja/domain"
	"franja/internal/pgtest"
	"franja/postgres"
)

var ctx = context.Background()

func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	return postgres.New(pgtest.Pool(t))
}

func weekdays(w ...string) domain.Schedule {
	var s domain.Schedule
	for d := time.Monday; d <= time.Friday; d++ {
		for _, txt := range w {
			win, err := domain.ParseWindow(txt)
			if err != nil {
				panic(err)
			}
			s[d] = append(s[d], win)
		}
	}
	return s
}

func date(s string) domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func newPost(code string) domain.Post {
	return domain.Post{
		Code: code, Name: "Post " + code, Kind: domain.PostEmbassy, Country: "JP", City: "Tokyo",
		TimeZone: "Asia/Tokyo", Calendars: []string{"JP", "CO"},
		Schedules: []domain.ScheduleVersion{{Schedule: weekdays("09:00-12:00", "13:00-18:00")}},
	}
}

func mustPost(t *testing.T, s *postgres.Store, code string) domain.Post {
	t.Helper()
	p, err := s.CreatePost(ctx, newPost(code))
	if err != nil {
		t.Fatalf("CreatePost(%s): %v", code, err)
	}
	return p
}

// wantCode fails the test unless err is a domain error with code.
func wantCode(t *testing.T, err error, code domain.ErrorCode) {
	t.Helper()
	if got := domain.ErrorCodeOf(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

// fieldsOf returns the field names of a domain error.
func fieldsOf(err error) []string {
	e, _ := err.(*domain.Error)
	if e == nil {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestPostRoundTrip(t *testing.T) {
	s := newStore(t)
	in := newPost("EMB-TOKYO")
	in.Schedules = append(in.Schedules, domain.ScheduleVersion{From: date("2027-01-01"), Schedule: weekdays("08:00-16:00")})
	in.HolidayPicks = []domain.HolidayPick{{Calendar: "ES", Holiday: "Fiesta Nacional de España"}}
	in.HolidaysBeyondData = domain.BeyondDataClosed
	created, err := s.CreatePost(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if created.Version != 1 || created.UpdatedAt.IsZero() {
		t.Errorf("version %d, updated_at %v; want 1 and set", created.Version, created.UpdatedAt)
	}
	got, err := s.FindPostByCode(ctx, "EMB-TOKYO")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, got, cmpopts.IgnoreFields(domain.Post{}, "Version", "UpdatedAt")); diff != "" {
		t.Errorf("round trip (-sent +stored):\n%s", diff)
	}
	_, err = s.CreatePost(ctx, in)
	wantCode(t, err, domain.EConflict)
}

func TestCreatePostReportsEveryProblem(t *testing.T) {
	s := newStore(t)
	p := domain.Post{Code: "bog", Name: "", Kind: "palace", Country: "Colombia", City: "Bogotá\x00",
		TimeZone: "America/Bogata", Calendars: []string{"XX", "CO", "CO"},
		Schedules: []domain.ScheduleVersion{{Schedule: domain.Schedule{time.Monday: {{Start: 1500, End: 480}}}}}}
	_, err := s.CreatePost(ctx, p)
	wantCode(t, err, domain.EInvalid)
	want := []string{"code", "name", "kind", "country", "city", "time_zone", "calendars[0]", "calendars[2]", "schedules[0].schedule.mon[0]"}
	if diff := cmp.Diff(want, fieldsOf(err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestUpdatePostVersions(t *testing.T) {
	name := "Renamed"
	tests := []struct {
		name      string
		code      string
		ifVersion int64
		want      domain.ErrorCode
	}{
		{"current version", "BOG", 1, ""},
		{"any version", "BOG", postgres.AnyVersion, ""},
		{"stale version", "BOG", 7, domain.EPreconditionFailed},
		{"missing post", "NOPE", 1, domain.ENotFound},
		{"missing post, any version", "NOPE", postgres.AnyVersion, domain.ENotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			mustPost(t, s, "BOG")
			got, err := s.UpdatePost(ctx, tt.code, postgres.PostPatch{Name: &name}, tt.ifVersion)
			if tt.want != "" {
				wantCode(t, err, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != 2 || got.Name != name {
				t.Errorf("got version %d name %q, want 2 %q", got.Version, got.Name, name)
			}
		})
	}
}

func TestUpdatePostChangesOnlyPatchedFields(t *testing.T) {
	s := newStore(t)
	before := mustPost(t, s, "BOG")
	zone := "America/Bogota"
	after, err := s.UpdatePost(ctx, "BOG", postgres.PostPatch{TimeZone: &zone}, before.Version)
	if err != nil {
		t.Fatal(err)
	}
	want := before
	want.TimeZone = zone
	want.Version = 2
	if diff := cmp.Diff(want, after, cmpopts.IgnoreFields(domain.Post{}, "UpdatedAt")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !after.UpdatedAt.After(before.UpdatedAt) {
		t.Errorf("updated_at did not move: %v → %v", before.UpdatedAt, after.UpdatedAt)
	}
}

func TestDeletePost(t *testing.T) {
	s := newStore(t)
	mustPost(t, s, "BOG")
	mustPerson(t, s, "E1", "BOG", "")
	err := s.DeletePost(ctx, "BOG", postgres.AnyVersion)
	wantCode(t, err, domain.EConflict)
	wantCode(t, s.DeletePost(ctx, "NOPE", postgres.AnyVersion), domain.ENotFound)
	if err := s.DeletePerson(ctx, "E1", postgres.AnyVersion); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeletePost(ctx, "BOG", 2), domain.EPreconditionFailed)
	if err := s.DeletePost(ctx, "BOG", 1); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindPostByCode(ctx, "BOG")
	wantCode(t, err, domain.ENotFound)
}

func TestListPostsWalksEveryRowOnce(t *testing.T) {
	s := newStore(t)
	var want []string
	for i := range 7 {
		code := fmt.Sprintf("P%02d", 7-i)
		mustPost(t, s, code)
		want = append([]string{code}, want...)
	}
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		posts, next, err := s.ListPosts(ctx, postgres.Page{After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			got = append(got, p.Code)
			if len(p.Schedules) != 1 {
				t.Errorf("%s has %d schedule versions, want 1", p.Code, len(p.Schedules))
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
}
