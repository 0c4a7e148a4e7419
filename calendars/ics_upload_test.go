package calendars

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

// outlookICS is how Outlook exports all-day events: a local midnight in a
// Windows zone, flagged X-MICROSOFT-CDO-ALLDAYEVENT.
var outlookICS = crlf(
	"BEGIN:VCALENDAR",
	"PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
	"VERSION:2.0",
	"METHOD:PUBLISH",
	"X-MS-OLK-FORCEINSPECTOROPEN:TRUE",
	"BEGIN:VTIMEZONE",
	"TZID:SA Pacific Standard Time",
	"BEGIN:STANDARD",
	"DTSTART:16010101T000000",
	"TZOFFSETFROM:-0500",
	"TZOFFSETTO:-0500",
	"END:STANDARD",
	"END:VTIMEZONE",
	"BEGIN:VEVENT",
	"CLASS:PUBLIC",
	"DTEND;TZID=\"SA Pacific Standard Time\":20260102T000000",
	"DTSTAMP:20251201T150000Z",
	"DTSTART;TZID=\"SA Pacific Standard Time\":20260101T000000",
	"SUMMARY;LANGUAGE=es-co:Año Nuevo",
	"TRANSP:TRANSPARENT",
	"UID:040000008200E00074C5B7101A82E00800000000",
	"X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
	"X-MICROSOFT-CDO-BUSYSTATUS:FREE",
	"END:VEVENT",
	"BEGIN:VEVENT",
	"DTSTART;TZID=SA Pacific Standard Time:20261224T000000",
	"DTEND;TZID=SA Pacific Standard Time:20261226T000000",
	"SUMMARY:Navidad",
	"X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
	"END:VEVENT",
	"END:VCALENDAR",
)

func TestParseICSOutlookAllDay(t *testing.T) {
	got, err := parseICS2026(outlookICS)
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{{d(2026, 1, 1), "Año Nuevo"}, {d(2026, 12, 24), "Navidad"}, {d(2026, 12, 25), "Navidad"}}
	if diff := cmp.Diff(want, got.Holidays); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// severalYears is a government's file spanning 2025–2027, with a yearly
// rule, a rule with an exception and an extra date, and a holiday that
// runs from one year into the next.
var severalYears = crlf(
	"BEGIN:VCALENDAR",
	"BEGIN:VEVENT",
	"DTSTART;VALUE=DATE:20250101",
	"SUMMARY:Año Nuevo 2025",
	"END:VEVENT",
	"BEGIN:VEVENT",
	"DTSTART;VALUE=DATE:20270101",
	"SUMMARY:Año Nuevo 2027",
	"END:VEVENT",
	"BEGIN:VEVENT",
	"DTSTART;VALUE=DATE:18190807", // a rule begun two centuries ago costs the same
	"RRULE:FREQ=YEARLY",
	"SUMMARY:Batalla de Boyacá",
	"END:VEVENT",
	"BEGIN:VEVENT",
	"DTSTART;VALUE=DATE:20201102",
	"RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1MO", // the first Monday of November
	"EXDATE;VALUE=DATE:20261102",
	"RDATE;VALUE=DATE:20261103,20261104",
	"SUMMARY:Todos los Santos (trasladado)",
	"END:VEVENT",
	"BEGIN:VEVENT",
	"DTSTART;VALUE=DATE:20251231",
	"DTEND;VALUE=DATE:20260102",
	"SUMMARY:Cierre",
	"END:VEVENT",
	"BEGIN:VEVENT",
	"DTSTART;VALUE=DATE:20201231",
	"DURATION:P2D",
	"RRULE:FREQ=YEARLY;COUNT=10",
	"SUMMARY:Cierre anual",
	"END:VEVENT",
	"END:VCALENDAR",
)

func TestParseICSSeveralYearsAndRules(t *testing.T) {
	got, err := parseICS2026(severalYears)
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{
		{d(2026, 1, 1), "Cierre"},
		{d(2026, 1, 1), "Cierre anual"}, // 2025-12-31 + 2 days
		{d(2026, 8, 7), "Batalla de Boyacá"},
		{d(2026, 11, 3), "Todos los Santos (trasladado)"},
		{d(2026, 11, 4), "Todos los Santos (trasladado)"},
		{d(2026, 12, 31), "Cierre anual"},
	}
	if diff := cmp.Diff(want, got.Holidays); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Left out: 2025-01-01, 2027-01-01, 2025-12-31 (Cierre), 2025-12-31
	// (Cierre anual), 2027-01-01 (Cierre anual).
	if got.Elsewhere != 5 {
		t.Errorf("Elsewhere = %d, want 5", got.Elsewhere)
	}
	_, err = ParseICS(context.Background(), strings.NewReader(crlf("BEGIN:VCALENDAR", "BEGIN:VEVENT", "DTSTART;VALUE=DATE:20250101", "SUMMARY:x", "END:VEVENT", "END:VCALENDAR")), 2026)
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != "year" {
		t.Errorf("a file without the year: %v", err)
	}
}

// foldedICS is a calendar of n events whose summaries are folded into
// one-character lines: the shape that made the old unfolding quadratic.
func foldedICS(n int) []byte {
	var b bytes.Buffer
	b.WriteString("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nSUMMARY:x\r\n")
	for range n {
		b.WriteString(" y\r\n")
	}
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.Bytes()
}

// allocated returns the bytes fn allocates (TotalAlloc only grows: no
// collection is needed to read it).
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestParseICSIsLinear (issue 17, finding 2): a folded property of 333,000
// lines (1 MB) allocates a small multiple of its size, and twice the lines
// allocate about twice as much, where string concatenation allocated the
// square. A long folded line is refused once, not re-read.
func TestParseICSIsLinear(t *testing.T) {
	cost := func(n int) uint64 {
		in := foldedICS(n)
		return allocated(func() {
			if _, err := ParseICS(context.Background(), bytes.NewReader(in), 2026); domain.ErrorCodeOf(err) != domain.EInvalid {
				t.Fatalf("a SUMMARY of %d octets: %v, want the property refused as too long", n, err)
			}
		})
	}
	small, large := cost(333_000), cost(666_000)
	if small > 8*1_000_000 {
		t.Errorf("1 MB of folded lines allocated %d bytes (want at most 8 MB)", small)
	}
	if ratio := float64(large) / float64(small); ratio > 3 {
		t.Errorf("twice the lines allocated %.1f times as much (linear: about 2)", ratio)
	}
}

// endless is an .ics that never ends: one event folded forever.
type endless struct{ read int }

func (e *endless) Read(p []byte) (int, error) {
	const head = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDESCRIPTION:x\r\n"
	n := 0
	for n < len(p) {
		if e.read < len(head) {
			c := copy(p[n:], head[e.read:])
			n += c
			e.read += c
			continue
		}
		p[n] = " z\r\n"[(e.read-len(head))%4]
		n++
		e.read++
	}
	return n, nil
}

// TestParseICSStopsWhenCancelled: a request that has gone away stops the
// parser within a bounded amount of reading, even on a file that never
// ends.
func TestParseICSStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := &endless{}
	_, err := ParseICS(ctx, r, 2026)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ParseICS on a cancelled context = %v, want context.Canceled", err)
	}
	if r.read > 64<<10 {
		t.Errorf("read %d bytes after the context ended (want at most 64 KiB: %d lines and a buffer)", r.read, checkEvery)
	}
	_, err = ParseCSV(ctx, strings.NewReader("date,name\n"+strings.Repeat("2026-01-01,x\n", 3*checkEvery)), 2026)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("ParseCSV on a cancelled context = %v, want context.Canceled", err)
	}
}

// FuzzParseICS: any input gives holidays or a client error, never a panic
// or another error; what it gives is bounded (holidays in the year, at most
// maxHolidays, at most maxFileErrors+1 problems) and so is what it
// allocates (a constant for the bounded expansions plus a small multiple of
// the input).
func FuzzParseICS(f *testing.F) {
	for _, s := range []string{govICS, outlookICS, severalYears, crlf("BEGIN:VCALENDAR", "END:VCALENDAR"), ""} {
		f.Add([]byte(s))
	}
	f.Add(foldedICS(100))
	f.Fuzz(func(t *testing.T, in []byte) {
		var up Upload
		var err error
		bytesAllocated := allocated(func() { up, err = ParseICS(context.Background(), bytes.NewReader(in), 2026) })
		checkUpload(t, up, err)
		if limit := 32<<20 + 64*uint64(len(in)); bytesAllocated > limit {
			t.Errorf("%d input bytes allocated %d bytes (limit %d)", len(in), bytesAllocated, limit)
		}
	})
}

// FuzzParseCSV is FuzzParseICS for CSV files.
func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{"date,name\n2026-01-01,Año Nuevo\n", "fecha;nombre\n01/01/2026;Año Nuevo\n", "date,name\n2025-01-01,x\n", "\xff\xfe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var up Upload
		var err error
		bytesAllocated := allocated(func() { up, err = ParseCSV(context.Background(), bytes.NewReader(in), 2026) })
		checkUpload(t, up, err)
		if limit := 1<<20 + 64*uint64(len(in)); bytesAllocated > limit {
			t.Errorf("%d input bytes allocated %d bytes (limit %d)", len(in), bytesAllocated, limit)
		}
	})
}

func checkUpload(t *testing.T, up Upload, err error) {
	t.Helper()
	if err != nil {
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.EInvalid || len(de.Fields) == 0 || len(de.Fields) > maxFileErrors+1 {
			t.Fatalf("not a bounded client error: %v", err)
		}
		return
	}
	if len(up.Holidays) > maxHolidays {
		t.Errorf("%d holidays", len(up.Holidays))
	}
	for _, h := range up.Holidays {
		if h.Date.Year != 2026 || h.Name == "" {
			t.Fatalf("holiday %+v outside the year or unnamed", h)
		}
	}
}

var _ io.Reader = (*endless)(nil)

// BenchmarkParseICSFolded parses 1 MB of one DESCRIPTION folded into
// 333,000 lines (issue 17, finding 2: the old unfolding took ~25–47 s):
//
//	go test -run x -bench BenchmarkParseICSFolded -benchmem ./calendars/
func BenchmarkParseICSFolded(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nSUMMARY:x\r\nDESCRIPTION:x\r\n")
	for range 333_000 {
		buf.WriteString(" y\r\n")
	}
	buf.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	in := buf.Bytes()
	for b.Loop() {
		if _, err := ParseICS(context.Background(), bytes.NewReader(in), 2026); err != nil {
			b.Fatal(err)
		}
	}
}
