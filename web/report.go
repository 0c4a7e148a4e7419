package web

import (
	"net/http"
	"strconv"
	"time"

	"franja/api"
	"franja/contacts"
)

// chartPosts is how many posts the report's chart shows (the most
// out-of-hours first); the table below it lists them all.
const chartPosts = 20

// postBars are two bars per post, attempts and those outside allowed time,
// 12 units wide in 30-unit groups on a 160-unit high plot.
type postBars struct {
	Attempts, Outside chartBar
	LabelX            int
	Label             string
}

// monthReport is the contacts report for the month asked (?month=YYYY-MM),
// its access recorded as the API's GET /v1/reports/contacts records it.
func (a *App) monthReport(r *http.Request) (time.Time, time.Time, *contacts.Report, error) {
	from, to, err := a.auditMonth(r)
	if err != nil {
		return from, to, nil, err
	}
	rep, err := a.contacts.MonthReport(r.Context(), from.Year(), from.Month(), a.auditThreshold)
	if err != nil {
		return from, to, nil, err
	}
	a.decide.RecordAccess(r.Context(), sessionOf(r).Principal(), requestID(), "contacts_report", "")
	return from, to, rep, nil
}

// report is the month's contacts report: attempts, those outside allowed
// time and exceptions used, per requester, per requester→person pair and
// per post, with the requesters and pairs above the threshold flagged.
func (a *App) report(w http.ResponseWriter, r *http.Request) error {
	from, to, rep, err := a.monthReport(r)
	if err != nil {
		return err
	}
	month := from.Format("2006-01")
	return a.render(w, r, http.StatusOK, "report", map[string]any{
		"Month": month, "Prev": from.AddDate(0, -1, 0).Format("2006-01"), "Next": to.Format("2006-01"),
		"Report": rep, "Bars": reportBars(rep.ByPost), "CSV": "/hr/report.csv?month=" + month,
	})
}

func reportBars(posts []contacts.PostLine) []postBars {
	posts = posts[:min(len(posts), chartPosts)]
	most := 1
	for _, p := range posts {
		most = max(most, p.Attempts)
	}
	bar := func(x, n int) chartBar {
		h := n * 150 / most
		return chartBar{X: x, Y: 170 - h, W: 12, H: h, Label: strconv.Itoa(n)}
	}
	out := make([]postBars, len(posts))
	for i, p := range posts {
		x := 40 + i*30
		out[i] = postBars{
			Attempts: bar(x, p.Attempts),
			Outside:  bar(x+12, p.OutsideAllowed),
			LabelX:   x, Label: p.Post,
		}
	}
	return out
}

// reportCSV downloads the month's report as the API's CSV.
func (a *App) reportCSV(w http.ResponseWriter, r *http.Request) error {
	from, _, rep, err := a.monthReport(r)
	if err != nil {
		return err
	}
	api.WriteContactsReportCSV(w, from, rep)
	return nil
}
