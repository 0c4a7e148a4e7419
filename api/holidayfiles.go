package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"franja/calendars"
	"franja/feed"
)

// Holiday lists as files (issue 13, item 4): GET /v1/calendars/{code}/holidays
// and GET /v1/posts/{code}/holidays answer text/calendar or text/csv as well
// as JSON, chosen by ?format=ics|csv|json or else by Accept. The CSV has the
// columns the upload reads (date,name) plus source, so a downloaded list can
// be edited and uploaded again.

// holidayFormats are the format parameter's values.
var holidayFormats = []string{"json", "ics", "csv"}

// holidayFormatOf reads the answer's format (see holidayFormat).
func holidayFormatOf(r *http.Request) (string, error) {
	q := newQuery(r)
	f := holidayFormat(r, q)
	return f, q.err()
}

// holidayFormat picks the answer's format: the format parameter, else the
// media type Accept prefers among application/json, text/calendar and
// text/csv (JSON on a tie, on */* and without Accept). It records a bad
// format in q.
func holidayFormat(r *http.Request, q *query) string {
	if f := oneOfParam(q, "format", "", holidayFormats); f != "" {
		return f
	}
	best, bestQ := "json", 0.0
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		weight := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				weight = f
			}
		}
		var f string
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/calendar":
			f = "ics"
		case "text/csv":
			f = "csv"
		case "application/json":
			f = "json"
		default:
			continue
		}
		if weight > bestQ || (weight == bestQ && f == "json") {
			best, bestQ = f, weight
		}
	}
	return best
}

// writeHolidayFile answers a holiday list as a file when format asks for
// one, and reports whether it did (for "json" the caller answers).
func (s *Server) writeHolidayFile(w http.ResponseWriter, r *http.Request, format, scope string, year int, hs []calendars.Effective) bool {
	name := fmt.Sprintf("%s-%d", scope, year)
	switch format {
	case "ics":
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.ics"`)
		w.WriteHeader(http.StatusOK)
		if err := feed.Holidays(scope, year, hs, policyLang(r)).Write(w, s.now().UTC()); err != nil {
			logger(r).Warn("writing a holiday list", "error", err.Error())
		}
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		w.WriteHeader(http.StatusOK)
		cw := newSafeCSV(w)
		_ = cw.Write([]string{"date", "name", "source"})
		for _, h := range hs {
			_ = cw.Write([]string{h.Date.String(), h.Name, h.Source})
		}
		cw.Flush()
	default:
		return false
	}
	return true
}
