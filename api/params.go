package api

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"franja/domain"
)

// query reads and validates query parameters, gathering every problem so the
// caller hears about all of them at once.
type query struct {
	vals queryValues // parsed once: each r.URL.Query() parses the whole string again
	v    domain.Validator
}

func newQuery(r *http.Request) *query { return &query{vals: queryOf(r)} }

// queryOf is r's query: withSaneText's parse when it made one (kept in the
// request's log slot), else parsed now (as r.URL.Query(): what parses) and
// kept there for the next step.
func queryOf(r *http.Request) queryValues {
	rl := requestLogOf(r.Context())
	if rl != nil && rl.query != nil {
		return rl.query
	}
	vals, _ := parseQueryValues(r.URL.RawQuery)
	if rl != nil {
		rl.query = vals
	}
	return vals
}

// queryValues is a parsed query string, its pairs in order: a request has
// a few parameters, and url.Values' map (with a slice per name) was most
// of what parsing one cost a decision.
type queryValues []queryPair

type queryPair struct{ name, value string }

// Get is the first value of name, "" if none (as url.Values.Get).
func (q queryValues) Get(name string) string {
	for _, p := range q {
		if p.name == name {
			return p.value
		}
	}
	return ""
}

// maxQueryParams is net/url's default limit on a query's parameters.
const maxQueryParams = 10000

// parseQueryValues parses a query string exactly as url.ParseQuery does:
// the same pairs (in order, not grouped by name) and the same first error.
func parseQueryValues(raw string) (queryValues, error) {
	n := strings.Count(raw, "&") + 1
	if n > maxQueryParams {
		return nil, errors.New("number of URL query parameters exceeded limit")
	}
	out := make(queryValues, 0, n)
	var err error
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if strings.Contains(pair, ";") {
			err = errors.New("invalid semicolon separator in query")
			continue
		}
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(key)
		if err1 == nil {
			value, err1 = url.QueryUnescape(value)
		}
		if err1 != nil {
			if err == nil {
				err = err1
			}
			continue
		}
		out = append(out, queryPair{key, value})
	}
	return out, err
}

func (q *query) str(name string) string { return q.vals.Get(name) }

// instant parses an RFC 3339 instant (with offset); def when absent.
func (q *query) instant(name string, def time.Time) time.Time {
	s := q.str(name)
	if s == "" {
		return def
	}
	t, err := parseInstant(s)
	if err != nil {
		q.v.Add(name, "%s", err)
		return def
	}
	return t
}

// requiredInstant is instant without a default.
func (q *query) requiredInstant(name string) time.Time {
	if q.str(name) == "" {
		q.v.Add(name, "is required: an RFC 3339 instant such as 2026-11-27T09:00:00-05:00")
		return time.Time{}
	}
	return q.instant(name, time.Time{})
}

// oneOf parses an enumerated value; def when absent.
func oneOfParam[T ~string](q *query, name string, def T, all []T) T {
	s := q.str(name)
	if s == "" {
		return def
	}
	for _, a := range all {
		if string(a) == s {
			return a
		}
	}
	names := make([]string, len(all))
	for i, a := range all {
		names[i] = string(a)
	}
	q.v.Add(name, "%q is not one of %s", s, strings.Join(names, ", "))
	return def
}

// boolean parses true/false; false when absent.
func (q *query) boolean(name string) bool {
	s := q.str(name)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.v.Add(name, "%q is not true or false", s)
	}
	return b
}

// duration parses an ISO 8601 duration within [min, max]; def when absent.
func (q *query) duration(name string, def, min, max time.Duration) time.Duration {
	s := q.str(name)
	if s == "" {
		return def
	}
	d, err := parseDuration(s)
	if err != nil {
		q.v.Add(name, "%s", err)
		return def
	}
	if d < min || d > max {
		q.v.Add(name, "%s is out of range: it must be from %s to %s", s, formatDuration(min), formatDuration(max))
		return def
	}
	return d
}

// err is every problem found, as one 400: a query parameter that is not
// of its type or outside its bounds is malformed (see openapi.yaml's rule).
func (q *query) err() error {
	if len(q.v.Fields) == 0 {
		return nil
	}
	return &domain.Error{Code: domain.EMalformed, Message: "some query parameters are not valid", Fields: q.v.Fields}
}

// queryProblem is err, except that a question found invalid by the decision
// path is, since its every input came as a query parameter, the malformed
// query it is (400, as openapi.yaml's rule says).
func queryProblem(err error) error {
	var e *domain.Error
	if errors.As(err, &e) && e.Code == domain.EInvalid {
		return &domain.Error{Code: domain.EMalformed, Message: "some query parameters are not valid", Fields: e.Fields}
	}
	return err
}

// parseInstant parses an RFC 3339 instant, refusing ones without an offset
// and years outside 1900–2200 (absurd dates are a client's mistake).
func parseInstant(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, domain.Errorf(domain.EMalformed, "%q is not an RFC 3339 instant with an offset, such as 2026-11-27T09:00:00-05:00 or 2026-11-27T14:00:00Z", s)
	}
	if t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, domain.Errorf(domain.EMalformed, "%q is outside the years 1900–2200", s)
	}
	return t, nil
}

var durationRe = regexp.MustCompile(`^P(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9})S)?)?$`)

// parseDuration parses the ISO 8601 durations people write for slots and
// horizons: PnD, PTnH, PTnM, PTnS and their combinations (P1DT2H, PT1H30M).
// A day is 24 hours here: durations measure elapsed time, not calendar days.
func parseDuration(s string) (time.Duration, error) {
	m := durationRe.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, domain.Errorf(domain.EMalformed, "%q is not an ISO 8601 duration such as PT30M, PT1H or P14D", s)
	}
	units := []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second}
	var d time.Duration
	for i, u := range units {
		if m[i+1] != "" {
			n, _ := strconv.ParseInt(m[i+1], 10, 64)
			d += time.Duration(n) * u
		}
	}
	return d, nil
}

// asSent is the duration to echo in an answer: as the client wrote it
// (PT24H stays PT24H), or d's own form when it took the default.
func asSent(sent string, d time.Duration) string {
	if sent != "" {
		return sent
	}
	return formatDuration(d)
}

// formatDuration writes d in ISO 8601 (PT30M, PT1H, P366D). It is on every
// decision's answer, so it is written without fmt.
func formatDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d > 0 {
		return "P" + strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "D"
	}
	b := make([]byte, 0, 16)
	b = append(b, "PT"...)
	if h := d / time.Hour; h > 0 {
		b = append(strconv.AppendInt(b, int64(h), 10), 'H')
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		b = append(strconv.AppendInt(b, int64(m), 10), 'M')
	}
	if sec := d % time.Minute / time.Second; sec > 0 || d == 0 {
		b = append(strconv.AppendInt(b, int64(sec), 10), 'S')
	}
	return string(b)
}
