package engine

import (
	"testing"
	"time"
	_ "time/tzdata" // the same zones on every machine

	"franja/domain"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustSched(t testing.TB, cell string) domain.Schedule {
	t.Helper()
	s, err := domain.ParseScheduleCell(cell)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustDate(t testing.TB, s string) domain.Date {
	t.Helper()
	d, err := domain.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// holidayMap turns {"2026-01-01": {"Año Nuevo"}} into a HolidayFunc.
func holidayMap(m map[string][]string) HolidayFunc {
	if m == nil {
		return nil
	}
	byDate := map[domain.Date][]string{}
	for k, v := range m {
		d, err := domain.ParseDate(k)
		if err != nil {
			panic(err)
		}
		byDate[d] = v
	}
	return func(d domain.Date) []string { return byDate[d] }
}

// fixture describes a person compactly for table tests.
type fixture struct {
	zone     string
	sched    string // CSV cell form; "" for none
	versions []string
	holidays map[string][]string
	leaves   []Leave
}

// timeline builds the fixture. versions are "YYYY-MM-DD|cell" and replace sched.
func (f fixture) timeline(t testing.TB) *Timeline {
	t.Helper()
	p := Person{Zone: mustLoc(t, f.zone), Holidays: holidayMap(f.holidays), Leaves: f.leaves}
	if f.sched != "" {
		p.Schedules = []ScheduleVersion{{Schedule: mustSched(t, f.sched)}}
	}
	for _, v := range f.versions {
		from, cell := v[:10], v[11:]
		p.Schedules = append(p.Schedules, ScheduleVersion{From: mustDate(t, from), Schedule: mustSched(t, cell)})
	}
	tl, err := NewTimeline(p)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func fmtT(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func fmtIntervals(ivs []Interval) []string {
	var out []string
	for _, iv := range ivs {
		out = append(out, fmtT(iv.Start)+"/"+fmtT(iv.End))
	}
	return out
}

func allDay(t testing.TB, id int64, from, to string) Leave {
	return Leave{ID: id, StartDate: mustDate(t, from), EndDate: mustDate(t, to), Blocks: true}
}

func partial(t testing.TB, id int64, from, to string) Leave {
	return Leave{ID: id, Start: mustTime(t, from), End: mustTime(t, to), Blocks: true}
}
