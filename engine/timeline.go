// Package engine answers, for one person or several, which instants are
// allowed time for routine contact: Check (now?), NextAllowed, NextSlot,
// Intervals and CommonSlots. It is pure: no I/O, no clock; every instant is
// an argument.
//
// Allowed time, exactly (the contract of API.md):
//   - Dates are local dates in the person's zone.
//   - A window belongs to the local date on which it starts, even when it runs
//     past midnight; the schedule version in force on that date decides it.
//   - A date whose weekday has no windows, that is a holiday (Holidays
//     returns names), or that lies inside a blocking all-day leave contributes
//     no windows. A blocking partial leave removes exactly [Start, End).
//   - A wall time in a spring-forward gap is the first instant after the gap;
//     a wall time that occurs twice is the earlier one (starts and ends alike).
//   - Allowed time is the union of what is left; touching or overlapping
//     windows join (a night window ending 06:00 and the next date's window
//     starting 06:00 form one piece). Intervals are half-open [start, end).
//   - Dates assigned to another zone (a comisión de servicios, Assignment)
//     have their windows in that zone; every other date in the home zone.
//     A date is worked in one zone only.
//   - A date whose holidays cannot be known (a calendar without data for
//     its year) is flagged in Check's answer; a post may choose to treat
//     such dates as not worked (Person.UnknownClosed).
//
// Iteration is date by date (never minute by minute), jumping over all-day
// leaves and schedule-less spans, so a search across a two-year leave costs
// about what a search on a working day does.
package engine

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"franja/domain"
)

// Horizons for NextAllowed and NextSlot.
const (
	DefaultHorizon = 366 * 24 * time.Hour
	MaxHorizon     = 3 * 366 * 24 * time.Hour
)

// UntilLimit caps Status.Until: a joined piece of allowed time that runs on
// longer (round-the-clock schedules) is reported as ending at t+UntilLimit.
const UntilLimit = 14 * 24 * time.Hour

// ScheduleVersion is a schedule in force from the local date From (inclusive)
// until the next version's From. A zero From means "since always".
type ScheduleVersion struct {
	From     domain.Date
	Schedule domain.Schedule
}

// HolidayFunc returns the names of the holidays on local date d that the
// person does not work (nil or empty when d is a working date). It is called
// once per date examined, so it should be a map lookup.
type HolidayFunc func(d domain.Date) []string

// UnknownFunc reports whether the holidays of local date d are not fully
// known (a calendar the person's post observes has no data for d's year).
// Like HolidayFunc, it should be a lookup.
type UnknownFunc func(d domain.Date) bool

// Leave is an absence. Exactly one form is set: all-day, StartDate to EndDate
// inclusive (local dates in the person's zone); or partial, the instants
// [Start, End). Only leaves with Blocks set remove allowed time (a comisión
// de servicios does not).
type Leave struct {
	ID                 int64 // the caller's reference, echoed in Status.Leave
	StartDate, EndDate domain.Date
	Start, End         time.Time
	Blocks             bool
}

// AllDay reports whether l is given as local dates rather than instants.
func (l Leave) AllDay() bool { return !l.StartDate.IsZero() }

// LeaveSpan is a leave in the form the Timeline keeps (32 bytes instead of
// Leave's 112): all-day, the day numbers First..Last inclusive (see
// DayNumber); partial, the instants [First, Last) in Unix nanoseconds (see
// UnixNS). A caller that holds many leaves can pass them in this form
// (Person.Spans) and skip building Leaves.
type LeaveSpan struct {
	ID          int64
	First, Last int64
	AllDay      bool
	Blocks      bool
}

// Span returns l as a LeaveSpan. l must be valid (see NewTimeline).
func (l Leave) Span() LeaveSpan {
	if l.AllDay() {
		return LeaveSpan{ID: l.ID, First: dayNumber(l.StartDate), Last: dayNumber(l.EndDate), AllDay: true, Blocks: l.Blocks}
	}
	return LeaveSpan{ID: l.ID, First: toNS(l.Start), Last: toNS(l.End), Blocks: l.Blocks}
}

// DayNumber returns the day number of a local date (days since 1970-01-01).
func DayNumber(d domain.Date) int64 { return dayNumber(d) }

// DateOfDay returns the local date of a day number.
func DateOfDay(n int64) domain.Date { return dateOfDay(n) }

// UnixNS returns t in Unix nanoseconds, clamped to the years 1680–2260 as
// the Timeline does.
func UnixNS(t time.Time) int64 { return toNS(t) }

// Schedules are schedule versions compiled once, to be shared by every
// Timeline built with them (all the people of a post): immutable.
type Schedules struct{ versions []version }

// CompileSchedules checks and compiles vs (see NewTimeline's errors).
func CompileSchedules(vs []ScheduleVersion) (*Schedules, error) {
	var tl Timeline
	if err := tl.setVersions(vs); err != nil {
		return nil, err
	}
	return &Schedules{versions: slices.Clip(tl.versions)}, nil
}

// Person is the input for one person: zone, schedule versions (any order),
// holidays (may be nil), leaves (any order, may overlap) and the dates
// worked in another zone (any order; an overlap is cut, see Assignment).
//
// HolidaysUnknown (may be nil) marks dates whose holidays cannot be known;
// Check reports them in Status.HolidaysUnknown. With UnknownClosed those
// dates are also not worked at all, as if they were holidays (the cautious
// fallback a post may choose: nobody is reached on a day that may be a
// holiday), and Check's reason for them is HolidaysUnknown.
//
// Compiled, when set, replaces Schedules (the Timeline shares it); Spans are
// leaves already in the Timeline's form, taken in addition to Leaves (after
// them, in the caller's order) and kept without a copy when they all block
// and are valid, so the caller must not modify them.
type Person struct {
	Zone            *time.Location
	Schedules       []ScheduleVersion
	Compiled        *Schedules
	Holidays        HolidayFunc
	Leaves          []Leave
	Spans           []LeaveSpan
	Assignments     []Assignment
	HolidaysUnknown UnknownFunc
	UnknownClosed   bool
}

// Timeline is a Person prepared for questions: versions sorted, leaves
// merged into sorted unions. It is immutable and safe for concurrent use.
type Timeline struct {
	zone     *time.Location
	versions []version
	holidays HolidayFunc
	unknown  UnknownFunc
	closed   bool        // dates with unknown holidays are not worked
	leaves   []LeaveSpan // blocking leaves, in the caller's order (for Status.Leave)
	allDay   []daySpan   // union of blocking all-day leaves, sorted
	partial  []span      // union of blocking partial leaves, sorted, disjoint, not touching
	assign   []assignment
	slack    int64 // extra dates to look back for windows (2 with assignments)
}

type version struct {
	from  int64
	days  [7][]domain.Window // each day sorted by start
	empty bool
}

// span is [s, e) in Unix nanoseconds.
type span struct{ s, e int64 }

// daySpan is the day numbers first..last inclusive.
type daySpan struct{ first, last int64 }

// NewTimeline checks and prepares p. It fails (with an internal error, since
// stored data should already be valid) on a nil zone, a window out of range,
// two versions from the same date, or a leave with both or neither form or
// its end before its start.
func NewTimeline(p Person) (*Timeline, error) {
	tl := &Timeline{}
	if err := tl.Init(p); err != nil {
		return nil, err
	}
	return tl, nil
}

// Init prepares p into tl, a zero Timeline, as NewTimeline does: for a
// caller that holds millions of timelines inside its own objects (one
// allocation instead of two). tl must not be used after an error, nor be
// changed once in use.
func (tl *Timeline) Init(p Person) error {
	if p.Zone == nil {
		return errors.New("engine: person has no time zone")
	}
	*tl = Timeline{zone: p.Zone, holidays: p.Holidays, unknown: p.HolidaysUnknown, closed: p.UnknownClosed && p.HolidaysUnknown != nil}
	if p.Compiled != nil {
		tl.versions = p.Compiled.versions
	} else if err := tl.setVersions(p.Schedules); err != nil {
		return err
	}
	if err := tl.setLeaves(p.Leaves, p.Spans); err != nil {
		return err
	}
	tl.setAssignments(p.Assignments)
	return nil
}

// Zone returns the person's time zone.
func (tl *Timeline) Zone() *time.Location { return tl.zone }

func (tl *Timeline) setVersions(vs []ScheduleVersion) error {
	for _, sv := range vs {
		v := version{from: minDay, empty: sv.Schedule.IsEmpty()}
		if !sv.From.IsZero() {
			v.from = dayNumber(sv.From)
		}
		for d, ws := range sv.Schedule {
			for _, w := range ws {
				if w.Start < 0 || w.Start >= domain.MinutesPerDay || w.End <= 0 || w.End > domain.MinutesPerDay || w.End == w.Start {
					return fmt.Errorf("engine: schedule from %v: window %+v out of range", sv.From, w)
				}
			}
			v.days[d] = slices.SortedFunc(slices.Values(ws), func(a, b domain.Window) int { return a.Start - b.Start })
		}
		tl.versions = append(tl.versions, v)
	}
	slices.SortFunc(tl.versions, func(a, b version) int { return cmpInt(a.from, b.from) })
	for i := 1; i < len(tl.versions); i++ {
		if tl.versions[i].from == tl.versions[i-1].from {
			return fmt.Errorf("engine: two schedule versions from %v", dateOfDay(tl.versions[i].from))
		}
	}
	return nil
}

func (tl *Timeline) setLeaves(ls []Leave, spans []LeaveSpan) error {
	nAll, nPartial := 0, 0
	aliased := len(ls) == 0
	for _, l := range ls {
		if err := checkLeave(l); err != nil {
			return err
		}
		if l.Blocks {
			nAll, nPartial = count(l.AllDay(), nAll, nPartial)
		}
	}
	for _, l := range spans {
		if l.Last < l.First || !l.AllDay && l.Last == l.First {
			return fmt.Errorf("engine: leave %d ends before it starts", l.ID)
		}
		if l.Blocks {
			nAll, nPartial = count(l.AllDay, nAll, nPartial)
		} else {
			aliased = false
		}
	}
	if aliased {
		tl.leaves = spans
	} else {
		tl.leaves = make([]LeaveSpan, 0, nAll+nPartial)
		for _, l := range ls {
			if l.Blocks {
				tl.leaves = append(tl.leaves, l.Span())
			}
		}
		for _, l := range spans {
			if l.Blocks {
				tl.leaves = append(tl.leaves, l)
			}
		}
	}
	if nAll > 0 {
		tl.allDay = make([]daySpan, 0, nAll)
	}
	if nPartial > 0 {
		tl.partial = make([]span, 0, nPartial)
	}
	for _, l := range tl.leaves {
		if l.AllDay {
			tl.allDay = append(tl.allDay, daySpan{l.First, l.Last})
		} else {
			tl.partial = append(tl.partial, span{l.First, l.Last})
		}
	}
	tl.allDay = slices.Clip(mergeDays(tl.allDay))
	tl.partial = slices.Clip(mergeSpans(tl.partial))
	return nil
}

// count adds one to the all-day or the partial count.
func count(allDay bool, nAll, nPartial int) (int, int) {
	if allDay {
		return nAll + 1, nPartial
	}
	return nAll, nPartial + 1
}

func checkLeave(l Leave) error {
	timed := !l.Start.IsZero() || !l.End.IsZero()
	switch {
	case l.AllDay() == timed:
		return fmt.Errorf("engine: leave %d must have either dates or instants", l.ID)
	case l.AllDay() && (l.EndDate.IsZero() || l.EndDate.Before(l.StartDate)):
		return fmt.Errorf("engine: leave %d ends before it starts", l.ID)
	case timed && !l.End.After(l.Start):
		return fmt.Errorf("engine: leave %d ends before it starts", l.ID)
	}
	return nil
}

// mergeDays sorts and joins day spans that overlap or are adjacent.
func mergeDays(ds []daySpan) []daySpan {
	slices.SortFunc(ds, func(a, b daySpan) int { return cmpInt(a.first, b.first) })
	out := ds[:0]
	for _, d := range ds {
		if n := len(out); n > 0 && d.first <= out[n-1].last+1 {
			out[n-1].last = max(out[n-1].last, d.last)
			continue
		}
		out = append(out, d)
	}
	return out
}

// mergeSpans sorts and joins spans that overlap or touch.
func mergeSpans(ss []span) []span {
	slices.SortFunc(ss, func(a, b span) int { return cmpInt(a.s, b.s) })
	out := ss[:0]
	for _, s := range ss {
		if n := len(out); n > 0 && s.s <= out[n-1].e {
			out[n-1].e = max(out[n-1].e, s.e)
			continue
		}
		out = append(out, s)
	}
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// versionAt returns the index of the version in force on day, or -1.
func (tl *Timeline) versionAt(day int64) int {
	return sort.Search(len(tl.versions), func(i int) bool { return tl.versions[i].from > day }) - 1
}

// onAllDayLeave reports whether day lies inside a blocking all-day leave.
func (tl *Timeline) onAllDayLeave(day int64) bool {
	i := sort.Search(len(tl.allDay), func(i int) bool { return tl.allDay[i].last >= day })
	return i < len(tl.allDay) && tl.allDay[i].first <= day
}

// inPartialLeave reports whether instant u lies inside a blocking partial leave.
func (tl *Timeline) inPartialLeave(u int64) bool {
	i := sort.Search(len(tl.partial), func(i int) bool { return tl.partial[i].e > u })
	return i < len(tl.partial) && tl.partial[i].s <= u
}

// holidayNames returns the holidays on day, or nil.
func (tl *Timeline) holidayNames(day int64) []string {
	if tl.holidays == nil {
		return nil
	}
	return tl.holidays(dateOfDay(day))
}

// unknownOn reports whether the holidays of day cannot be known.
func (tl *Timeline) unknownOn(day int64) bool {
	return tl.unknown != nil && tl.unknown(dateOfDay(day))
}

// closedOn reports whether day is not worked: a holiday, or (under
// UnknownClosed) a date whose holidays are unknown.
func (tl *Timeline) closedOn(day int64) bool {
	return len(tl.holidayNames(day)) > 0 || tl.closed && tl.unknownOn(day)
}
