package calendars

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"franja/domain"
)

// maxEventDays bounds a multi-day event's expansion: a holiday file with an
// event longer than a year is a mistake, not a holiday.
const maxEventDays = 366

// ParseICS reads holidays from an iCalendar (RFC 5545) file, such as a
// government's published holiday calendar. Each VEVENT is one holiday named
// by its SUMMARY (\, \; \\ and \n unescaped); its all-day DTSTART
// (DTSTART;VALUE=DATE:20260101 or DTSTART:20260101) is the first date, and a
// DTEND (exclusive, as RFC 5545 says) or a DURATION of days or weeks makes
// it a multi-day holiday expanded to every date. Folded lines (CRLF or LF
// followed by a space or tab) are unfolded. Cancelled events
// (STATUS:CANCELLED) are skipped; other components (VTIMEZONE, VALARM, …)
// and unknown properties are ignored.
//
// Every problem is reported at once as a domain.EInvalid error whose field
// errors name the physical line (1-based, the first line of a folded
// property) and what is wrong: a timed (date-time) event, a recurring event
// (RRULE/RDATE: list each holiday instead), a missing SUMMARY or DTSTART,
// an end before the start, unbalanced BEGIN/END. The result is in date
// order, file order within a date. Only a read failure returns another
// error.
//
// Hand-written rather than a library: the maintained Go iCalendar parsers
// (arran4/golang-ical v0.3.4, ~3,800 lines with testify in its go.sum;
// emersion/go-ical has no tagged release) stop at the first error and report
// unfolded line counts, while an upload needs every problem with the line a
// person sees in an editor. The subset holidays need is small.
func ParseICS(r io.Reader) ([]Holiday, error) {
	lines, err := unfoldICS(r)
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 || !strings.EqualFold(strings.TrimSpace(lines[0].text), "BEGIN:VCALENDAR") {
		// One error, not one per line, for a file that is something else.
		return nil, domain.Invalid("the file is not an iCalendar file", domain.FieldError{
			Line: 1, Field: "BEGIN", Message: "not an iCalendar file: the first line must be BEGIN:VCALENDAR"})
	}
	p := icsParser{out: []Holiday{}}
	for _, l := range lines {
		p.line(l)
	}
	p.finish()
	if len(p.errs) > 0 {
		return nil, domain.Invalid("the iCalendar file has errors", p.errs...)
	}
	sortHolidays(p.out)
	return p.out, nil
}

// icsLine is one unfolded content line and the physical line it starts on.
type icsLine struct {
	n    int
	text string
}

// unfoldICS splits r into content lines, joining folded continuations (a
// line starting with a space or tab continues the previous one, minus that
// first character). Blank lines are dropped.
func unfoldICS(r io.Reader) ([]icsLine, error) {
	br := bufio.NewReader(r)
	var out []icsLine
	for n := 1; ; n++ {
		s, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading the iCalendar file: %w", err)
		}
		if s == "" && err != nil {
			return out, nil
		}
		s = strings.TrimRight(s, "\r\n")
		if n == 1 {
			s = strings.TrimPrefix(s, "\uFEFF") // a byte-order mark some exporters write
		}
		switch {
		case s == "":
		case (s[0] == ' ' || s[0] == '\t') && len(out) > 0:
			out[len(out)-1].text += s[1:]
		default:
			out = append(out, icsLine{n, s})
		}
		if err != nil {
			return out, nil
		}
	}
}

// icsEvent is a VEVENT being read.
type icsEvent struct {
	begin            int // line of BEGIN:VEVENT
	summary          string
	hasSummary       bool
	start, end       domain.Date
	startLine        int
	endLine, durLine int
	days             int // from DURATION
	cancelled        bool
}

// icsParser reads content lines in order, keeping the component stack, the
// event being read, the holidays found and every error.
type icsParser struct {
	stack []icsFrame
	ev    *icsEvent
	out   []Holiday
	errs  []domain.FieldError
}

type icsFrame struct {
	name string
	line int
}

func (p *icsParser) errorf(line int, field, format string, args ...any) {
	p.errs = append(p.errs, domain.FieldError{Line: line, Field: field, Message: format, Args: args})
}

func (p *icsParser) line(l icsLine) {
	name, params, value, ok := splitContentLine(l.text)
	if !ok {
		p.errorf(l.n, "line", "%q is not an iCalendar property (NAME:value)", shorten(l.text))
		return
	}
	switch name {
	case "BEGIN":
		p.begin(l.n, strings.ToUpper(strings.TrimSpace(value)))
	case "END":
		p.end(l.n, strings.ToUpper(strings.TrimSpace(value)))
	default:
		if len(p.stack) == 0 {
			p.errorf(l.n, name, "property outside BEGIN:VCALENDAR … END:VCALENDAR")
		} else if p.ev != nil && p.stack[len(p.stack)-1].name == "VEVENT" {
			p.property(l.n, name, params, value)
		}
	}
}

func (p *icsParser) begin(n int, comp string) {
	switch {
	case len(p.stack) == 0 && comp != "VCALENDAR":
		p.errorf(n, "BEGIN", "BEGIN:%s outside BEGIN:VCALENDAR … END:VCALENDAR", comp)
	case comp == "VCALENDAR" && len(p.stack) > 0:
		p.errorf(n, "BEGIN", "VCALENDAR cannot be nested")
	case comp == "VEVENT" && len(p.stack) != 1:
		p.errorf(n, "BEGIN", "VEVENT must be directly inside VCALENDAR")
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
		p.errorf(n, "END", "END:%s does not match: %s", comp, want)
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
		p.errorf(f.line, "BEGIN", "BEGIN:%s has no END:%s", f.name, f.name)
	}
}

// property records one property of the current VEVENT.
func (p *icsParser) property(n int, name string, params map[string]string, value string) {
	ev := p.ev
	if name != "SUMMARY" {
		value = strings.TrimSpace(value)
	}
	switch name {
	case "SUMMARY":
		ev.summary, ev.hasSummary = unescapeText(value), true
	case "DTSTART":
		if ev.startLine != 0 {
			p.errorf(n, name, "a second DTSTART in the event (first on line %d)", ev.startLine)
			return
		}
		ev.startLine = n
		ev.start = p.date(n, name, params, value)
	case "DTEND":
		ev.endLine = n
		ev.end = p.date(n, name, params, value)
	case "DURATION":
		ev.durLine = n
		ev.days = p.duration(n, value)
	case "RRULE", "RDATE":
		p.errorf(n, name, "recurring events are not supported: list each holiday as its own event")
	case "STATUS":
		ev.cancelled = strings.EqualFold(value, "CANCELLED")
	}
}

// date parses an all-day DTSTART or DTEND value; it returns the zero Date
// after recording an error.
func (p *icsParser) date(n int, field string, params map[string]string, value string) domain.Date {
	if v, ok := params["VALUE"]; ok && !strings.EqualFold(v, "DATE") {
		p.errorf(n, field, "VALUE=%s is not supported: a holiday is an all-day date (VALUE=DATE)", v)
		return domain.Date{}
	}
	if strings.Contains(value, "T") {
		p.errorf(n, field, "%q is a date-time: a holiday must be an all-day date such as 20260101", value)
		return domain.Date{}
	}
	t, err := time.Parse("20060102", value)
	if err != nil || len(value) != 8 {
		p.errorf(n, field, "%q is not a date in the form YYYYMMDD", shorten(value))
		return domain.Date{}
	}
	return domain.DateOf(t)
}

// duration parses a DURATION of whole days or weeks (P3D, P1W); it returns
// 0 after recording an error.
func (p *icsParser) duration(n int, value string) int {
	v := strings.TrimPrefix(strings.ToUpper(value), "+")
	if len(v) >= 3 && v[0] == 'P' && (v[len(v)-1] == 'D' || v[len(v)-1] == 'W') {
		if k, err := strconv.Atoi(v[1 : len(v)-1]); err == nil && k > 0 {
			if v[len(v)-1] == 'W' {
				k *= 7
			}
			return k
		}
	}
	p.errorf(n, "DURATION", "%q is not a whole number of days or weeks (e.g. P1D, P2W)", shorten(value))
	return 0
}

// finishEvent checks a complete VEVENT and adds its dates.
func (p *icsParser) finishEvent(ev icsEvent) {
	if ev.cancelled {
		return
	}
	bad := false
	check := func(ok bool, line int, field, message string) {
		if !ok {
			p.errorf(line, field, message)
			bad = true
		}
	}
	check(ev.startLine != 0, ev.begin, "DTSTART", "the event has no DTSTART (its date)")
	check(ev.hasSummary && ev.summary != "", ev.begin, "SUMMARY", "the event has no SUMMARY (the holiday's name)")
	check(ev.endLine == 0 || ev.durLine == 0, ev.durLine, "DURATION", "an event has DTEND or DURATION, not both")
	if bad || ev.start.IsZero() || (ev.endLine != 0 && ev.end.IsZero()) || (ev.durLine != 0 && ev.days == 0) {
		return // the parse errors are already recorded
	}
	days := 1 // RFC 5545: an all-day DTSTART alone lasts one day
	switch {
	case ev.endLine != 0:
		days = ev.end.DaysSince(ev.start) // DTEND is exclusive
	case ev.durLine != 0:
		days = ev.days
	}
	if days < 1 || days > maxEventDays {
		line, field := ev.endLine, "DTEND"
		if ev.durLine != 0 {
			line, field = ev.durLine, "DURATION"
		}
		p.errorf(line, field, "the event lasts %d days: it must end after it starts (DTEND is exclusive) and last at most %d days", days, maxEventDays)
		return
	}
	for i := range days {
		p.out = append(p.out, Holiday{Date: ev.start.AddDays(i), Name: ev.summary})
	}
}

// splitContentLine splits "NAME;P1=v;P2=\"a:b\":value" into the upper-case
// name, the parameters (upper-case keys, quotes removed) and the value. A
// colon inside a quoted parameter value does not end the name part.
func splitContentLine(s string) (name string, params map[string]string, value string, ok bool) {
	colon, inQuote := -1, false
	for i := 0; i < len(s) && colon < 0; i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case ':':
			if !inQuote {
				colon = i
			}
		}
	}
	if colon <= 0 {
		return "", nil, "", false
	}
	parts := strings.Split(s[:colon], ";") // a quoted ';' is not expected in the parameters holidays use
	name = strings.ToUpper(strings.TrimSpace(parts[0]))
	if name == "" {
		return "", nil, "", false
	}
	params = map[string]string{}
	for _, kv := range parts[1:] {
		k, v, _ := strings.Cut(kv, "=")
		params[strings.ToUpper(k)] = strings.Trim(v, `"`)
	}
	return name, params, s[colon+1:], true
}

// unescapeText undoes RFC 5545 TEXT escaping: \\ \; \, and \n or \N (a
// newline). An unknown escape keeps the character after the backslash.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			c = s[i]
			if c == 'n' || c == 'N' {
				c = '\n'
			}
		}
		b.WriteByte(c)
	}
	return strings.TrimSpace(b.String())
}

// shorten cuts s for an error message.
func shorten(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return s
}
