package api

import (
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/postgres"
)

// auditRoutes serves the audit trail of exceptions and its monthly report:
// evidence, read by hr and admin only, and never edited by any endpoint.
func (s *Server) auditRoutes(r chi.Router) {
	hr := r.With(allow(RoleHR))
	hr.Get("/audit/exceptions", handle(s.listAudit))
	hr.Get("/reports/exceptions", handle(s.reportExceptions))
	hr.Get("/reports/contacts", handle(s.reportContacts))
}

// listAudit answers GET /v1/audit/exceptions?from=&to=&requester=&person=,
// as JSON pages or, with Accept: text/csv or ?format=csv, as CSV.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := postgres.AuditFilter{
		From:      q.instant("from", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)),
		To:        q.instant("to", time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)),
		Requester: q.str("requester"),
		Person:    q.str("person"),
	}
	format := oneOfParam(q, "format", "json", []string{"json", "csv"})
	if err := q.err(); err != nil {
		return err
	}
	pages := newPager("audit", q.str("from"), q.str("to"), f.Requester, f.Person)
	after, limit, err := pages.params(r, func(k string) bool { _, err := strconv.ParseInt(k, 10, 64); return err == nil })
	if err != nil {
		return err
	}
	f.After, _ = strconv.ParseInt(after, 10, 64)
	f.Limit = limit
	asCSV := format == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv")
	if asCSV && q.str("limit") == "" {
		f.Limit = postgres.MaxPageLimit * 100 // a CSV export is the whole range
	}
	entries, next, err := s.store.ListExceptions(r.Context(), f)
	if err != nil {
		return err
	}
	s.recordAccess(r, principalOf(r.Context()), "audit_log", f.Person)
	var cursor *string
	if next != 0 {
		cursor = pages.cursor(strconv.FormatInt(next, 10))
	}
	if asCSV {
		writeAuditCSV(w, entries, cursor)
		return nil
	}
	if entries == nil {
		entries = []postgres.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, listOf[postgres.AuditEntry]{Items: entries, NextCursor: cursor})
	return nil
}

func writeAuditCSV(w http.ResponseWriter, entries []postgres.AuditEntry, cursor *string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="franja-audit-exceptions.csv"`)
	if cursor != nil {
		w.Header().Set("X-Next-Cursor", *cursor)
	}
	cw := newSafeCSV(w)
	cw.UseCRLF = true // RFC 4180
	_ = cw.Write([]string{"id", "asked_at", "at", "requester", "person", "post", "purpose", "channel", "decision", "exception", "reasons", "justification", "api_key", "request_id", "client_request_id"})
	for _, e := range entries {
		_ = cw.Write([]string{strconv.FormatInt(e.ID, 10), utc(e.AskedAt), utc(e.At), e.Requester, e.Person, e.Post, e.Purpose,
			e.Channel, e.Decision, e.Exception, strings.Join(e.Reasons, "|"), e.Justification, e.APIKey, e.RequestID, e.ClientRequestID})
	}
	cw.Flush()
}

// safeCSV is a csv.Writer for files people open in spreadsheets: Write
// escapes every cell with csvSafe. Every CSV the API writes goes through
// it, so that no field (a request id such as -10-20, a name, a reason) can
// be read as a formula.
type safeCSV struct{ *csv.Writer }

func newSafeCSV(w io.Writer) safeCSV { return safeCSV{csv.NewWriter(w)} }

// Write escapes every cell of record (in place) and writes it.
func (c safeCSV) Write(record []string) error {
	for i := range record {
		record[i] = csvSafe(record[i])
	}
	return c.Writer.Write(record)
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: one that
// starts with =, +, -, @, a tab or a carriage return gets a leading '.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// reportExceptions answers GET /v1/reports/exceptions?month=YYYY-MM: counts
// per requester and per post, flagging requesters above the monthly
// threshold (persistent out-of-hours contact can amount to workplace
// harassment, Ley 1010 de 2006; Ley 2191 de 2022 art. 7).
func (s *Server) reportExceptions(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	month := parseMonth(q)
	if err := q.err(); err != nil {
		return err
	}
	// Months are counted in Bogotá, where the ministry reads the report.
	bog, _ := time.LoadLocation("America/Bogota")
	from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, bog)
	to := from.AddDate(0, 1, 0)
	byRequester, byPost, err := s.store.CountExceptions(r.Context(), from, to)
	if err != nil {
		return err
	}
	type requesterCount struct {
		Requester string `json:"requester"`
		Count     int    `json:"count"`
		Flagged   bool   `json:"flagged"`
	}
	type postCount struct {
		Post  string `json:"post"`
		Count int    `json:"count"`
	}
	out := struct {
		Month       string           `json:"month"`
		From        string           `json:"from"`
		To          string           `json:"to"`
		Threshold   int              `json:"threshold"`
		Total       int              `json:"total"`
		ByRequester []requesterCount `json:"by_requester"`
		ByPost      []postCount      `json:"by_post"`
		Note        *string          `json:"note"`
	}{Month: month.Format("2006-01"), From: local(from, bog), To: local(to, bog), Threshold: s.auditThreshold,
		ByRequester: []requesterCount{}, ByPost: []postCount{}}
	flagged := false
	for _, c := range byRequester {
		out.Total += c.Count
		out.ByRequester = append(out.ByRequester, requesterCount{c.Key, c.Count, c.Count > s.auditThreshold})
		flagged = flagged || c.Count > s.auditThreshold
	}
	for _, c := range byPost {
		out.ByPost = append(out.ByPost, postCount{c.Key, c.Count})
	}
	if flagged { // the note explains the flags: none, no note
		note := language(r).Sprintf("A flagged requester exceeded the monthly threshold of exception contacts: persistent out-of-hours contact can amount to workplace harassment (Ley 1010 de 2006; Ley 2191 de 2022, art. 7).")
		out.Note = &note
	}
	s.recordAccess(r, principalOf(r.Context()), "audit_report", "")
	writeJSON(w, http.StatusOK, out)
	return nil
}
