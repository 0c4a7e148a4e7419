package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MinutesPerDay is the number of wall-clock minutes in a day, and the largest
// Window end ("24:00").
const MinutesPerDay = 24 * 60

// Window is one working window of a weekday, in wall-clock minutes since local
// midnight. Start runs from 0 to 1439; End from 1 to 1440 ("24:00"). When End
// is not after Start the window runs past midnight and ends on the next date
// ("22:00-06:00" is {1320, 360}); it still belongs to the date it starts on.
type Window struct {
	Start, End int
}

// Overnight reports whether w runs past midnight into the next date.
func (w Window) Overnight() bool { return w.End <= w.Start }

// Minutes returns the wall-clock length of w in minutes (on a day without a
// clock change).
func (w Window) Minutes() int {
	if w.Overnight() {
		return MinutesPerDay - w.Start + w.End
	}
	return w.End - w.Start
}

// Duration returns the wall-clock length of w (on a day without a clock change).
func (w Window) Duration() time.Duration { return time.Duration(w.Minutes()) * time.Minute }

// String formats w as "HH:MM-HH:MM", e.g. "08:00-12:00" or "22:00-06:00".
func (w Window) String() string { return clock(w.Start) + "-" + clock(w.End) }

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// ParseWindow parses "HH:MM-HH:MM". An end of "24:00" means midnight at the
// end of the date; an end of "00:00" means the same. An end that is not after
// the start runs past midnight ("22:00-06:00"). "00:00-24:00" is a whole day.
// A window that starts and ends at the same wall time is refused, because it
// would be either empty or a full 24 hours and nobody can tell which.
func ParseWindow(s string) (Window, error) {
	bad := func(why *Error) (Window, error) {
		return Window{}, Errorf(EInvalid, "%q is not a valid window: %s", s, why)
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return bad(Errorf(EInvalid, "write it as HH:MM-HH:MM, e.g. 08:00-12:00"))
	}
	start, err := parseClock(strings.TrimSpace(a))
	if err != nil {
		return bad(err)
	}
	if start == MinutesPerDay {
		return bad(Errorf(EInvalid, "24:00 can only end a window"))
	}
	end, err := parseClock(strings.TrimSpace(b))
	if err != nil {
		return bad(err)
	}
	if end == 0 {
		end = MinutesPerDay
	}
	if end == start {
		return bad(Errorf(EInvalid, "it starts and ends at the same time; for a whole day write 00:00-24:00"))
	}
	return Window{Start: start, End: end}, nil
}

// parseClock parses HH:MM (00:00 to 24:00) into minutes since midnight.
func parseClock(s string) (int, *Error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, Errorf(EInvalid, "write times as HH:MM-HH:MM, e.g. 08:00-12:00")
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	switch {
	case err1 != nil || err2 != nil || hh < 0 || mm < 0:
		return 0, Errorf(EInvalid, "write times as HH:MM-HH:MM with digits, e.g. 08:00-12:00")
	case mm > 59:
		return 0, Errorf(EInvalid, "minutes run from 00 to 59")
	case hh == 24 && mm == 0:
		return MinutesPerDay, nil
	case hh > 23:
		return 0, Errorf(EInvalid, "hours run from 00 to 23 (24:00 only as an end)")
	}
	return hh*60 + mm, nil
}

// Schedule is a weekly timetable: the working windows of each weekday,
// indexed by time.Weekday (Sunday is 0). A weekday without windows is a rest
// day. Its JSON form is {"mon":["08:00-12:00","13:00-17:00"],…,"sun":[]}.
type Schedule [7][]Window

// dayKeys are the JSON and CSV names of the weekdays, indexed by time.Weekday.
var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// weekOrder lists the weekdays in the order they are written out.
var weekOrder = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// DayKey returns the three-letter key ("mon") of a weekday.
func DayKey(d time.Weekday) string { return dayKeys[d] }

func dayOf(key string) (time.Weekday, bool) {
	for i, k := range dayKeys {
		if k == key {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// IsEmpty reports whether s has no window on any day.
func (s Schedule) IsEmpty() bool {
	for _, ws := range s {
		if len(ws) > 0 {
			return false
		}
	}
	return true
}

// WeeklyMinutes returns the total wall-clock minutes of work in a week.
// Public employees work at most 44 h (2640 min) a week (Decreto-Ley 1042 de
// 1978, art. 33); a schedule above that is not refused, but callers may warn.
func (s Schedule) WeeklyMinutes() int {
	n := 0
	for _, ws := range s {
		for _, w := range ws {
			n += w.Minutes()
		}
	}
	return n
}

// MarshalJSON writes all seven days, Monday first, rest days as [].
func (s Schedule) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, d := range weekOrder {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:[", dayKeys[d])
		for j, w := range s[d] {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%q", w.String())
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads {"mon":[…],…}. Missing days (and null) have no
// windows. Every bad window and unknown day is reported at once, as an
// *Error with code EInvalid whose Fields are named relative to the schedule
// ("mon[0]", "xyz"); callers prefix them with the schedule's own path. Use
// Validate for overlaps.
func (s *Schedule) UnmarshalJSON(b []byte) error {
	var raw map[string][]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return Errorf(EInvalid, `a schedule is an object of weekdays, e.g. {"mon":["08:00-12:00"]}`)
	}
	var v Validator
	var out Schedule
	for _, key := range sortedKeys(raw) {
		out.parseDay(&v, key, raw[key], key)
	}
	if err := v.Err("invalid schedule"); err != nil {
		return err
	}
	*s = out
	return nil
}

// parseDay parses one day's window texts into s, recording problems under
// field (the day key for JSON, the cell for CSV).
func (s *Schedule) parseDay(v *Validator, key string, texts []string, field string) {
	d, ok := dayOf(key)
	if !ok {
		v.Add(field, "unknown day %q: use mon, tue, wed, thu, fri, sat or sun", key)
		return
	}
	if len(texts) > 0 && s[d] == nil {
		s[d] = make([]Window, 0, len(texts))
	}
	for i, t := range texts {
		w, err := ParseWindow(t)
		if err != nil {
			v.Add(fmt.Sprintf("%s[%d]", key, i), "%s", err)
			continue
		}
		s[d] = append(s[d], w)
	}
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ParseScheduleCell parses the one-cell CSV form
// "mon=08:00-12:00,13:00-17:00;tue=…". Days left out have no windows; "sun="
// is allowed. Errors are reported like UnmarshalJSON's.
func ParseScheduleCell(cell string) (Schedule, error) {
	var v Validator
	var out Schedule
	seen := map[string]bool{}
	for _, part := range strings.Split(cell, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, list, ok := strings.Cut(part, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok {
			v.Add(key, "%q: write each day as day=HH:MM-HH:MM,…, e.g. mon=08:00-12:00,13:00-17:00", part)
			continue
		}
		if seen[key] {
			v.Add(key, "day %q appears twice", key)
			continue
		}
		seen[key] = true
		var texts []string
		for _, t := range strings.Split(list, ",") {
			if t = strings.TrimSpace(t); t != "" {
				texts = append(texts, t)
			}
		}
		out.parseDay(&v, key, texts, key)
	}
	if err := v.Err("invalid schedule"); err != nil {
		return Schedule{}, err
	}
	return out, nil
}

// CellString formats s in the one-cell CSV form, Monday first, leaving out
// rest days ("" for an empty schedule).
func (s Schedule) CellString() string {
	var parts []string
	for _, d := range weekOrder {
		if len(s[d]) == 0 {
			continue
		}
		ws := make([]string, len(s[d]))
		for i, w := range s[d] {
			ws[i] = w.String()
		}
		parts = append(parts, dayKeys[d]+"="+strings.Join(ws, ","))
	}
	return strings.Join(parts, ";")
}

// Validate reports every window out of range or of zero length and every
// pair of windows of one day that overlap, with fields named
// field.mon[i] (or mon[i] when field is ""). Windows of different days may
// touch or overlap (a night window ending at 06:00 and the next day's window
// starting at 05:00): allowed time is their union. More than 44 hours a week
// is not an error (see WeeklyMinutes).
func (s Schedule) Validate(field string) []FieldError {
	var v Validator
	prefix := ""
	if field != "" {
		prefix = field + "."
	}
	for _, d := range weekOrder {
		name := func(i int) string { return fmt.Sprintf("%s%s[%d]", prefix, dayKeys[d], i) }
		for i, w := range s[d] {
			v.Check(w.valid(), name(i), "%s is not a valid window: start must be 00:00 to 23:59, end 00:01 to 24:00, and they must differ", w.rawString())
		}
		for _, p := range overlaps(s[d]) {
			v.Add(name(p[1]), "%q overlaps %q on the same day", s[d][p[1]].String(), s[d][p[0]].String())
		}
	}
	return v.Fields
}

func (w Window) valid() bool {
	return w.Start >= 0 && w.Start < MinutesPerDay && w.End > 0 && w.End <= MinutesPerDay && w.End != w.Start
}

func (w Window) rawString() string {
	if w.valid() {
		return strconv.Quote(w.String())
	}
	return fmt.Sprintf("{start %d min, end %d min}", w.Start, w.End)
}

// overlaps returns index pairs {earlier, later} (in order of start) of valid
// windows of one day that overlap each other. Touching windows do not overlap.
func overlaps(ws []Window) [][2]int {
	idx := make([]int, 0, len(ws))
	for i, w := range ws {
		if w.valid() {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ws[idx[a]].Start < ws[idx[b]].Start })
	var out [][2]int
	reach, last := -1, -1 // furthest end so far (day-relative minutes) and its window
	for _, i := range idx {
		w := ws[i]
		if w.Start < reach {
			out = append(out, [2]int{last, i})
		}
		if end := w.Start + w.Minutes(); end > reach {
			reach, last = end, i
		}
	}
	return out
}
