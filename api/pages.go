package api

import (
	"context"
	"io"
	"net/http"
	"time"

	"franja/contacts"
	"franja/domain"
	"franja/engine"
	"franja/postgres"
	"franja/view"
)

// What the web app (package web) shares with the API, so that its pages
// answer as the API does: one status per error code, one title, and the
// bulk import itself.

// Status returns the HTTP status of an error code (the API's one table).
func Status(code domain.ErrorCode) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Title returns the short title of an error code, in English (lang
// translates it).
func Title(code domain.ErrorCode) domain.Text { return titles[code] }

// ImportKinds lists what RunImport imports, as POST /v1/imports/{kind} names them.
var ImportKinds = []string{"people", "leaves", "posts", "on-call-turns"}

// RunImport imports body as kind, read by contentType (CSV, JSON or an
// .xlsx workbook), exactly as POST /v1/imports/{kind} does: all or
// nothing, dry run validating only, every bad row listed by line and field
// in the *domain.Error.
func RunImport(ctx context.Context, st *postgres.Store, kind, contentType string, body io.Reader, dryRun bool) (postgres.ImportResult, error) {
	k := map[string]*importKind{"people": importPeople, "leaves": importLeaves, "posts": importPosts, "on-call-turns": importTurns}[kind]
	if k == nil {
		return postgres.ImportResult{}, domain.Errorf(domain.ENotFound, "no import of %s: use people, leaves, posts or on-call-turns", kind)
	}
	return runImport(ctx, st, k, contentType, body, dryRun)
}

// runImport reads body by contentType into k's batch and applies it.
func runImport(ctx context.Context, st *postgres.Store, k *importKind, contentType string, body io.Reader, dryRun bool) (postgres.ImportResult, error) {
	read, err := importReader(contentType)
	if err != nil {
		return postgres.ImportResult{}, err
	}
	sink := &importSink{ctx: ctx, batch: k.batch(k)}
	if err := read(body, k, sink); err != nil {
		return postgres.ImportResult{}, err
	}
	if sink.omitted > 0 { // the rows are gone: the store is not asked
		return postgres.ImportResult{}, importProblem(sink.errs, sink.omitted, sink.rows)
	}
	res, err := sink.batch.apply(ctx, st, dryRun)
	sink.batch.drop()
	if err != nil {
		return postgres.ImportResult{}, err
	}
	if errs := append(sink.errs, res.Errors...); len(errs) > 0 {
		return postgres.ImportResult{}, importProblem(errs, res.ErrorsOmitted, sink.rows)
	}
	return res, nil
}

// MeetingSlots returns up to limit common allowed slots of dur for
// people within [from, to), as POST /v1/meeting-slots finds them (at its
// default granularity). Every person must have a calendar and a schedule.
func MeetingSlots(people []*view.Person, from, to time.Time, dur time.Duration, limit int) []engine.Interval {
	return commonSlots(people, from, to, dur, defaultGranularity, limit)
}

// WriteAuditCSV writes audit rows as GET /v1/audit/exceptions?format=csv
// does (the same columns, formula-safe).
func WriteAuditCSV(w http.ResponseWriter, entries []postgres.AuditEntry) {
	writeAuditCSV(w, entries, nil)
}

// WriteContactsReportCSV writes rep as GET /v1/reports/contacts?format=csv
// does (the same rows, formula-safe).
func WriteContactsReportCSV(w http.ResponseWriter, month time.Time, rep *contacts.Report) {
	writeReportCSV(w, month, rep)
}
