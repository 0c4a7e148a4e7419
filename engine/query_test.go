package engine

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTransitions2026 pins the clock changes the other tables rely on, read
// from the tz database rather than from memory: the last instant of the old
// offset and the first of the new.
func TestTransitions2026(t *testing.T) {
	tests := []struct{ zone, want string }{
		{"America/New_York", "2026-03-08T01:59:59-05:00 2026-03-08T03:00:00-04:00"},
		{"America/New_York", "2026-11-01T01:59:59-04:00 2026-11-01T01:00:00-05:00"},
		{"Europe/Madrid", "2026-03-29T01:59:59+01:00 2026-03-29T03:00:00+02:00"},
		{"Europe/Madrid", "2026-10-25T02:59:59+02:00 2026-10-25T02:00:00+01:00"},
		{"America/Santiago", "2026-04-04T23:59:59-03:00 2026-04-04T23:00:00-04:00"},
		{"America/Santiago", "2026-09-05T23:59:59-04:00 2026-09-06T01:00:00-03:00"},
		{"Australia/Sydney", "2026-04-05T02:59:59+11:00 2026-04-05T02:00:00+10:00"},
		{"Australia/Sydney", "2026-10-04T01:59:59+10:00 2026-10-04T03:00:00+11:00"},
		{"Australia/Lord_Howe", "2026-04-05T01:59:59+11:00 2026-04-05T01:30:00+10:30"},
		{"Australia/Lord_Howe", "2026-10-04T01:59:59+10:30 2026-10-04T02:30:00+11:00"},
		{"Pacific/Chatham", "2026-04-05T03:44:59+13:45 2026-04-05T02:45:00+12:45"},
		{"Pacific/Chatham", "2026-09-27T02:44:59+12:45 2026-09-27T03:45:00+13:45"},
	}
	got := map[string]bool{}
	for _, zone := range []string{"America/New_York", "Europe/Madrid", "America/Santiago", "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham"} {
		loc := mustLoc(t, zone)
		for at := time.Date(2026, 1, 1, 0, 0, 0, 0, loc); ; {
			_, end := at.ZoneBounds()
			if end.IsZero() || end.Year() > 2026 {
				break
			}
			got[zone+" "+fmtT(end.Add(-time.Second).In(loc))+" "+fmtT(end.In(loc))] = true
			at = end
		}
	}
	for _, tt := range tests {
		if !got[tt.zone+" "+tt.want] {
			t.Errorf("%s: no transition %s", tt.zone, tt.want)
		}
	}
	if len(got) != len(tests) {
		t.Errorf("found %d transitions in 2026, want %d", len(got), len(tests))
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		zone, date string
		minutes    int
		want       string
	}{
		{"America/New_York", "2026-03-08", 1*60 + 59, "2026-03-08T01:59:00-05:00"},
		{"America/New_York", "2026-03-08", 2 * 60, "2026-03-08T03:00:00-04:00"},       // gap: first instant after
		{"America/New_York", "2026-03-08", 2*60 + 30, "2026-03-08T03:00:00-04:00"},    // time.Date moves this back to 01:30 EST
		{"America/New_York", "2026-03-08", 3 * 60, "2026-03-08T03:00:00-04:00"},       // first wall time after the gap
		{"America/New_York", "2026-11-01", 1*60 + 30, "2026-11-01T01:30:00-04:00"},    // overlap: earlier
		{"America/New_York", "2026-11-01", 1 * 60, "2026-11-01T01:00:00-04:00"},       // overlap start
		{"America/New_York", "2026-11-01", 2 * 60, "2026-11-01T02:00:00-05:00"},       // after the overlap
		{"Europe/Berlin", "2026-03-29", 2*60 + 30, "2026-03-29T03:00:00+02:00"},       // time.Date goes forward to 03:30
		{"Europe/Berlin", "2026-10-25", 2*60 + 30, "2026-10-25T02:30:00+02:00"},       // time.Date picks the second
		{"Europe/Madrid", "2026-03-29", 2*60 + 30, "2026-03-29T03:00:00+02:00"},       //
		{"America/Santiago", "2026-09-06", 0, "2026-09-06T01:00:00-03:00"},            // midnight missing; time.Date gives 23:00 the day before
		{"America/Santiago", "2026-09-05", 24 * 60, "2026-09-06T01:00:00-03:00"},      // the same wall time as 24:00
		{"America/Santiago", "2026-04-04", 23*60 + 30, "2026-04-04T23:30:00-03:00"},   // overlap before midnight
		{"America/Santiago", "2026-04-05", 0, "2026-04-05T00:00:00-04:00"},            //
		{"Australia/Sydney", "2026-10-04", 2*60 + 30, "2026-10-04T03:00:00+11:00"},    //
		{"Australia/Sydney", "2026-04-05", 2*60 + 30, "2026-04-05T02:30:00+11:00"},    //
		{"Australia/Lord_Howe", "2026-10-04", 2*60 + 15, "2026-10-04T02:30:00+11:00"}, // 30-minute gap
		{"Australia/Lord_Howe", "2026-04-05", 1*60 + 45, "2026-04-05T01:45:00+11:00"}, // 30-minute overlap
		{"Pacific/Chatham", "2026-09-27", 3 * 60, "2026-09-27T03:45:00+13:45"},        //
		{"Pacific/Chatham", "2026-04-05", 3 * 60, "2026-04-05T03:00:00+13:45"},        //
		{"Asia/Kathmandu", "2026-06-01", 9 * 60, "2026-06-01T09:00:00+05:45"},         //
		{"Pacific/Kiritimati", "2026-06-01", 0, "2026-06-01T00:00:00+14:00"},          //
		{"UTC", "1999-12-31", 24 * 60, "2000-01-01T00:00:00Z"},                        //
	}
	for _, tt := range tests {
		got := Resolve(mustLoc(t, tt.zone), mustDate(t, tt.date), tt.minutes)
		if fmtT(got) != tt.want {
			t.Errorf("Resolve(%s, %s, %d) = %s, want %s", tt.zone, tt.date, tt.minutes, fmtT(got), tt.want)
		}
	}
}

func TestIntervals(t *testing.T) {
	tests := []struct {
		name     string
		f        fixture
		from, to string
		want     []string
	}{
		{"office day clipped", fixture{zone: "America/Bogota", sched: office}, "2026-03-02T10:00:00-05:00", "2026-03-03T09:00:00-05:00",
			[]string{"2026-03-02T10:00:00-05:00/2026-03-02T12:00:00-05:00", "2026-03-02T13:00:00-05:00/2026-03-02T17:00:00-05:00", "2026-03-03T08:00:00-05:00/2026-03-03T09:00:00-05:00"}},
		{"touching windows join across midnight", fixture{zone: "America/Bogota", sched: night}, "2026-03-02T00:00:00-05:00", "2026-03-04T00:00:00-05:00",
			[]string{"2026-03-02T22:00:00-05:00/2026-03-03T10:00:00-05:00"}},
		{"partial leave mid-window and across windows", fixture{zone: "America/Bogota", sched: office, leaves: []Leave{
			partial(t, 1, "2026-03-02T09:00:00-05:00", "2026-03-02T09:30:00-05:00"),
			partial(t, 2, "2026-03-02T11:00:00-05:00", "2026-03-02T14:00:00-05:00"),
			partial(t, 3, "2026-03-02T13:30:00-05:00", "2026-03-02T15:00:00-05:00"), // overlaps leave 2
		}}, "2026-03-02T00:00:00-05:00", "2026-03-03T00:00:00-05:00",
			[]string{"2026-03-02T08:00:00-05:00/2026-03-02T09:00:00-05:00", "2026-03-02T09:30:00-05:00/2026-03-02T11:00:00-05:00", "2026-03-02T15:00:00-05:00/2026-03-02T17:00:00-05:00"}},
		{"NY spring day", fixture{zone: "America/New_York", sched: every("00:00-03:00,08:00-09:00")}, "2026-03-08T00:00:00-05:00", "2026-03-08T12:00:00-04:00",
			[]string{"2026-03-08T00:00:00-05:00/2026-03-08T03:00:00-04:00", "2026-03-08T08:00:00-04:00/2026-03-08T09:00:00-04:00"}},
		{"NY fall day: 00:00-03:00 lasts four hours", fixture{zone: "America/New_York", sched: every("00:00-03:00")}, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00",
			[]string{"2026-11-01T00:00:00-04:00/2026-11-01T03:00:00-05:00"}},
		{"Madrid fall: window starting in the overlap", fixture{zone: "Europe/Madrid", sched: every("02:30-04:00")}, "2026-10-25T00:00:00+02:00", "2026-10-25T12:00:00+01:00",
			[]string{"2026-10-25T02:30:00+02:00/2026-10-25T04:00:00+01:00"}},
		{"Santiago spring: 00:00-08:00 starts 01:00", fixture{zone: "America/Santiago", sched: every("00:00-08:00")}, "2026-09-05T12:00:00-04:00", "2026-09-06T12:00:00-03:00",
			[]string{"2026-09-06T01:00:00-03:00/2026-09-06T08:00:00-03:00"}},
		{"Santiago: night window across the missing midnight", fixture{zone: "America/Santiago", sched: every("22:00-02:00")}, "2026-09-05T12:00:00-04:00", "2026-09-06T12:00:00-03:00",
			[]string{"2026-09-05T22:00:00-04:00/2026-09-06T02:00:00-03:00"}},
		{"Sydney spring", fixture{zone: "Australia/Sydney", sched: every("02:00-04:00")}, "2026-10-04T00:00:00+10:00", "2026-10-04T12:00:00+11:00",
			[]string{"2026-10-04T03:00:00+11:00/2026-10-04T04:00:00+11:00"}},
		{"Sydney fall: window ending in the overlap", fixture{zone: "Australia/Sydney", sched: every("01:00-02:30")}, "2026-04-05T00:00:00+11:00", "2026-04-05T12:00:00+10:00",
			[]string{"2026-04-05T01:00:00+11:00/2026-04-05T02:30:00+11:00"}},
		{"Lord Howe spring: 30-minute gap", fixture{zone: "Australia/Lord_Howe", sched: every("02:00-03:00")}, "2026-10-04T00:00:00+10:30", "2026-10-04T12:00:00+11:00",
			[]string{"2026-10-04T02:30:00+11:00/2026-10-04T03:00:00+11:00"}},
		{"Lord Howe: window wholly inside the gap vanishes", fixture{zone: "Australia/Lord_Howe", sched: every("02:05-02:25")}, "2026-10-04T00:00:00+10:30", "2026-10-04T12:00:00+11:00",
			nil},
		{"Chatham spring", fixture{zone: "Pacific/Chatham", sched: every("03:00-05:00")}, "2026-09-27T00:00:00+12:45", "2026-09-27T12:00:00+13:45",
			[]string{"2026-09-27T03:45:00+13:45/2026-09-27T05:00:00+13:45"}},
		{"Chatham fall", fixture{zone: "Pacific/Chatham", sched: every("03:00-05:00")}, "2026-04-05T00:00:00+13:45", "2026-04-05T12:00:00+12:45",
			[]string{"2026-04-05T03:00:00+13:45/2026-04-05T05:00:00+12:45"}},
		{"holiday and all-day leave remove dates", fixture{zone: "America/Bogota", sched: office, holidays: map[string][]string{"2026-03-03": {"X"}},
			leaves: []Leave{allDay(t, 1, "2026-03-04", "2026-03-05")}}, "2026-03-02T00:00:00-05:00", "2026-03-07T00:00:00-05:00",
			[]string{"2026-03-02T08:00:00-05:00/2026-03-02T12:00:00-05:00", "2026-03-02T13:00:00-05:00/2026-03-02T17:00:00-05:00",
				"2026-03-06T08:00:00-05:00/2026-03-06T12:00:00-05:00", "2026-03-06T13:00:00-05:00/2026-03-06T17:00:00-05:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fmtIntervals(tt.f.timeline(t).Intervals(mustTime(t, tt.from), mustTime(t, tt.to)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Intervals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNextAllowed(t *testing.T) {
	tests := []struct {
		name    string
		f       fixture
		at      string
		horizon time.Duration
		want    string // "" when none
	}{
		{"allowed now", fixture{zone: "America/Bogota", sched: office}, "2026-03-02T09:15:30-05:00", 0, "2026-03-02T09:15:30-05:00"},
		{"friday evening to monday", fixture{zone: "America/Bogota", sched: office}, "2026-03-06T17:00:00-05:00", 0, "2026-03-09T08:00:00-05:00"},
		{"over a holiday", fixture{zone: "America/Bogota", sched: office, holidays: map[string][]string{"2026-03-09": {"X"}}}, "2026-03-06T17:00:00-05:00", 0, "2026-03-10T08:00:00-05:00"},
		{"to the end of a partial leave", fixture{zone: "America/Bogota", sched: office, leaves: []Leave{partial(t, 1, "2026-03-02T07:00:00-05:00", "2026-03-02T09:10:00-05:00")}}, "2026-03-02T08:00:00-05:00", 0, "2026-03-02T09:10:00-05:00"},
		{"after a two-year leave", fixture{zone: "America/Bogota", sched: office, leaves: []Leave{allDay(t, 1, "2026-03-02", "2028-03-03")}}, "2026-03-02T09:00:00-05:00", MaxHorizon, "2028-03-06T08:00:00-05:00"},
		{"leave longer than the horizon", fixture{zone: "America/Bogota", sched: office, leaves: []Leave{allDay(t, 1, "2026-03-02", "2028-03-03")}}, "2026-03-02T09:00:00-05:00", 0, ""},
		{"horizon ends before the next window", fixture{zone: "America/Bogota", sched: office}, "2026-03-06T17:00:00-05:00", 24 * time.Hour, ""},
		{"no schedule", fixture{zone: "America/Bogota"}, "2026-03-06T17:00:00-05:00", 0, ""},
		{"schedule starting later", fixture{zone: "America/Bogota", versions: []string{"2026-06-01|" + office}}, "2026-03-06T17:00:00-05:00", 0, "2026-06-01T08:00:00-05:00"},
		{"Santiago spring midnight", fixture{zone: "America/Santiago", sched: "sun=00:00-08:00"}, "2026-09-05T23:30:00-04:00", 0, "2026-09-06T01:00:00-03:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.f.timeline(t).NextAllowed(mustTime(t, tt.at), tt.horizon)
			if fmtT(got) != tt.want || ok != (tt.want != "") {
				t.Errorf("NextAllowed = %s, %v; want %q", fmtT(got), ok, tt.want)
			}
		})
	}
}

func TestNextSlot(t *testing.T) {
	tests := []struct {
		name    string
		f       fixture
		after   string
		d       time.Duration
		horizon time.Duration
		want    string // "" when none
	}{
		{"fits now", fixture{zone: "America/Bogota", sched: office}, "2026-03-02T09:00:00-05:00", time.Hour, 0, "2026-03-02T09:00:00-05:00/2026-03-02T10:00:00-05:00"},
		{"does not fit before lunch", fixture{zone: "America/Bogota", sched: office}, "2026-03-02T11:30:00-05:00", time.Hour, 0, "2026-03-02T13:00:00-05:00/2026-03-02T14:00:00-05:00"},
		{"friday late to monday", fixture{zone: "America/Bogota", sched: office}, "2026-03-06T16:30:00-05:00", time.Hour, 0, "2026-03-09T08:00:00-05:00/2026-03-09T09:00:00-05:00"},
		{"across a joined midnight", fixture{zone: "America/Bogota", sched: night}, "2026-03-03T04:00:00-05:00", 4 * time.Hour, 0, "2026-03-03T04:00:00-05:00/2026-03-03T08:00:00-05:00"},
		{"partial leave splits the window", fixture{zone: "America/Bogota", sched: office, leaves: []Leave{partial(t, 1, "2026-03-02T09:30:00-05:00", "2026-03-02T10:00:00-05:00")}}, "2026-03-02T08:00:00-05:00", 2 * time.Hour, 0, "2026-03-02T10:00:00-05:00/2026-03-02T12:00:00-05:00"},
		{"longer than any window", fixture{zone: "America/Bogota", sched: office}, "2026-03-02T08:00:00-05:00", 5 * time.Hour, 0, ""},
		{"after a two-year leave", fixture{zone: "America/Bogota", sched: office, leaves: []Leave{allDay(t, 1, "2026-03-02", "2028-03-03")}}, "2026-03-02T09:00:00-05:00", 30 * time.Minute, MaxHorizon, "2028-03-06T08:00:00-05:00/2028-03-06T08:30:00-05:00"},
		{"slot must end within the horizon", fixture{zone: "America/Bogota", sched: office}, "2026-03-02T07:00:00-05:00", time.Hour, 90 * time.Minute, ""},
		{"round the clock beyond the look-ahead", fixture{zone: "UTC", sched: every("00:00-24:00"), leaves: []Leave{partial(t, 1, "2026-03-01T00:00:00Z", "2026-03-20T00:00:00Z")}}, "2026-03-02T00:00:00Z", 40 * 24 * time.Hour, 0, "2026-03-20T00:00:00Z/2026-04-29T00:00:00Z"},
		{"DST day is an hour shorter", fixture{zone: "America/New_York", sched: every("00:00-08:00")}, "2026-03-08T00:00:00-05:00", 8 * time.Hour, 0, "2026-03-09T00:00:00-04:00/2026-03-09T08:00:00-04:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv, ok := tt.f.timeline(t).NextSlot(mustTime(t, tt.after), tt.d, tt.horizon)
			got := ""
			if ok {
				got = fmtIntervals([]Interval{iv})[0]
			}
			if got != tt.want {
				t.Errorf("NextSlot = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCommonSlots(t *testing.T) {
	bog := fixture{zone: "America/Bogota", sched: office}
	mad := fixture{zone: "Europe/Madrid", sched: "mon=09:00-18:00;tue=09:00-18:00;wed=09:00-18:00;thu=09:00-18:00;fri=09:00-18:00"}
	ktm := fixture{zone: "Asia/Kathmandu", sched: every("09:00-17:00")}
	tests := []struct {
		name     string
		people   []fixture
		from, to string
		d, g     time.Duration
		limit    int
		want     []string
	}{
		{"Bogotá and Madrid overlap in Bogotá's afternoon", []fixture{bog, mad}, "2026-03-02T00:00:00Z", "2026-03-04T00:00:00Z", time.Hour, 30 * time.Minute, 3,
			[]string{"2026-03-02T13:00:00Z/2026-03-02T14:00:00Z", "2026-03-02T13:30:00Z/2026-03-02T14:30:00Z", "2026-03-02T14:00:00Z/2026-03-02T15:00:00Z"}},
		{"limit reached across days", []fixture{bog, mad}, "2026-03-02T15:00:00Z", "2026-03-04T00:00:00Z", 2 * time.Hour, time.Hour, 3,
			[]string{"2026-03-02T15:00:00Z/2026-03-02T17:00:00Z", "2026-03-03T13:00:00Z/2026-03-03T15:00:00Z", "2026-03-03T14:00:00Z/2026-03-03T16:00:00Z"}},
		{"Kathmandu: UTC grid is :15/:45 local", []fixture{ktm}, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", time.Hour, 30 * time.Minute, 2,
			[]string{"2026-03-02T03:30:00Z/2026-03-02T04:30:00Z", "2026-03-02T04:00:00Z/2026-03-02T05:00:00Z"}},
		{"no overlap", []fixture{bog, ktm}, "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", time.Hour, 30 * time.Minute, 5, nil},
		{"slot must end by to", []fixture{bog}, "2026-03-02T13:00:00Z", "2026-03-02T14:30:00Z", time.Hour, time.Hour, 5, []string{"2026-03-02T13:00:00Z/2026-03-02T14:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tls []*Timeline
			for _, f := range tt.people {
				tls = append(tls, f.timeline(t))
			}
			got := fmtIntervals(CommonSlots(tls, mustTime(t, tt.from), mustTime(t, tt.to), tt.d, tt.g, tt.limit))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CommonSlots (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewTimelineRefuses(t *testing.T) {
	loc := mustLoc(t, "UTC")
	d := mustDate(t, "2026-03-02")
	tests := []struct {
		name string
		p    Person
	}{
		{"no zone", Person{}},
		{"leave with both forms", Person{Zone: loc, Leaves: []Leave{{StartDate: d, EndDate: d, Start: mustTime(t, "2026-03-02T00:00:00Z"), End: mustTime(t, "2026-03-03T00:00:00Z")}}}},
		{"leave with neither form", Person{Zone: loc, Leaves: []Leave{{ID: 1}}}},
		{"leave ending before it starts", Person{Zone: loc, Leaves: []Leave{{StartDate: d, EndDate: d.AddDays(-1)}}}},
		{"empty partial leave", Person{Zone: loc, Leaves: []Leave{{Start: mustTime(t, "2026-03-02T00:00:00Z"), End: mustTime(t, "2026-03-02T00:00:00Z")}}}},
		{"two versions on one date", Person{Zone: loc, Schedules: []ScheduleVersion{{From: d}, {From: d}}}},
	}
	for _, tt := range tests {
		if _, err := NewTimeline(tt.p); err == nil {
			t.Errorf("%s: NewTimeline accepted it", tt.name)
		}
	}
}
