package engine

import "time"

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
)

// Status is the answer to "is t allowed time for this person?".
type Status struct {
	Allowed bool
	Reason  Reason
	// Holiday names the holidays (those of one date) when Reason is PublicHoliday.
	Holiday []string
	// Leave is the blocking leave when Reason is OnLeave: the first, in the
	// caller's order, that covers t. It points into the Timeline; do not modify.
	Leave *Leave
	// Until, when Allowed, is the end of the joined piece of allowed time
	// that contains t, at most t+UntilLimit; in the person's zone.
	Until time.Time
}

// Check answers whether t is allowed time. When it is not, the reason is the
// first that applies, in this order (D is the local date of t; a "scheduled
// window" is one the schedule alone would give, before holidays and leave,
// on D or, for a night window reaching into D, on D-1):
//
//  1. OnLeave: a blocking partial leave contains t, or a blocking all-day
//     leave covers D or the date of a scheduled window containing t.
//  2. PublicHoliday: the date of a scheduled window containing t is a
//     holiday (its names; D-1's first), else D is a holiday (D's names).
//  3. NoSchedule: no schedule version is in force on D, or the one in force
//     has no windows on any day.
//  4. RestDay: D's weekday has no windows in the version in force on D.
//  5. OutsideWorkingHours: otherwise (before, between or after D's windows).
//
// So 02:00 on a Tuesday inside Monday's 22:00-06:00 window is allowed, and
// is PublicHoliday if that Monday was a holiday even when Tuesday is not.
// Check does not allocate.
func (tl *Timeline) Check(t time.Time) Status {
	u := toNS(t)
	d := localDay(tl.zone, u)
	if tl.allowedAt(u, d) {
		return Status{Allowed: true, Reason: WithinWorkingHours, Until: tl.until(u)}
	}
	return tl.whyNot(u, d)
}

// allowedAt decides u directly from the windows of its local date d and the
// date before, without walking pieces.
func (tl *Timeline) allowedAt(u, d int64) bool {
	if tl.inPartialLeave(u) {
		return false
	}
	for day := d - 1; day <= d; day++ {
		if tl.inScheduledWindow(day, u) && !tl.onAllDayLeave(day) && len(tl.holidayNames(day)) == 0 {
			return true
		}
	}
	return false
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
	c := newDayClock(tl.zone, day)
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

// whyNot gives the reason u (on local date d) is not allowed; see Check.
func (tl *Timeline) whyNot(u, d int64) Status {
	days := [2]int64{d - 1, d}
	var in [2]bool
	for i, day := range days {
		in[i] = tl.inScheduledWindow(day, u)
	}
	if l := tl.leaveCovering(u, days, in); l != nil {
		return Status{Reason: OnLeave, Leave: l}
	}
	for i, day := range days {
		if h := tl.holidayNames(day); in[i] && len(h) > 0 {
			return Status{Reason: PublicHoliday, Holiday: h}
		}
	}
	if h := tl.holidayNames(d); len(h) > 0 {
		return Status{Reason: PublicHoliday, Holiday: h}
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

// leaveCovering returns the first blocking leave that contains u (partial),
// or covers d = days[1] or a date days[i] with in[i] (all-day), or nil.
func (tl *Timeline) leaveCovering(u int64, days [2]int64, in [2]bool) *Leave {
	for i := range tl.leaves {
		l := &tl.leaves[i]
		if !l.AllDay() {
			if toNS(l.Start) <= u && u < toNS(l.End) {
				return l
			}
			continue
		}
		first, last := dayNumber(l.StartDate), dayNumber(l.EndDate)
		for j, day := range days {
			if (j == 1 || in[j]) && first <= day && day <= last {
				return l
			}
		}
	}
	return nil
}

// at returns the instant u in the person's zone.
func (tl *Timeline) at(u int64) time.Time { return time.Unix(0, u).In(tl.zone) }
