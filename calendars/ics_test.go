package calendars

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

// parseICS2026 reads s for 2026.
func parseICS2026(s string) (Upload, error) {
	return ParseICS(context.Background(), strings.NewReader(s), 2026)
}

// crlf joins lines with CRLF, as RFC 5545 requires and exporters write.
func crlf(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

// govICS imitates a government's published holiday calendar: CRLF, folded
// lines (one folded inside an escaped sequence's neighbourhood, one folded
// with a tab), escaped commas and semicolons, a time-zone component, an
// alarm inside an event, a byte-order mark, and the usual noise properties.
var govICS = "\uFEFF" + crlf(
	"BEGIN:VCALENDAR", // line 1
	"VERSION:2.0",
	"PRODID:-//Gobierno//Festivos//ES",
	"CALSCALE:GREGORIAN",
	"METHOD:PUBLISH",
	"X-WR-CALNAME:Festivos nacionales 2026",
	"BEGIN:VTIMEZONE",
	"TZID:America/Bogota",
	"BEGIN:STANDARD",
	"DTSTART:19700101T000000", // 10: a date-time outside any VEVENT is not ours to judge
	"TZOFFSETFROM:-0500",
	"TZOFFSETTO:-0500",
	"END:STANDARD",
	"END:VTIMEZONE",
	"BEGIN:VEVENT",
	"UID:20260101-ano-nuevo@festivos.gov.co",
	"DTSTAMP:20251120T120000Z",
	"DTSTART;VALUE=DATE:20260101",
	"DTEND;VALUE=DATE:20260102",
	"SUMMARY;LANGUAGE=es:Año Nuevo", // 20
	"TRANSP:TRANSPARENT",
	"END:VEVENT",
	"BEGIN:VEVENT",
	"UID:20260112@festivos.gov.co",
	"DTSTART:20260112",
	"SUMMARY:Día de los Reyes Magos\\, trasladado al lunes (Ley 51 de 1983",
	" )",
	"DESCRIPTION:Ley 51 de 1983\\; art. 1.\\nFestivo trasladado.",
	"BEGIN:VALARM",
	"ACTION:DISPLAY", // 30
	"DESCRIPTION:Recordatorio",
	"TRIGGER:-PT15H",
	"END:VALARM",
	"END:VEVENT",
	"BEGIN:VEVENT",
	"UID:cierre@festivos.gov.co",
	"DTSTART;VALUE=DATE:20261224",
	"DTEND;VALUE=DATE:20261227",
	"SUMMARY:Cierre de fin de año\\; sedes en Bogot",
	"\tá", // 40
	"END:VEVENT",
	"BEGIN:VEVENT",
	"DTSTART;VALUE=DATE:20260402",
	"DURATION:P2D",
	"SUMMARY:Semana Santa\\nJueves y Viernes",
	"END:VEVENT",
	"BEGIN:VEVENT",
	"DTSTART;VALUE=DATE:20260501",
	"SUMMARY:Día del Trabajo (cancelado)",
	"STATUS:CANCELLED", // 50
	"END:VEVENT",
	"BEGIN:VEVENT",
	"DTSTART;VALUE=DATE:20260101",
	"SUMMARY:Otro festivo el mismo día",
	"END:VEVENT",
	"END:VCALENDAR",
)

func TestParseICS(t *testing.T) {
	got, err := parseICS2026(govICS)
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{
		{d(2026, 1, 1), "Año Nuevo"},
		{d(2026, 1, 1), "Otro festivo el mismo día"},
		{d(2026, 1, 12), "Día de los Reyes Magos, trasladado al lunes (Ley 51 de 1983)"},
		{d(2026, 4, 2), "Semana Santa\nJueves y Viernes"},
		{d(2026, 4, 3), "Semana Santa\nJueves y Viernes"},
		{d(2026, 12, 24), "Cierre de fin de año; sedes en Bogotá"},
		{d(2026, 12, 25), "Cierre de fin de año; sedes en Bogotá"},
		{d(2026, 12, 26), "Cierre de fin de año; sedes en Bogotá"},
	}
	if diff := cmp.Diff(want, got.Holidays); diff != "" {
		t.Errorf("ParseICS mismatch (-want +got):\n%s", diff)
	}
	// The same file with bare LF line ends reads the same.
	lf, err := parseICS2026(strings.ReplaceAll(govICS, "\r\n", "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, lf.Holidays); diff != "" {
		t.Errorf("ParseICS with LF mismatch (-want +got):\n%s", diff)
	}
}

func TestParseICSNoEvents(t *testing.T) {
	got, err := parseICS2026(crlf("BEGIN:VCALENDAR", "VERSION:2.0", "END:VCALENDAR"))
	if err != nil || got.Holidays == nil || len(got.Holidays) != 0 {
		t.Errorf("ParseICS(empty calendar) = %v, %v; want an empty list", got, err)
	}
}

func TestParseICSErrors(t *testing.T) {
	event := func(lines ...string) string {
		return crlf(append(append([]string{"BEGIN:VCALENDAR", "BEGIN:VEVENT"}, lines...), "END:VEVENT", "END:VCALENDAR")...)
	}
	tests := []struct {
		name string
		in   string
		want []domain.FieldError
	}{
		{"empty file", "", []domain.FieldError{{Line: 1, Field: "BEGIN", Message: "not an iCalendar file: the first line must be BEGIN:VCALENDAR"}}},
		{"not a calendar", "date,name\n2026-01-01,Año Nuevo\n", []domain.FieldError{
			{Line: 1, Field: "BEGIN", Message: "not an iCalendar file: the first line must be BEGIN:VCALENDAR"},
		}},
		{"garbage and strays after the calendar", crlf("BEGIN:VCALENDAR", "no colon here", "END:VCALENDAR", "X-AFTER:1", "BEGIN:VEVENT", "END:VEVENT"), []domain.FieldError{
			{Line: 2, Field: "line", Message: `"no colon here" is not an iCalendar property (NAME:value)`},
			{Line: 4, Field: "X-AFTER", Message: "property outside BEGIN:VCALENDAR … END:VCALENDAR"},
			{Line: 5, Field: "BEGIN", Message: "BEGIN:VEVENT outside BEGIN:VCALENDAR … END:VCALENDAR"},
		}},
		{"nested calendar and misplaced event", crlf("BEGIN:VCALENDAR", "BEGIN:VTODO", "BEGIN:VEVENT", "END:VEVENT", "END:VTODO", "BEGIN:VCALENDAR", "END:VCALENDAR", "END:VCALENDAR"), []domain.FieldError{
			{Line: 3, Field: "BEGIN", Message: "VEVENT must be directly inside VCALENDAR"},
			{Line: 6, Field: "BEGIN", Message: "VCALENDAR cannot be nested"},
		}},
		{"event inside an event", crlf("BEGIN:VCALENDAR", "BEGIN:VEVENT", "DTSTART:20260101 ", "BEGIN:VEVENT", "END:VEVENT", "SUMMARY:Año Nuevo", "END:VEVENT ", "END:VCALENDAR"), []domain.FieldError{
			{Line: 4, Field: "BEGIN", Message: "VEVENT must be directly inside VCALENDAR"},
		}},
		{"UTC date-time start", event("DTSTART:20260101T050000Z", "SUMMARY:Año Nuevo"), []domain.FieldError{
			{Line: 3, Field: "DTSTART", Message: `"20260101T050000Z" is a UTC date-time, which falls on different dates in different zones: export it as an all-day event (DTSTART;VALUE=DATE:20260101)`},
		}},
		{"a start that is not midnight", event("DTSTART;TZID=America/Bogota:20260101T090000", "SUMMARY:Año Nuevo"), []domain.FieldError{
			{Line: 3, Field: "DTSTART", Message: `"20260101T090000" starts at 09:00, not at midnight: a holiday is a whole day; export it as an all-day event (DTSTART;VALUE=DATE:20260101)`},
		}},
		{"period value type", event("DTSTART;VALUE=PERIOD:20260101T000000Z/P1D", "SUMMARY:x"), []domain.FieldError{
			{Line: 3, Field: "DTSTART", Message: "VALUE=PERIOD is not supported: a holiday is an all-day date (VALUE=DATE)"},
		}},
		{"impossible date and missing summary", event("DTSTART;VALUE=DATE:20260230"), []domain.FieldError{
			{Line: 2, Field: "SUMMARY", Message: "the event has no SUMMARY (the holiday's name)"},
			{Line: 3, Field: "DTSTART", Message: `"20260230" is not a date in the form YYYYMMDD (or a local midnight such as 20260101T000000)`},
		}},
		{"no start", event("SUMMARY:Año Nuevo"), []domain.FieldError{
			{Line: 2, Field: "DTSTART", Message: "the event has no DTSTART (its date)"},
		}},
		{"end before start", event("DTSTART;VALUE=DATE:20260105", "DTEND;VALUE=DATE:20260105", "SUMMARY:x"), []domain.FieldError{
			{Line: 4, Field: "DTEND", Message: "the event lasts 0 days: it must end after it starts (DTEND is exclusive) and last at most 366 days"},
		}},
		{"too long", event("DTSTART;VALUE=DATE:20260101", "DURATION:P400D", "SUMMARY:x"), []domain.FieldError{
			{Line: 4, Field: "DURATION", Message: "the event lasts 400 days: it must end after it starts (DTEND is exclusive) and last at most 366 days"},
		}},
		{"bad duration", event("DTSTART;VALUE=DATE:20260101", "DURATION:PT1H", "SUMMARY:x"), []domain.FieldError{
			{Line: 4, Field: "DURATION", Message: `"PT1H" is not a whole number of days or weeks (e.g. P1D, P2W)`},
		}},
		{"monthly", event("DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=MONTHLY", "SUMMARY:x"), []domain.FieldError{
			{Line: 4, Field: "RRULE", Message: "FREQ=MONTHLY is not read: a holiday recurs once a year (FREQ=YEARLY); list other dates one by one"},
		}},
		{"hourly parts", event("DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=YEARLY;BYHOUR=1,2,3", "SUMMARY:x"), []domain.FieldError{
			{Line: 4, Field: "RRULE", Message: "BYHOUR, BYMINUTE and BYSECOND are not read: a holiday is a whole day"},
		}},
		{"not a rule", event("DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=YEARLY;BYNONSENSE=2", "SUMMARY:x"), []domain.FieldError{
			{Line: 4, Field: "RRULE", Message: `"FREQ=YEARLY;BYNONSENSE=2" is not a recurrence rule (unknown RRULE property: BYNONSENSE): write e.g. RRULE:FREQ=YEARLY or RRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1`},
		}},
		{"two starts", event("DTSTART;VALUE=DATE:20260101", "DTSTART;VALUE=DATE:20260102", "SUMMARY:x"), []domain.FieldError{
			{Line: 4, Field: "DTSTART", Message: "a second DTSTART in the event (first on line 3)"},
		}},
		{"unclosed event", crlf("BEGIN:VCALENDAR", "BEGIN:VEVENT", "DTSTART:20260101", "SUMMARY:x", "END:VCALENDAR"), []domain.FieldError{
			{Line: 5, Field: "END", Message: "END:VCALENDAR does not match: expected END:VEVENT for BEGIN on line 2"},
			{Line: 2, Field: "BEGIN", Message: "BEGIN:VEVENT has no END:VEVENT"},
			{Line: 1, Field: "BEGIN", Message: "BEGIN:VCALENDAR has no END:VCALENDAR"},
		}},
		{"errors in several events, folded line numbers", crlf(
			"BEGIN:VCALENDAR",
			"BEGIN:VEVENT",
			"SUMMARY:Un nombre",
			"  largo",
			"DTSTART:2026",
			" 13-01",
			"END:VEVENT",
			"BEGIN:VEVENT",
			"DTSTART:20260101",
			"END:VEVENT",
			"END:VCALENDAR"), []domain.FieldError{
			{Line: 5, Field: "DTSTART", Message: `"202613-01" is not a date in the form YYYYMMDD (or a local midnight such as 20260101T000000)`},
			{Line: 8, Field: "SUMMARY", Message: "the event has no SUMMARY (the holiday's name)"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseICS2026(tt.in)
			if got.Holidays != nil {
				t.Errorf("ParseICS returned holidays with an error: %v", got)
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.EInvalid {
				t.Fatalf("ParseICS error = %v, want an EInvalid *domain.Error", err)
			}
			if diff := cmp.Diff(tt.want, domain.InEnglish(de.Fields)); diff != "" {
				t.Errorf("field errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseICSReadError(t *testing.T) {
	_, err := ParseICS(context.Background(), iotest.ErrReader(errors.New("connection reset")), 2026)
	if err == nil || domain.ErrorCodeOf(err) != domain.EInternal {
		t.Errorf("ParseICS(failing reader) = %v, want an internal error", err)
	}
}
