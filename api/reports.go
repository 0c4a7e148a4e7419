package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"franja/contacts"
)

// reportContacts answers GET /v1/reports/contacts?month=YYYY-MM, as JSON
// or, with Accept: text/csv or ?format=csv, as CSV.
func (s *Server) reportContacts(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	month := parseMonth(q)
	format := oneOfParam(q, "format", "json", []string{"json", "csv"})
	if err := q.err(); err != nil {
		return err
	}
	rep, err := s.contacts.MonthReport(r.Context(), month.Year(), month.Month(), s.auditThreshold)
	if err != nil {
		return err
	}
	s.recordAccess(r, principalOf(r.Context()), "contacts_report", "")
	if format == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv") {
		writeReportCSV(w, month, rep)
		return nil
	}
	out := struct {
		Month       string                   `json:"month"`
		From        string                   `json:"from"`
		To          string                   `json:"to"`
		Threshold   int                      `json:"threshold"`
		Total       contacts.Counts          `json:"total"`
		ByRequester []contacts.RequesterLine `json:"by_requester"`
		ByPair      []contacts.PairLine      `json:"by_pair"`
		ByPost      []contacts.PostLine      `json:"by_post"`
		Note        *string                  `json:"note"`
	}{Month: month.Format("2006-01"), From: local(rep.From, rep.From.Location()), To: local(rep.To, rep.To.Location()),
		Threshold: rep.Threshold, Total: rep.Total, ByRequester: rep.ByRequester, ByPair: rep.ByPair, ByPost: rep.ByPost}
	if rep.Flagged { // the note explains the flags: none, no note
		note := language(r).Sprintf("A flagged requester or requester→person pair made more contacts outside allowed time than the monthly threshold: persistent out-of-hours contact can amount to workplace harassment (Ley 1010 de 2006; Ley 2191 de 2022, art. 7).")
		out.Note = &note
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// parseMonth reads ?month=YYYY-MM.
func parseMonth(q *query) time.Time {
	month, err := time.Parse("2006-01", q.str("month"))
	switch {
	case err != nil:
		q.v.Add("month", "is required as YYYY-MM, e.g. 2026-11")
	case month.Year() < 1900 || month.Year() > 2200:
		q.v.Add("month", "%q is outside the years 1900–2200", q.str("month"))
	}
	return month
}

// writeReportCSV writes rep as one table: a row per requester, pair and
// post, CRLF-terminated, every cell kept from being read as a formula.
func writeReportCSV(w http.ResponseWriter, month time.Time, rep *contacts.Report) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="franja-contacts-`+month.Format("2006-01")+`.csv"`)
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180
	row := func(cells ...string) {
		for i := range cells {
			cells[i] = csvSafe(cells[i])
		}
		_ = cw.Write(cells)
	}
	n := strconv.Itoa
	flag := strconv.FormatBool
	row("scope", "requester", "person", "post", "attempts", "outside_allowed", "exceptions", "flagged")
	for _, l := range rep.ByRequester {
		row("requester", l.Requester, "", "", n(l.Attempts), n(l.OutsideAllowed), n(l.Exceptions), flag(l.Flagged))
	}
	for _, l := range rep.ByPair {
		row("pair", l.Requester, l.Person, "", n(l.Attempts), n(l.OutsideAllowed), n(l.Exceptions), flag(l.Flagged))
	}
	for _, l := range rep.ByPost {
		row("post", "", "", l.Post, n(l.Attempts), n(l.OutsideAllowed), n(l.Exceptions), "false")
	}
	cw.Flush()
}
