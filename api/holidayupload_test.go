package api

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// TestUploadsThatRealFilesPass (issue 13, item 5): Outlook's all-day
// events, a file spanning several years with a yearly rule, and a CSV as
// Spanish-locale Excel saves it are accepted, each giving the year's
// holidays; a file of other years only is refused naming the years.
func TestUploadsThatRealFilesPass(t *testing.T) {
	h := newHarness(t)
	createHolidayPost(h, "BOG", "CO")
	outlook := strings.Join([]string{
		"BEGIN:VCALENDAR", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "VERSION:2.0",
		"BEGIN:VEVENT", "DTSTART;TZID=\"SA Pacific Standard Time\":20260102T000000", "DTEND;TZID=\"SA Pacific Standard Time\":20260103T000000",
		"SUMMARY:Puente de Año Nuevo", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE", "END:VEVENT",
		"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20250707", "RRULE:FREQ=YEARLY", "SUMMARY:Aniversario de la sede", "END:VEVENT",
		"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20271224", "SUMMARY:Nochebuena 2027", "END:VEVENT",
		"END:VCALENDAR", ""}, "\r\n")
	got := h.send(http.StatusOK, req{Method: "PUT", Path: "/v1/posts/BOG/holidays/2026", Body: outlook, ContentType: "text/calendar"})
	if got["count"] != 2.0 || got["other_years"] != 1.0 {
		t.Errorf("Outlook, several years, a rule: %v", got)
	}
	list := h.getHolidays("/v1/posts/BOG/holidays?year=2026")
	if len(holOnDate(list, "2026-01-02")) == 0 || len(holOnDate(list, "2026-07-07")) == 0 {
		t.Errorf("the uploaded closures are not the post's holidays: %+v", list.Holidays)
	}

	excel, err := charmap.Windows1252.NewEncoder().String("Fecha;Nombre\r\n02/01/2026;Puente de Año Nuevo\r\n07/07/2026;Aniversario de la sede\r\n24/12/2027;Nochebuena\r\n")
	if err != nil {
		t.Fatal(err)
	}
	got = h.send(http.StatusOK, req{Method: "PUT", Path: "/v1/posts/BOG/holidays/2026", Body: excel, ContentType: "text/csv"})
	if got["count"] != 2.0 || got["changed"] != false || got["other_years"] != 1.0 {
		t.Errorf("the same list from Spanish Excel: %v (want the same 2 closures, unchanged)", got)
	}

	res := h.do(req{Method: "PUT", Path: "/v1/posts/BOG/holidays/2030", Body: excel, ContentType: "text/csv"})
	var p Problem
	res.JSON(t, &p)
	if res.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "year" || !strings.Contains(p.Errors[0].Message, "2026–2027") {
		t.Errorf("a file without the year: %d %+v", res.Status, p)
	}
}
