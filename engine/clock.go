package engine

import (
	"time"

	"franja/domain"
)

// Internally instants are int64 Unix nanoseconds and local dates are day
// numbers (days since 1970-01-01 on the calendar, not 24-hour periods since an
// instant). A "wall" value is a local date and clock reading encoded as if it
// were a UTC instant, in seconds: day*86400 + minutes*60.
const (
	secPerDay = 86400
	nsPerSec  = int64(time.Second)
	// maxOffset bounds any UTC offset a zone has ever used (tzdata's extremes
	// are local mean times of about ±15:57); used to start scans safely early.
	maxOffset = 18 * 3600
	// minDay and maxDay keep day arithmetic far from int64 overflow; instants
	// are representable as nanoseconds from 1678 to 2262 only.
	minDay = -100000
	maxDay = 100000
)

// dayNumber returns the day number of a local date.
func dayNumber(d domain.Date) int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / secPerDay
}

// dateOfDay returns the local date of a day number.
func dateOfDay(n int64) domain.Date {
	y, m, d := time.Unix(n*secPerDay, 0).UTC().Date()
	return domain.Date{Year: y, Month: m, Day: d}
}

// weekdayOf returns the weekday of a day number (day 0, 1970-01-01, was a Thursday).
func weekdayOf(n int64) time.Weekday {
	return time.Weekday(((n % 7) + 7 + 4) % 7)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// toNS converts t to Unix nanoseconds, saturating outside 1678–2262 so that
// far-off arguments cannot overflow.
func toNS(t time.Time) int64 {
	switch y := t.Year(); {
	case y < 1680:
		return time.Date(1680, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	case y > 2260:
		return time.Date(2260, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	}
	return t.UnixNano()
}

// localDay returns the day number of the local date of instant u in loc.
func localDay(loc *time.Location, u int64) int64 {
	sec := floorDiv(u, nsPerSec)
	_, off := time.Unix(sec, 0).In(loc).Zone()
	return floorDiv(sec+int64(off), secPerDay)
}

// resolveWall returns the instant (Unix seconds) of the wall value w in loc
// under the contract's rule: the first instant whose wall clock reads w or
// later. That is w's earlier occurrence when the clock is set back (fall-back
// overlap), and the first instant after the gap when w does not exist
// (spring-forward). time.Date's choice in those cases is unspecified and
// differs by zone, so it is never used for this.
//
// Within one zone period (constant offset o, instants [a, b)) the wall clock
// is u+o, so the first instant at or after p reading w or later is
// max(p, w-o) if that is before b; otherwise the answer lies in a later
// period. Starting at w-maxOffset, every earlier instant reads less than w.
func resolveWall(loc *time.Location, w int64) int64 {
	p := w - maxOffset
	for range 16 { // a handful of periods at most ever fall within 36 hours
		t := time.Unix(p, 0).In(loc)
		_, off := t.Zone()
		_, end := t.ZoneBounds()
		c := max(p, w-int64(off))
		if end.IsZero() || c < end.Unix() {
			return c
		}
		p = end.Unix()
	}
	return p
}

// Resolve returns the instant at which the wall clock of loc reads minutes
// (0 to 2880, so that 1440 is the next midnight) after the start of local
// date d, by the contract's rule: a wall time in a spring-forward gap means
// the first instant after the gap; one that occurs twice means the earlier.
// The result is in loc.
func Resolve(loc *time.Location, d domain.Date, minutes int) time.Time {
	w := dayNumber(d)*secPerDay + int64(minutes)*60
	return time.Unix(resolveWall(loc, w), 0).In(loc)
}

// dayClock resolves wall times of one local date (and the next, for night
// windows) cheaply: when no clock change falls near the date, every wall time
// is wall-offset, found with a single zone lookup.
type dayClock struct {
	loc  *time.Location
	base int64 // wall value of the date's 00:00
	off  int64
	fast bool
}

func newDayClock(loc *time.Location, day int64) dayClock {
	base := day * secPerDay
	p := base - maxOffset
	t := time.Unix(p, 0).In(loc)
	_, off := t.Zone()
	_, end := t.ZoneBounds()
	// Walls up to two days after base resolve within [p, base+2d+maxOffset).
	fast := end.IsZero() || end.Unix() > base+2*secPerDay+maxOffset
	return dayClock{loc: loc, base: base, off: int64(off), fast: fast}
}

// at returns the instant (ns) of minutes after the date's midnight (0..2880).
func (c *dayClock) at(minutes int) int64 {
	w := c.base + int64(minutes)*60
	if c.fast {
		return (w - c.off) * nsPerSec
	}
	return resolveWall(c.loc, w) * nsPerSec
}

// window returns the instants [start, end) of w on the clock's date.
func (c *dayClock) window(w domain.Window) span {
	end := w.End
	if w.Overnight() {
		end += domain.MinutesPerDay
	}
	return span{c.at(w.Start), c.at(end)}
}
