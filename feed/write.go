package feed

import (
	"bufio"
	"io"
	"time"

	ics "github.com/arran4/golang-ical"

	"franja/domain"
	"franja/policy"
)

// refreshValue is Refresh as an iCalendar duration.
const refreshValue = "PT1H"

// Write writes c as an RFC 5545 calendar (written by golang-ical: CRLF
// line ends, lines folded at 75 octets, text escaped) with stamp as every
// event's DTSTAMP. Every event has a stable UID; timed events are in UTC,
// all-day ones are DATE values with an exclusive DTEND; free time is
// TRANSPARENT, absences OPAQUE (and out of office for Outlook).
func (c Calendar) Write(w io.Writer, stamp time.Time) error {
	cal := ics.NewCalendarFor("Franja")
	cal.SetProductId("-//Franja//Franja feeds 1.0//" + langTag(c.Lang))
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	cal.SetName(c.Name) // NAME (RFC 7986) and X-WR-CALNAME
	if c.Description != "" {
		cal.SetDescription(c.Description)
		cal.SetXWRCalDesc(c.Description)
	}
	cal.SetRefreshInterval(refreshValue) // golang-ical names it REFRESH-INTERVAL;VALUE=DURATION
	cal.SetXPublishedTTL(refreshValue)
	for _, e := range c.Events {
		addEvent(cal, e, stamp)
	}
	bw := bufio.NewWriter(w)
	if err := cal.SerializeTo(bw, ics.WithNewLineWindows); err != nil {
		return err
	}
	return bw.Flush()
}

func addEvent(cal *ics.Calendar, e Event, stamp time.Time) {
	ev := cal.AddEvent(e.UID)
	ev.SetDtStampTime(stamp)
	if e.AllDay() {
		ev.SetAllDayStartAt(midnight(e.Date))
		ev.SetAllDayEndAt(midnight(e.EndDate))
		ev.SetProperty("X-MICROSOFT-CDO-ALLDAYEVENT", "TRUE")
	} else {
		ev.SetStartAt(e.Start)
		ev.SetEndAt(e.End)
	}
	ev.SetSummary(e.Summary)
	ev.SetClass(ics.ClassificationPublic)
	if e.Busy() {
		ev.SetTimeTransparency(ics.TransparencyOpaque)
		ev.SetProperty("X-MICROSOFT-CDO-BUSYSTATUS", "OOF")
	} else {
		ev.SetTimeTransparency(ics.TransparencyTransparent)
		ev.SetProperty("X-MICROSOFT-CDO-BUSYSTATUS", "FREE")
	}
}

// midnight is d as a time whose date is d (golang-ical writes DATE values
// from a time's own date).
func midnight(d domain.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

func langTag(l policy.Lang) string {
	if l == policy.English {
		return "EN"
	}
	return "ES"
}
