package engine

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

const (
	office = "mon=08:00-12:00,13:00-17:00;tue=08:00-12:00,13:00-17:00;wed=08:00-12:00,13:00-17:00;thu=08:00-12:00,13:00-17:00;fri=08:00-12:00,13:00-17:00"
	night  = "mon=22:00-06:00;tue=06:00-10:00"
)

// every returns a schedule cell with the same windows on all seven days.
func every(windows string) string {
	out := ""
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		out += d + "=" + windows + ";"
	}
	return out
}

// statusView is Status flattened for comparison.
type statusView struct {
	Allowed bool
	Reason  Reason
	Holiday []string
	LeaveID int64
	Until   string
}

func view(s Status) statusView {
	v := statusView{Allowed: s.Allowed, Reason: s.Reason, Holiday: s.Holiday, Until: fmtT(s.Until)}
	if s.Leave != nil {
		v.LeaveID = s.Leave.ID
	}
	return v
}

func TestCheck(t *testing.T) {
	bog := func(sched string) fixture { return fixture{zone: "America/Bogota", sched: sched} }
	withHol := func(f fixture, h map[string][]string) fixture { f.holidays = h; return f }
	withLeave := func(f fixture, ls ...Leave) fixture { f.leaves = ls; return f }
	allowedUntil := func(u string) statusView { return statusView{Allowed: true, Reason: WithinWorkingHours, Until: u} }
	tests := []struct {
		name string
		f    fixture
		at   string
		want statusView
	}{
		{"in the morning window", bog(office), "2026-03-02T09:00:00-05:00", allowedUntil("2026-03-02T12:00:00-05:00")},
		{"at a window's start", bog(office), "2026-03-02T08:00:00-05:00", allowedUntil("2026-03-02T12:00:00-05:00")},
		{"at a window's end (exclusive)", bog(office), "2026-03-02T12:00:00-05:00", statusView{Reason: OutsideWorkingHours}},
		{"lunch break", bog(office), "2026-03-02T12:30:00-05:00", statusView{Reason: OutsideWorkingHours}},
		{"before work", bog(office), "2026-03-02T07:59:59-05:00", statusView{Reason: OutsideWorkingHours}},
		{"saturday", bog(office), "2026-03-07T10:00:00-05:00", statusView{Reason: RestDay}},
		{"instant given in another zone", bog(office), "2026-03-02T14:00:00Z", allowedUntil("2026-03-02T12:00:00-05:00")},
		{"night shift, evening part", bog(night), "2026-03-02T23:00:00-05:00", allowedUntil("2026-03-03T10:00:00-05:00")},
		{"night shift, 02:00 next day", bog(night), "2026-03-03T02:00:00-05:00", allowedUntil("2026-03-03T10:00:00-05:00")},
		{"night shift ends, touching window joins", bog(night), "2026-03-03T06:00:00-05:00", allowedUntil("2026-03-03T10:00:00-05:00")},
		{"night shift alone ends at 06:00", bog("mon=22:00-06:00"), "2026-03-03T05:59:00-05:00", allowedUntil("2026-03-03T06:00:00-05:00")},
		{"after a night shift, tuesday is a rest day", bog("mon=22:00-06:00"), "2026-03-03T07:00:00-05:00", statusView{Reason: RestDay}},
		{"holiday on a workday", withHol(bog(office), map[string][]string{"2026-01-01": {"Año Nuevo"}}), "2026-01-01T09:00:00-05:00",
			statusView{Reason: PublicHoliday, Holiday: []string{"Año Nuevo"}}},
		{"holiday outside hours still says holiday", withHol(bog(office), map[string][]string{"2026-01-01": {"Año Nuevo"}}), "2026-01-01T20:00:00-05:00",
			statusView{Reason: PublicHoliday, Holiday: []string{"Año Nuevo"}}},
		{"two holidays on one date", withHol(bog(office), map[string][]string{"2025-06-30": {"Sagrado Corazón", "San Pedro y San Pablo"}}), "2025-06-30T09:00:00-05:00",
			statusView{Reason: PublicHoliday, Holiday: []string{"Sagrado Corazón", "San Pedro y San Pablo"}}},
		{"night window of a holiday, next date not a holiday", withHol(bog(night), map[string][]string{"2026-03-02": {"X"}}), "2026-03-03T02:00:00-05:00",
			statusView{Reason: PublicHoliday, Holiday: []string{"X"}}},
		{"night window into a holiday still works", withHol(bog(night), map[string][]string{"2026-03-03": {"X"}}), "2026-03-03T02:00:00-05:00",
			allowedUntil("2026-03-03T06:00:00-05:00")},
		{"all-day leave", withLeave(bog(office), allDay(t, 7, "2026-03-02", "2026-03-06")), "2026-03-04T09:00:00-05:00",
			statusView{Reason: OnLeave, LeaveID: 7}},
		{"all-day leave outside hours", withLeave(bog(office), allDay(t, 7, "2026-03-02", "2026-03-06")), "2026-03-04T22:00:00-05:00",
			statusView{Reason: OnLeave, LeaveID: 7}},
		{"leave beats holiday", withHol(withLeave(bog(office), allDay(t, 7, "2026-01-01", "2026-01-02")), map[string][]string{"2026-01-01": {"Año Nuevo"}}), "2026-01-01T09:00:00-05:00",
			statusView{Reason: OnLeave, LeaveID: 7}},
		{"leave on the night window's date", withLeave(bog(night), allDay(t, 3, "2026-03-02", "2026-03-02")), "2026-03-03T02:00:00-05:00",
			statusView{Reason: OnLeave, LeaveID: 3}},
		{"leave starting the day after a night window's start", withLeave(bog("mon=22:00-06:00"), allDay(t, 3, "2026-03-03", "2026-03-03")), "2026-03-03T02:00:00-05:00",
			allowedUntil("2026-03-03T06:00:00-05:00")},
		{"partial leave inside a window", withLeave(bog(office), partial(t, 9, "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00")), "2026-03-02T10:30:00-05:00",
			statusView{Reason: OnLeave, LeaveID: 9}},
		{"before a partial leave", withLeave(bog(office), partial(t, 9, "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00")), "2026-03-02T09:00:00-05:00",
			allowedUntil("2026-03-02T10:00:00-05:00")},
		{"at a partial leave's end", withLeave(bog(office), partial(t, 9, "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00")), "2026-03-02T11:00:00-05:00",
			allowedUntil("2026-03-02T12:00:00-05:00")},
		{"partial leave across lunch", withLeave(bog(office), partial(t, 9, "2026-03-02T11:00:00-05:00", "2026-03-02T14:00:00-05:00")), "2026-03-02T12:30:00-05:00",
			statusView{Reason: OnLeave, LeaveID: 9}},
		{"overlapping leaves: first in order that covers", withLeave(bog(office), allDay(t, 1, "2026-03-02", "2026-03-04"), allDay(t, 2, "2026-03-03", "2026-03-06")), "2026-03-03T09:00:00-05:00",
			statusView{Reason: OnLeave, LeaveID: 1}},
		{"overlapping leaves: the later one", withLeave(bog(office), allDay(t, 1, "2026-03-02", "2026-03-04"), allDay(t, 2, "2026-03-03", "2026-03-06")), "2026-03-05T09:00:00-05:00",
			statusView{Reason: OnLeave, LeaveID: 2}},
		{"service commission does not block", withLeave(bog(office), Leave{ID: 4, StartDate: mustDate(t, "2026-03-02"), EndDate: mustDate(t, "2026-03-06")}), "2026-03-04T09:00:00-05:00",
			allowedUntil("2026-03-04T12:00:00-05:00")},
		{"sunday-thursday week: sunday", fixture{zone: "Asia/Riyadh", sched: "sun=08:00-16:00;mon=08:00-16:00;tue=08:00-16:00;wed=08:00-16:00;thu=08:00-16:00"}, "2026-03-01T09:00:00+03:00",
			allowedUntil("2026-03-01T16:00:00+03:00")},
		{"sunday-thursday week: friday", fixture{zone: "Asia/Riyadh", sched: "sun=08:00-16:00;mon=08:00-16:00;tue=08:00-16:00;wed=08:00-16:00;thu=08:00-16:00"}, "2026-03-06T09:00:00+03:00",
			statusView{Reason: RestDay}},
		{"schedule change mid-week: old", fixture{zone: "America/Bogota", versions: []string{"2026-01-01|" + office, "2026-03-04|" + every("09:00-18:00")}}, "2026-03-03T17:30:00-05:00",
			statusView{Reason: OutsideWorkingHours}},
		{"schedule change mid-week: new", fixture{zone: "America/Bogota", versions: []string{"2026-01-01|" + office, "2026-03-04|" + every("09:00-18:00")}}, "2026-03-04T17:30:00-05:00",
			allowedUntil("2026-03-04T18:00:00-05:00")},
		{"schedule change: night window keeps its start date's version", fixture{zone: "America/Bogota", versions: []string{"2026-01-01|" + every("22:00-06:00"), "2026-03-04|" + office}}, "2026-03-04T05:00:00-05:00",
			allowedUntil("2026-03-04T06:00:00-05:00")},
		{"no versions", fixture{zone: "America/Bogota"}, "2026-03-02T09:00:00-05:00", statusView{Reason: NoSchedule}},
		{"before the first version", fixture{zone: "America/Bogota", versions: []string{"2026-04-01|" + office}}, "2026-03-02T09:00:00-05:00", statusView{Reason: NoSchedule}},
		{"empty version", fixture{zone: "America/Bogota", versions: []string{"2026-01-01|" + office, "2026-03-01|sun="}}, "2026-03-02T09:00:00-05:00", statusView{Reason: NoSchedule}},
		{"NY spring: window starting in the gap", fixture{zone: "America/New_York", sched: every("02:30-04:00")}, "2026-03-08T03:00:00-04:00", allowedUntil("2026-03-08T04:00:00-04:00")},
		{"NY spring: just before the gap", fixture{zone: "America/New_York", sched: every("02:30-04:00")}, "2026-03-08T01:59:00-05:00", statusView{Reason: OutsideWorkingHours}},
		{"NY fall: window ends at the earlier 01:30", fixture{zone: "America/New_York", sched: every("00:00-01:30")}, "2026-11-01T01:15:00-04:00", allowedUntil("2026-11-01T01:30:00-04:00")},
		{"NY fall: the repeated 01:15 is outside", fixture{zone: "America/New_York", sched: every("00:00-01:30")}, "2026-11-01T01:15:00-05:00", statusView{Reason: OutsideWorkingHours}},
		{"Santiago: 00:00 missing, window starts 01:00", fixture{zone: "America/Santiago", sched: every("00:00-08:00")}, "2026-09-06T01:00:00-03:00", allowedUntil("2026-09-06T08:00:00-03:00")},
		{"Santiago fall: repeated 23:15 after a window ending 23:30", fixture{zone: "America/Santiago", sched: every("22:00-23:30")}, "2026-04-04T23:15:00-04:00", statusView{Reason: OutsideWorkingHours}},
		{"Lord Howe fall: repeated 01:40", fixture{zone: "Australia/Lord_Howe", sched: every("01:00-01:45")}, "2026-04-05T01:40:00+10:30", statusView{Reason: OutsideWorkingHours}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := view(tt.f.timeline(t).Check(mustTime(t, tt.at)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check(%s) (-want +got):\n%s", tt.at, diff)
			}
		})
	}
}

func TestCheckDoesNotAllocate(t *testing.T) {
	tl := fixture{zone: "America/Bogota", sched: office, holidays: map[string][]string{"2026-03-03": {"X"}},
		leaves: []Leave{partial(t, 1, "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00")}}.timeline(t)
	for _, at := range []string{"2026-03-02T09:00:00-05:00", "2026-03-02T10:30:00-05:00", "2026-03-03T09:00:00-05:00", "2026-03-07T09:00:00-05:00"} {
		at := mustTime(t, at)
		if n := testing.AllocsPerRun(100, func() { tl.Check(at) }); n != 0 {
			t.Errorf("Check(%v) allocates %v times", at, n)
		}
	}
}

// TestAssignmentBoundaries: a Bogotá official on commission in Tokyo from
// Monday 9 to Friday 13 November 2026 works Tokyo's days only; Bogotá's
// Friday 13, which begins as Tokyo's ends, is no second working day. And a
// Tokyo official whose commission in Bogotá ends on Wednesday is back at
// work on Thursday morning in Tokyo, though it is still Wednesday in Bogotá.
func TestAssignmentBoundaries(t *testing.T) {
	tokyo, bogota := mustLoc(t, "Asia/Tokyo"), mustLoc(t, "America/Bogota")
	build := func(home *time.Location, a Assignment) *Timeline {
		tl, err := NewTimeline(Person{Zone: home, Schedules: []ScheduleVersion{{Schedule: mustSched(t, office)}}, Assignments: []Assignment{a}})
		if err != nil {
			t.Fatal(err)
		}
		return tl
	}
	out := build(bogota, Assignment{From: mustDate(t, "2026-11-09"), To: mustDate(t, "2026-11-13"), Zone: tokyo})
	back := build(tokyo, Assignment{From: mustDate(t, "2026-11-09"), To: mustDate(t, "2026-11-11"), Zone: bogota})
	tests := []struct {
		name string
		tl   *Timeline
		at   string
		want statusView
		zone *time.Location
	}{
		{"the last Tokyo afternoon", out, "2026-11-13T16:00:00+09:00", statusView{Allowed: true, Reason: WithinWorkingHours, Until: "2026-11-13T03:00:00-05:00"}, tokyo},
		{"Bogotá's Friday 13 is not worked too", out, "2026-11-13T16:00:00Z", statusView{Reason: OutsideWorkingHours}, bogota},
		{"Sunday evening in Bogotá is Monday morning in Tokyo", out, "2026-11-08T19:30:00-05:00", statusView{Allowed: true, Reason: WithinWorkingHours, Until: "2026-11-08T22:00:00-05:00"}, tokyo},
		{"the Friday before, at home", out, "2026-11-06T16:00:00-05:00", statusView{Allowed: true, Reason: WithinWorkingHours, Until: "2026-11-06T17:00:00-05:00"}, bogota},
		{"the last Bogotá afternoon", back, "2026-11-11T16:00:00-05:00", statusView{Allowed: true, Reason: WithinWorkingHours, Until: "2026-11-12T07:00:00+09:00"}, bogota},
		{"Thursday morning in Tokyo, still Wednesday in Bogotá", back, "2026-11-12T09:00:00+09:00", statusView{Allowed: true, Reason: WithinWorkingHours, Until: "2026-11-12T12:00:00+09:00"}, tokyo},
		{"Tokyo's Wednesday was worked in Bogotá", back, "2026-11-11T10:00:00+09:00", statusView{Reason: OutsideWorkingHours}, bogota},
	}
	for _, tt := range tests {
		at := mustTime(t, tt.at)
		if diff := cmp.Diff(tt.want, view(tt.tl.Check(at))); diff != "" {
			t.Errorf("%s: Check (-want +got):\n%s", tt.name, diff)
		}
		if z := tt.tl.ZoneAt(at); z != tt.zone {
			t.Errorf("%s: ZoneAt = %v, want %v", tt.name, z, tt.zone)
		}
	}
	got := fmtIntervals(out.Intervals(mustTime(t, "2026-11-12T12:00:00Z"), mustTime(t, "2026-11-17T00:00:00Z")))
	want := []string{
		// Tokyo's Friday 13, 08:00–12:00 and 13:00–17:00, in Bogotá's time;
		// then Bogotá's Monday 16.
		"2026-11-12T18:00:00-05:00/2026-11-12T22:00:00-05:00",
		"2026-11-12T23:00:00-05:00/2026-11-13T03:00:00-05:00",
		"2026-11-16T08:00:00-05:00/2026-11-16T12:00:00-05:00",
		"2026-11-16T13:00:00-05:00/2026-11-16T17:00:00-05:00",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Intervals around the end (-want +got):\n%s", diff)
	}
}

// TestHolidaysUnknown: a date whose holidays cannot be known is flagged;
// under UnknownClosed it is not worked, and says why.
func TestHolidaysUnknown(t *testing.T) {
	unknown := func(d domain.Date) bool { return d.Year >= 2041 }
	for _, closed := range []bool{false, true} {
		tl, err := NewTimeline(Person{Zone: mustLoc(t, "Asia/Tokyo"), Schedules: []ScheduleVersion{{Schedule: mustSched(t, office)}},
			HolidaysUnknown: unknown, UnknownClosed: closed})
		if err != nil {
			t.Fatal(err)
		}
		st := tl.Check(mustTime(t, "2041-01-02T10:00:00+09:00"))
		if !st.HolidaysUnknown || st.Allowed == closed || closed && st.Reason != HolidaysUnknown {
			t.Errorf("closed %v: 2 Jan 2041 %+v", closed, view(st))
		}
		if st := tl.Check(mustTime(t, "2040-12-31T10:00:00+09:00")); st.HolidaysUnknown || !st.Allowed {
			t.Errorf("closed %v: 31 Dec 2040 %+v, unknown %v", closed, view(st), st.HolidaysUnknown)
		}
		_, ok := tl.NextAllowed(mustTime(t, "2040-12-31T18:00:00+09:00"), 30*24*time.Hour)
		if ok == closed {
			t.Errorf("closed %v: NextAllowed into 2041 found %v", closed, ok)
		}
	}
}
