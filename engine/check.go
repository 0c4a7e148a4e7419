package engine

import (
	"time"

	"franja/domain"
)

// Reason is the machine code for why a Check came out as it did; the values
// are the API's reason codes.
type Reason string

// The reasons Check gives.
const (
	WithinWorkingHours  Reason = "within_working_hours"
	OutsideWorkingHours Reason = "outside_working_hours"
	RestDay             Reason = "rest_day"
	PublicHoliday       Reason = "public_holiday"
	OnLeave             Reason = "on_leave"
	NoSchedule          Reason = "no_schedule"
	// HolidaysUnknown: the date's holidays cannot be known and the person's
	// post treats such dates as not worked (Person.UnknownClosed).
	HolidaysUnknown Reason = "holidays_unknown"
)

// Status is the answer to "is t allowed time for this person?".
type Status struct {
	Allowed bool
	Reason  Reason
	// Holiday names the holidays (those of one date) when Reason is
	// PublicHoliday, and HolidayDate is that date (or the date whose
	// holidays are unknown, when Reason is HolidaysUnknown).
	Holiday     []string
	HolidayDate domain.Date
	// HolidaysUnknown is set when the holidays of the date t belongs to
	// (or of a date whose window contains t) cannot be known: the answer
	// may be wrong, whatever it is.
	HolidaysUnknown bool
	// Leave is the blocking leave when Reason is OnLeave: the first, in the
	// caller's order, that covers t. It points into the Timeline; do not modify.
	Leave *LeaveSpan
	// Until, when Allowed, is the end of the joined piece of allowed time
	// that contains t, at most t+UntilLimit; in the person's zone.
	Until time.Time
}

// Check answers whether t is allowed time. When it is not, the reason is the
// first that applies, in this order (D is the local date of t in the zone
// the person is in then, see ZoneAt; a "scheduled window" is one the
// schedule alone would give, before holidays and leave, on a date whose
// window can contain t: D or the date before, in that date's zone):
//
//  1. OnLeave: a blocking partial leave contains t, or a blocking all-day
//     leave covers D or the date of a scheduled window containing t.
//  2. PublicHoliday: the date of a scheduled window containing t is a
//     holiday (its names; the earliest such date's), else D is a holiday
//     (D's names). HolidaysUnknown likewise, for a date whose holidays are
//     unknown under UnknownClosed.
//  3. NoSchedule: no schedule version is in force on D, or the one in force
//     has no windows on any day.
//  4. RestDay: D's weekday has no windows in the version in force on D.
//  5. OutsideWorkingHours: otherwise (before, between or after D's windows,
//     or D is worked in another zone).
//
// So 02:00 on a Tuesday inside Monday's 22:00-06:00 window is allowed, and
// is PublicHoliday if that Monday was a holiday even when Tuesday is not.
// Check does not allocate.
func (tl *Timeline) Check(t time.Time) Status {
	u := toNS(t)
	d := tl.dayAt(u)
	c := tl.candidatesAt(u)
	days := c.list()
	var in [len(c.days)]bool
	for i, day := range days {
		in[i] = tl.inScheduledWindow(day, u)
	}
	st := tl.whyNot(u, d, days, in[:len(days)])
	if st.Reason == "" {
		st = Status{Allowed: true, Reason: WithinWorkingHours, Until: tl.until(u)}
	}
	st.HolidaysUnknown = tl.unknownOn(d)
	for i, day := range days {
		st.HolidaysUnknown = st.HolidaysUnknown || in[i] && tl.unknownOn(day)
	}
	return st
}

// inScheduledWindow reports whether u lies in a window the schedule gives
// day, ignoring holidays and leave.
func (tl *Timeline) inScheduledWindow(day, u int64) bool {
	vi := tl.versionAt(day)
	if vi < 0 {
		return false
	}
	ws := tl.versions[vi].days[weekdayOf(day)]
	if len(ws) == 0 {
		return false
	}
	c := newDayClock(tl.zoneOf(day), day)
	for _, w := range ws {
		if sp := c.window(w); sp.s <= u && u < sp.e {
			return true
		}
	}
	return false
}

// until returns the end of the joined piece containing the allowed instant u.
func (tl *Timeline) until(u int64) time.Time {
	limit := u + int64(UntilLimit)
	c := newCursor(tl, u, limit)
	for {
		p, ok := c.next()
		if !ok {
			return tl.at(u) // unreachable when u is allowed
		}
		if p.e > u {
			return tl.at(min(p.e, limit))
		}
	}
}

// whyNot gives the reason u (on local date d) is not allowed, or an empty
// Status when it is; days are the candidate dates and in[i] whether a
// scheduled window of days[i] contains u. See Check.
func (tl *Timeline) whyNot(u, d int64, days []int64, in []bool) Status {
	if !tl.inPartialLeave(u) {
		for i, day := range days {
			if in[i] && !tl.onAllDayLeave(day) && !tl.closedOn(day) {
				return Status{} // allowed
			}
		}
	}
	if l := tl.leaveCovering(u, d, days, in); l != nil {
		return Status{Reason: OnLeave, Leave: l}
	}
	for i, day := range days {
		if in[i] {
			if st, ok := tl.closedStatus(day); ok {
				return st
			}
		}
	}
	if st, ok := tl.closedStatus(d); ok {
		return st
	}
	vi := tl.versionAt(d)
	switch {
	case vi < 0 || tl.versions[vi].empty:
		return Status{Reason: NoSchedule}
	case len(tl.versions[vi].days[weekdayOf(d)]) == 0:
		return Status{Reason: RestDay}
	}
	return Status{Reason: OutsideWorkingHours}
}

// closedStatus is the reason day is not worked, if it is not: a holiday, or
// unknown holidays under UnknownClosed.
func (tl *Timeline) closedStatus(day int64) (Status, bool) {
	if h := tl.holidayNames(day); len(h) > 0 {
		return Status{Reason: PublicHoliday, Holiday: h, HolidayDate: dateOfDay(day)}, true
	}
	if tl.closed && tl.unknownOn(day) {
		return Status{Reason: HolidaysUnknown, HolidayDate: dateOfDay(day)}, true
	}
	return Status{}, false
}

// leaveCovering returns the first blocking leave that contains u (partial),
// or covers d or a date days[i] with in[i] (all-day), or nil.
func (tl *Timeline) leaveCovering(u, d int64, days []int64, in []bool) *LeaveSpan {
	for i := range tl.leaves {
		l := &tl.leaves[i]
		if !l.AllDay {
			if l.First <= u && u < l.Last {
				return l
			}
			continue
		}
		first, last := l.First, l.Last
		if first <= d && d <= last {
			return l
		}
		for j, day := range days {
			if in[j] && first <= day && day <= last {
				return l
			}
		}
	}
	return nil
}

// at returns the instant u in the person's zone.
func (tl *Timeline) at(u int64) time.Time { return time.Unix(0, u).In(tl.zone) }
