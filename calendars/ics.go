package calendars

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/teambition/rrule-go"

	"franja/domain"
)

// Bounds of an uploaded holiday file, so that its cost is linear in its
// size and what it expands to is bounded whatever it says.
const (
	// maxEventDays bounds a multi-day event: a holiday file with an event
	// longer than a year is a mistake, not a holiday.
	maxEventDays = 366
	// maxPropertyLine bounds one unfolded property that is read (a SUMMARY
	// or a DTSTART); others (a long DESCRIPTION) are skipped unread.
	maxPropertyLine = 8 << 10
	// maxParams bounds the parameters of a property that is read.
	maxParams = 16
	// maxHolidays bounds the holidays of one year a file may give.
	maxHolidays = 2000
	// maxRecurring bounds the recurring events of one file.
	maxRecurring = 500
	// maxFileErrors bounds the problems listed; the rest are counted.
	maxFileErrors = 100
	// checkEvery is how many lines are read between looks at the context.
	checkEvery = 1024
)

// Upload is what an uploaded holiday file holds for the year it is read
// for: that year's holidays in date order (file order within a date), and
// how many of the file's holidays fall in other years and were left out (a
// government's file often spans several years).
type Upload struct {
	Holidays  []Holiday
	Elsewhere int
}

// ParseICS reads the holidays of year from an iCalendar (RFC 5545) file,
// such as a government's published holiday calendar. Each VEVENT is one
// holiday named by its SUMMARY; its DTSTART is the first date, and a DTEND
// (exclusive, as RFC 5545 says) or a DURATION of days or weeks makes it a
// multi-day holiday expanded to every date. A start is an all-day date
// (DTSTART;VALUE=DATE:20260101) or a local midnight, floating or with a
// TZID, as Outlook writes its all-day events (DTSTART;TZID=…:20260101T000000
// with X-MICROSOFT-CDO-ALLDAYEVENT:TRUE). RRULE:FREQ=YEARLY is expanded over
// year with rrule-go, with RDATE added and EXDATE removed. Cancelled events
// are skipped; other components and properties are ignored.
//
// Lines are unfolded in one pass (each physical line is copied once), and
// only the properties holidays need are parsed, with golang-ical's
// ParseProperty, bounded in length and parameters: the cost is linear in
// the file. The reading stops when ctx ends (its error is returned).
//
// Every problem is reported at once (up to maxFileErrors, then counted) as a
// domain.EInvalid error whose field errors name the physical line (1-based,
// the first line of a folded property) and what to change. Only a read
// failure or ctx returns another error.
func ParseICS(ctx context.Context, r io.Reader, year int) (Upload, error) {
	p := icsParser{yearHolidays: yearHolidays{year: year}}
	err := unfoldICS(ctx, r, func(n int, line []byte) bool {
		if p.lines == 0 && !isBeginCalendar(line) {
			// One error, not one per line, for a file that is something else.
			p.errs.add(1, "BEGIN", "not an iCalendar file: the first line must be BEGIN:VCALENDAR")
			return false
		}
		p.lines++
		p.line(n, line)
		return true
	})
	if err != nil {
		return Upload{}, err
	}
	if p.lines == 0 && len(p.errs.list) == 0 {
		p.errs.add(1, "BEGIN", "not an iCalendar file: the first line must be BEGIN:VCALENDAR")
	}
	if p.lines > 0 {
		p.finish()
	}
	return p.result(&p.errs, "the iCalendar file has errors")
}

func isBeginCalendar(line []byte) bool {
	return strings.EqualFold(strings.TrimSpace(string(line)), "BEGIN:VCALENDAR")
}

// unfoldICS calls fn with each content line (folded continuations joined:
// a line starting with a space or tab continues the previous one, minus that
// character) and the physical line it starts on, until fn returns false.
// Blank lines are dropped; a byte-order mark on the first line is removed.
// Each byte is copied once into a reused buffer, so the work is linear
// however the file folds.
func unfoldICS(ctx context.Context, r io.Reader, fn func(n int, line []byte) bool) error {
	br := bufio.NewReader(r)
	var phys, cur []byte
	start := 0
	emit := func() bool {
		if start == 0 {
			return true
		}
		ok := fn(start, cur)
		start, cur = 0, cur[:0]
		return ok
	}
	for n := 1; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		phys = phys[:0]
		var err error
		for {
			var part []byte
			part, err = br.ReadSlice('\n')
			phys = append(phys, part...)
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the iCalendar file: %w", err)
		}
		s := bytes.TrimRight(phys, "\r\n")
		if n == 1 {
			s = bytes.TrimPrefix(s, []byte("\uFEFF")) // a byte-order mark some exporters write
		}
		switch {
		case len(s) == 0:
		case (s[0] == ' ' || s[0] == '\t') && start != 0:
			cur = append(cur, s[1:]...)
		default:
			if !emit() {
				return nil
			}
			start, cur = n, append(cur, s...)
		}
		if err != nil {
			emit()
			return nil
		}
	}
}

// fileErrors gathers a file's problems, up to maxFileErrors.
type fileErrors struct {
	list []domain.FieldError
	more int
}

func (e *fileErrors) add(line int, field, format string, args ...any) {
	if len(e.list) >= maxFileErrors {
		e.more++
		return
	}
	e.list = append(e.list, domain.FieldError{Line: line, Field: field, Message: format, Args: args})
}

// err returns the problems as one EInvalid error, or nil.
func (e *fileErrors) err(message string) error {
	if len(e.list) == 0 {
		return nil
	}
	list := e.list
	if e.more > 0 {
		list = append(list, domain.FieldError{Field: "file", Message: "and %d more problems not listed: fix these and upload again", Args: []any{e.more}})
	}
	return domain.Invalid(message, list...)
}

// icsValue is a DTSTART, DTEND, RDATE or EXDATE as written.
type icsValue struct {
	line  int
	value string
	kind  string // the VALUE parameter, upper-case ("" when absent)
}

// icsEvent is a VEVENT being read.
type icsEvent struct {
	begin         int // line of BEGIN:VEVENT
	summary       string
	hasSummary    bool
	start, end    icsValue
	durLine       int
	days          int // from DURATION
	rrule         icsValue
	rdates        []icsValue
	exdates       []icsValue
	cancelled     bool
	outlookAllDay bool
}

// icsParser reads content lines in order, keeping the component stack, the
// event being read, the holidays found and every error.
type icsParser struct {
	yearHolidays
	lines     int
	stack     []icsFrame
	ev        *icsEvent
	recurring int
	errs      fileErrors
}

type icsFrame struct {
	name string
	line int
}

// eventProps are the VEVENT properties holidays need; every other is
// skipped without being parsed.
var eventProps = map[string]bool{
	"SUMMARY": true, "DTSTART": true, "DTEND": true, "DURATION": true, "RRULE": true,
	"RDATE": true, "EXDATE": true, "STATUS": true, "X-MICROSOFT-CDO-ALLDAYEVENT": true,
}

func (p *icsParser) line(n int, raw []byte) {
	name, rest, ok := propertyName(raw)
	if !ok {
		p.errs.add(n, "line", "%q is not an iCalendar property (NAME:value)", shorten(string(raw)))
		return
	}
	switch name {
	case "BEGIN", "END":
		_, value, _ := bytes.Cut(rest, []byte(":"))
		comp := strings.ToUpper(strings.TrimSpace(string(value)))
		if name == "BEGIN" {
			p.begin(n, comp)
		} else {
			p.end(n, comp)
		}
		return
	}
	switch {
	case len(p.stack) == 0:
		p.errs.add(n, name, "property outside BEGIN:VCALENDAR … END:VCALENDAR")
	case p.ev != nil && p.stack[len(p.stack)-1].name == "VEVENT" && eventProps[name]:
		if bp := p.parseProperty(n, name, raw); bp != nil {
			p.property(n, name, bp)
		}
	}
}

// propertyName returns the upper-case name of a content line and what
// follows it (";params:value" or ":value"); ok is false when the line is
// not NAME followed by ';' or ':'.
func propertyName(line []byte) (string, []byte, bool) {
	i := bytes.IndexAny(line, ";:")
	if i <= 0 || !bytes.ContainsRune(line[i:], ':') {
		return "", nil, false
	}
	name := strings.ToUpper(strings.TrimSpace(string(line[:i])))
	for _, c := range name {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return "", nil, false
		}
	}
	return name, line[i:], name != ""
}

// parseProperty parses a property that is read, with golang-ical, once it is
// known to be short enough for that to be cheap.
func (p *icsParser) parseProperty(n int, name string, raw []byte) *ics.BaseProperty {
	if len(raw) > maxPropertyLine {
		p.errs.add(n, name, "the property is %d octets long (unfolded); a holiday's needs at most %d", len(raw), maxPropertyLine)
		return nil
	}
	head, _, _ := bytes.Cut(raw, []byte(":"))
	if bytes.Count(head, []byte(";")) > maxParams {
		p.errs.add(n, name, "the property has more than %d parameters", maxParams)
		return nil
	}
	bp, err := ics.ParseProperty(ics.ContentLine(raw))
	if err != nil || bp == nil {
		p.errs.add(n, name, "%q is not an iCalendar property (NAME;PARAM=value:value)", shorten(string(raw)))
		return nil
	}
	return bp
}

func (p *icsParser) begin(n int, comp string) {
	switch {
	case len(p.stack) == 0 && comp != "VCALENDAR":
		p.errs.add(n, "BEGIN", "BEGIN:%s outside BEGIN:VCALENDAR … END:VCALENDAR", comp)
	case comp == "VCALENDAR" && len(p.stack) > 0:
		p.errs.add(n, "BEGIN", "VCALENDAR cannot be nested")
	case comp == "VEVENT" && len(p.stack) != 1:
		p.errs.add(n, "BEGIN", "VEVENT must be directly inside VCALENDAR")
	case comp == "VEVENT":
		p.ev = &icsEvent{begin: n}
	}
	p.stack = append(p.stack, icsFrame{comp, n})
}

func (p *icsParser) end(n int, comp string) {
	if len(p.stack) == 0 || p.stack[len(p.stack)-1].name != comp {
		want := domain.T("nothing is open")
		if len(p.stack) > 0 {
			top := p.stack[len(p.stack)-1]
			want = domain.T("expected END:%s for BEGIN on line %d", top.name, top.line)
		}
		p.errs.add(n, "END", "END:%s does not match: %s", comp, want)
		return
	}
	p.stack = p.stack[:len(p.stack)-1]
	if comp == "VEVENT" && len(p.stack) == 1 && p.ev != nil { // not a misplaced inner one
		p.finishEvent(*p.ev)
		p.ev = nil
	}
}

// finish reports what the end of the file leaves wrong.
func (p *icsParser) finish() {
	for i := len(p.stack) - 1; i >= 0; i-- {
		f := p.stack[i]
		p.errs.add(f.line, "BEGIN", "BEGIN:%s has no END:%s", f.name, f.name)
	}
}

// property records one property of the current VEVENT.
func (p *icsParser) property(n int, name string, bp *ics.BaseProperty) {
	ev := p.ev
	value := strings.TrimSpace(bp.Value)
	v := icsValue{line: n, value: value, kind: strings.ToUpper(firstParam(bp, "VALUE"))}
	switch name {
	case "SUMMARY":
		ev.summary, ev.hasSummary = value, true // golang-ical has unescaped it
	case "DTSTART":
		if ev.start.line != 0 {
			p.errs.add(n, name, "a second DTSTART in the event (first on line %d)", ev.start.line)
			return
		}
		ev.start = v
	case "DTEND":
		ev.end = v
	case "DURATION":
		ev.durLine = n
		ev.days = p.duration(n, value)
	case "RRULE":
		if ev.rrule.line != 0 {
			p.errs.add(n, name, "a second RRULE in the event (first on line %d): give each rule its own event", ev.rrule.line)
			return
		}
		ev.rrule = v
	case "RDATE", "EXDATE":
		for _, part := range strings.Split(value, ",") {
			pv := v
			pv.value = strings.TrimSpace(part)
			if name == "RDATE" {
				ev.rdates = append(ev.rdates, pv)
			} else {
				ev.exdates = append(ev.exdates, pv)
			}
		}
	case "STATUS":
		ev.cancelled = strings.EqualFold(value, "CANCELLED")
	case "X-MICROSOFT-CDO-ALLDAYEVENT":
		ev.outlookAllDay = strings.EqualFold(value, "TRUE")
	}
}

func firstParam(bp *ics.BaseProperty, name string) string {
	for k, vs := range bp.ICalParameters {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// date reads a DTSTART, DTEND, RDATE or EXDATE as a local date: an all-day
// DATE, or a local midnight (floating or with a TZID, as Outlook writes
// all-day events). It returns false after recording what to change.
func (p *icsParser) date(field string, v icsValue) (domain.Date, bool) {
	if v.kind != "" && v.kind != "DATE" && v.kind != "DATE-TIME" {
		p.errs.add(v.line, field, "VALUE=%s is not supported: a holiday is an all-day date (VALUE=DATE)", v.kind)
		return domain.Date{}, false
	}
	s := v.value
	fix := domain.T("export it as an all-day event (%s;VALUE=DATE:%s)", field, firstN(s, 8))
	switch {
	case len(s) == 16 && s[8] == 'T' && (s[15] == 'Z' || s[15] == 'z'):
		p.errs.add(v.line, field, "%q is a UTC date-time, which falls on different dates in different zones: %s", s, fix)
		return domain.Date{}, false
	case len(s) == 15 && s[8] == 'T' && s[9:] != "000000":
		if _, err := time.Parse("150405", s[9:]); err == nil {
			p.errs.add(v.line, field, "%q starts at %s:%s, not at midnight: a holiday is a whole day; %s", s, s[9:11], s[11:13], fix)
			return domain.Date{}, false
		}
	case len(s) == 15 && s[8] == 'T':
		s = s[:8] // a local midnight: the start of that date
	}
	t, err := time.Parse("20060102", s)
	if err != nil || len(s) != 8 {
		p.errs.add(v.line, field, "%q is not a date in the form YYYYMMDD (or a local midnight such as 20260101T000000)", shorten(v.value))
		return domain.Date{}, false
	}
	return domain.DateOf(t), true
}

func firstN(s string, n int) string {
	if len(s) < n {
		return "YYYYMMDD"
	}
	return s[:n]
}

// duration parses a DURATION of whole days or weeks (P3D, P1W); it returns
// 0 after recording an error.
func (p *icsParser) duration(n int, value string) int {
	v := strings.TrimPrefix(strings.ToUpper(value), "+")
	if len(v) >= 3 && v[0] == 'P' && (v[len(v)-1] == 'D' || v[len(v)-1] == 'W') {
		if k, err := strconv.Atoi(v[1 : len(v)-1]); err == nil && k > 0 && k <= 10*maxEventDays {
			if v[len(v)-1] == 'W' {
				k *= 7
			}
			return k
		}
	}
	p.errs.add(n, "DURATION", "%q is not a whole number of days or weeks (e.g. P1D, P2W)", shorten(value))
	return 0
}

// finishEvent checks a complete VEVENT and adds its dates in the year.
func (p *icsParser) finishEvent(ev icsEvent) {
	if ev.cancelled {
		return
	}
	bad := false
	check := func(ok bool, line int, field, message string) {
		if !ok {
			p.errs.add(line, field, message)
			bad = true
		}
	}
	check(ev.start.line != 0, ev.begin, "DTSTART", "the event has no DTSTART (its date)")
	check(ev.hasSummary && ev.summary != "", ev.begin, "SUMMARY", "the event has no SUMMARY (the holiday's name)")
	check(ev.end.line == 0 || ev.durLine == 0, ev.durLine, "DURATION", "an event has DTEND or DURATION, not both")
	var start, end domain.Date
	if ev.start.line != 0 {
		var ok bool
		start, ok = p.date("DTSTART", ev.start)
		bad = bad || !ok
	}
	if ev.end.line != 0 {
		var ok bool
		end, ok = p.date("DTEND", ev.end)
		bad = bad || !ok
	}
	if bad || (ev.durLine != 0 && ev.days == 0) {
		return // the errors are recorded
	}
	days := 1 // RFC 5545: an all-day DTSTART alone lasts one day
	switch {
	case ev.end.line != 0:
		days = end.DaysSince(start) // DTEND is exclusive
	case ev.durLine != 0:
		days = ev.days
	}
	if days < 1 || days > maxEventDays {
		line, field := ev.end.line, "DTEND"
		if ev.durLine != 0 {
			line, field = ev.durLine, "DURATION"
		}
		p.errs.add(line, field, "the event lasts %d days: it must end after it starts (DTEND is exclusive) and last at most %d days", days, maxEventDays)
		return
	}
	starts, ok := p.occurrences(ev, start, days)
	if !ok {
		return
	}
	for _, s := range starts {
		for i := range days {
			p.add(Holiday{Date: s.AddDays(i), Name: ev.summary}, ev.begin, &p.errs)
		}
	}
}

// occurrences returns the dates the event starts on: its DTSTART, or its
// rule's dates near the year, plus RDATE, minus EXDATE.
func (p *icsParser) occurrences(ev icsEvent, start domain.Date, days int) ([]domain.Date, bool) {
	if ev.rrule.line == 0 && len(ev.rdates) == 0 {
		return []domain.Date{start}, true
	}
	var out []domain.Date
	if ev.rrule.line != 0 {
		var ok bool
		if out, ok = p.expand(ev.rrule, start, days); !ok {
			return nil, false
		}
	} else {
		out = []domain.Date{start}
	}
	for _, v := range ev.rdates {
		if d, ok := p.date("RDATE", v); ok {
			out = append(out, d)
		}
	}
	ex := map[domain.Date]bool{}
	for _, v := range ev.exdates {
		if d, ok := p.date("EXDATE", v); ok {
			ex[d] = true
		}
	}
	kept, seen := out[:0], map[domain.Date]bool{}
	for _, d := range out {
		if !ex[d] && !seen[d] {
			seen[d] = true
			kept = append(kept, d)
		}
	}
	return kept, true
}

// expand returns the dates a yearly rule starts the event on that can touch
// the year (an occurrence late in the year before may run into it).
func (p *icsParser) expand(v icsValue, start domain.Date, days int) ([]domain.Date, bool) {
	p.recurring++
	if p.recurring > maxRecurring {
		p.errs.add(v.line, "RRULE", "more than %d recurring events in one file: list the year's holidays one by one", maxRecurring)
		return nil, false
	}
	opt, err := rrule.StrToROptionInLocation(v.value, time.UTC)
	switch {
	case err != nil:
		p.errs.add(v.line, "RRULE", "%q is not a recurrence rule (%v): write e.g. RRULE:FREQ=YEARLY or RRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", shorten(v.value), err)
		return nil, false
	case opt.Freq != rrule.YEARLY:
		p.errs.add(v.line, "RRULE", "FREQ=%s is not read: a holiday recurs once a year (FREQ=YEARLY); list other dates one by one", opt.Freq)
		return nil, false
	case len(opt.Byhour)+len(opt.Byminute)+len(opt.Bysecond) > 0:
		p.errs.add(v.line, "RRULE", "BYHOUR, BYMINUTE and BYSECOND are not read: a holiday is a whole day")
		return nil, false
	case p.year-start.Year > 400 || start.Year > p.year+1:
		if start.Year > p.year+1 {
			return nil, true // the rule starts after the year: no date in it
		}
		p.errs.add(v.line, "RRULE", "the rule starts in %d, more than 400 years before %d: give it a later DTSTART", start.Year, p.year)
		return nil, false
	}
	opt.Dtstart = time.Date(start.Year, start.Month, start.Day, 0, 0, 0, 0, time.UTC)
	if opt.Interval <= 1 && opt.Count == 0 && start.Year < p.year-1 && !(start.Month == 2 && start.Day == 29) {
		// Every year alike: start the walk the year before, not centuries
		// before, so a rule costs the same whenever it began.
		opt.Dtstart = time.Date(p.year-1, start.Month, start.Day, 0, 0, 0, 0, time.UTC)
	}
	rule, err := rrule.NewRRule(*opt)
	if err != nil {
		p.errs.add(v.line, "RRULE", "%q is not a rule that can be followed (%v)", shorten(v.value), err)
		return nil, false
	}
	from := time.Date(p.year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(days - 1))
	to := time.Date(p.year, 12, 31, 0, 0, 0, 0, time.UTC)
	var out []domain.Date
	for _, t := range rule.Between(from, to, true) {
		out = append(out, domain.DateOf(t))
	}
	return out, true
}

// yearHolidays collects a file's holidays of one year, counting those of
// other years, up to maxHolidays.
type yearHolidays struct {
	year               int
	out                []Holiday
	elsewhere          int
	otherMin, otherMax int
	full               bool
}

// add keeps h when it is in the year (counting it otherwise), recording in
// errs once the year has too many.
func (y *yearHolidays) add(h Holiday, line int, errs *fileErrors) {
	if h.Date.Year != y.year {
		y.elsewhere++
		if y.otherMin == 0 || h.Date.Year < y.otherMin {
			y.otherMin = h.Date.Year
		}
		y.otherMax = max(y.otherMax, h.Date.Year)
		return
	}
	if len(y.out) >= maxHolidays {
		if !y.full {
			errs.add(line, "file", "the file gives more than %d holidays in %d: a year's list has a few dozen", maxHolidays, y.year)
			y.full = true
		}
		return
	}
	y.out = append(y.out, h)
}

// result is the upload, or every problem in errs. A file that has holidays
// only in other years was sent to the wrong year: it is refused.
func (y *yearHolidays) result(errs *fileErrors, message string) (Upload, error) {
	if err := errs.err(message); err != nil {
		return Upload{}, err
	}
	if len(y.out) == 0 && y.elsewhere > 0 {
		years := strconv.Itoa(y.otherMin)
		if y.otherMax != y.otherMin {
			years += "–" + strconv.Itoa(y.otherMax)
		}
		return Upload{}, domain.Invalid("the file has no holidays in the year", domain.FieldError{Field: "year",
			Message: "the file has no holidays in %d; it lists holidays in %s: upload it to each year it covers (…/holidays/%d)", Args: []any{y.year, years, y.otherMin}})
	}
	sortHolidays(y.out)
	if y.out == nil {
		y.out = []Holiday{}
	}
	return Upload{Holidays: y.out, Elsewhere: y.elsewhere}, nil
}

// shorten cuts s for an error message.
func shorten(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return s
}
