package feed

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
	"franja/policy"
	"franja/view"
)

func d(y int, m time.Month, day int) domain.Date { return domain.NewDate(y, m, day) }

// TestAbsencesShowTheUnionNeverTheLeave: overlapping and touching leave is
// one absence; a partial leave inside it disappears; a commission is not
// an absence; everything is cut to the window.
func TestAbsencesShowTheUnionNeverTheLeave(t *testing.T) {
	bog, _ := time.LoadLocation("America/Bogota")
	at := func(day, h int) time.Time { return time.Date(2026, 11, day, h, 0, 0, 0, bog) }
	p := &view.Person{ExternalID: "E1", Leaves: []view.Leave{
		view.NewLeave(0, domain.LeaveVacation, "", "", d(2026, 11, 2), d(2026, 11, 6), time.Time{}, time.Time{}),
		view.NewLeave(0, domain.LeaveSick, "", "", d(2026, 11, 7), d(2026, 11, 9), time.Time{}, time.Time{}),                // touches: joined
		view.NewLeave(0, domain.LeaveStudyPermission, "", "", domain.Date{}, domain.Date{}, at(4, 10), at(4, 12)),           // inside the union: dropped
		view.NewLeave(0, domain.LeaveUnionPermission, "", "", domain.Date{}, domain.Date{}, at(20, 9), at(20, 11)),          // kept, and joined with
		view.NewLeave(0, domain.LeaveLactationPermission, "", "", domain.Date{}, domain.Date{}, at(20, 11), at(20, 12)),     // the one it touches
		view.NewLeave(0, domain.LeaveServiceCommission, "", "", d(2026, 11, 23), d(2026, 11, 27), time.Time{}, time.Time{}), // work
		view.NewLeave(0, domain.LeaveMaternity, "", "", d(2026, 11, 28), d(2027, 3, 1), time.Time{}, time.Time{}),           // cut at the window
	}}
	got := Absences(p, d(2026, 11, 1), d(2026, 12, 1), bog)
	want := []Event{
		{What: Away, Person: "E1", Date: d(2026, 11, 2), EndDate: d(2026, 11, 10)},
		{What: Away, Person: "E1", Date: d(2026, 11, 28), EndDate: d(2026, 12, 1)},
		{What: Away, Person: "E1", Start: at(20, 9).UTC(), End: at(20, 12).UTC()},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFlatten(t *testing.T) {
	w := func(s string) domain.Window {
		x, err := domain.ParseWindow(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	week := func(ws ...string) domain.Schedule {
		var s domain.Schedule
		for _, day := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday} {
			for _, x := range ws {
				s[day] = append(s[day], w(x))
			}
		}
		return s
	}
	uneven := week("08:00-16:00")
	uneven[time.Friday] = []domain.Window{w("07:00-13:00")}
	fullDay := week("00:00-24:00")
	for _, c := range []struct {
		name       string
		s          domain.Schedule
		start, end string
		notes      []string
	}{
		{"one window", week("09:00-17:00"), "09:00:00.0000000", "17:00:00.0000000", nil},
		{"split", week("08:00-12:00", "13:00-17:00"), "08:00:00.0000000", "17:00:00.0000000", []string{NoteSplitWindows}},
		{"uneven", uneven, "07:00:00.0000000", "16:00:00.0000000", []string{NoteDiffersByDay}},
		{"night", week("22:00-06:00"), "22:00:00.0000000", "06:00:00.0000000", []string{NoteOvernight}},
		{"whole days", fullDay, "00:00:00.0000000", "23:59:59.9999999", nil},
		{"nothing", domain.Schedule{}, "00:00:00.0000000", "00:00:00.0000000", []string{NoteNoSchedule}},
	} {
		f := Flatten(c.s, "America/Bogota", policy.English)
		var codes []string
		for _, n := range f.Notes {
			codes = append(codes, n.Code)
			if n.Message == "" {
				t.Errorf("%s: a note without a message", c.name)
			}
		}
		if f.WorkingHours.StartTime != c.start || f.WorkingHours.EndTime != c.end || !cmp.Equal(codes, c.notes) || f.Exact != (len(c.notes) == 0) {
			t.Errorf("%s: %+v", c.name, f)
		}
	}
}
