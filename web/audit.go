package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"time"

	"franja/api"
	"franja/domain"
	"franja/policy"
	"franja/postgres"
)

type chartBar struct {
	X, Y, W, H int
	Label      string
	Title      string
	Tick       bool
}

type auditRow struct {
	When, Requester, Person, Channel, Purpose, Justification string
}

type requesterRow struct {
	Requester string
	Count     int
	Flagged   bool
}

// auditMonth reads ?month=YYYY-MM (default: this month in Bogotá, where the
// ministry reads the report) as [from, to) in Bogotá.
func (a *App) auditMonth(r *http.Request) (time.Time, time.Time, error) {
	m := r.URL.Query().Get("month")
	month := a.now().In(bogota)
	if m != "" {
		var err error
		if month, err = time.Parse("2006-01", m); err != nil || month.Year() < 1900 || month.Year() > 2200 {
			return time.Time{}, time.Time{}, &domain.Error{Code: domain.EMalformed, Message: "a query parameter is not valid",
				Fields: []domain.FieldError{domain.FieldErrorf("month", "is required as YYYY-MM, e.g. 2026-11")}}
		}
	}
	from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, bogota)
	return from, from.AddDate(0, 1, 0), nil
}

func (a *App) auditEntries(r *http.Request, from, to time.Time) ([]postgres.AuditEntry, error) {
	entries, _, err := a.store.ListExceptions(r.Context(), postgres.AuditFilter{From: from, To: to, Limit: postgres.MaxPageLimit * 100})
	if err != nil {
		return nil, err
	}
	s := sessionOf(r)
	a.decide.RecordAccess(r.Context(), s.Principal(), requestID(), "audit_log", "")
	return entries, nil
}

// audit is the audit log of exception contacts for a month, with a chart
// per day and the requesters above the monthly threshold flagged
// (persistent out-of-hours contact, Ley 1010 de 2006).
func (a *App) audit(w http.ResponseWriter, r *http.Request) error {
	from, to, err := a.auditMonth(r)
	if err != nil {
		return err
	}
	entries, err := a.auditEntries(r, from, to)
	if err != nil {
		return err
	}
	perDay := map[int]int{}
	perRequester := map[string]int{}
	for _, e := range entries {
		perDay[e.AskedAt.In(bogota).Day()]++
		perRequester[e.Requester]++
	}
	var requesters []requesterRow
	for k, n := range perRequester {
		requesters = append(requesters, requesterRow{k, n, n > a.auditThreshold})
	}
	slices.SortFunc(requesters, func(x, y requesterRow) int { return cmp.Or(y.Count-x.Count, cmp.Compare(x.Requester, y.Requester)) })
	l := langOf(r)
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{When: localTime(e.AskedAt, bogota), Requester: e.Requester, Person: e.Person,
			Channel: l.Text(channelNames[policy.Channel(e.Channel)]), Purpose: l.Text(purposeNames[policy.Purpose(e.Purpose)]), Justification: e.Justification}
	}
	month := from.Format("2006-01")
	return a.render(w, r, http.StatusOK, "audit", map[string]any{
		"Month": month, "Prev": from.AddDate(0, -1, 0).Format("2006-01"), "Next": to.Format("2006-01"),
		"Entries": rows, "Total": len(entries), "Bars": dayBars(from, to, perDay), "Requesters": requesters,
		"Threshold": a.auditThreshold, "CSV": "/hr/audit.csv?month=" + month,
	})
}

// dayBars is one bar per day of the month, 20 units wide, on a 160-unit
// high plot.
func dayBars(from, to time.Time, perDay map[int]int) []chartBar {
	most := 1
	for _, n := range perDay {
		most = max(most, n)
	}
	var bars []chartBar
	for d, i := from, 0; d.Before(to); d, i = d.AddDate(0, 0, 1), i+1 {
		n := perDay[d.Day()]
		h := n * 150 / most
		bars = append(bars, chartBar{X: 30 + i*20, Y: 170 - h, W: 14, H: h, Label: strconv.Itoa(d.Day()),
			Title: d.Format(time.DateOnly) + ": " + strconv.Itoa(n), Tick: d.Day() == 1 || d.Day()%5 == 0})
	}
	return bars
}

// auditCSV downloads the month's audit rows as the API's CSV.
func (a *App) auditCSV(w http.ResponseWriter, r *http.Request) error {
	from, to, err := a.auditMonth(r)
	if err != nil {
		return err
	}
	entries, err := a.auditEntries(r, from, to)
	if err != nil {
		return err
	}
	api.WriteAuditCSV(w, entries)
	return nil
}
