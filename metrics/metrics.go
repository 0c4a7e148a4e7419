// Package metrics exposes Franja's metrics in the Prometheus text format
// (prometheus/client_golang), on a registry of its own: decisions by
// verdict, channel and role; request latency per route; the in-memory
// view's age, change-feed state and reloads; the database's state, pools
// and error classes; rate-limit rejections. Every name starts with
// franja_. What other packages know (the view, the pools, the store's
// error counts) is read at scrape time through Sources, so this package
// imports none of them.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the instruments the request path updates.
type Metrics struct {
	reg         *prometheus.Registry
	decisions   *prometheus.CounterVec
	requests    *prometheus.HistogramVec
	rateLimited *prometheus.CounterVec
}

// New returns the instruments, registered with the Go runtime's and the
// process's collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "franja_decisions_total",
			Help: "Decisions answered, by verdict (allow, defer, deny), channel and the caller's role.",
		}, []string{"verdict", "channel", "role"}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "franja_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern, method and status class (2xx, 4xx, 5xx, …).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method", "code"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "franja_rate_limit_rejections_total",
			Help: "Requests refused with 429, by the key's role (\"none\": without a valid key).",
		}, []string{"role"}),
	}
	for _, role := range []string{"admin", "hr", "supervisor", "system", "none"} {
		m.rateLimited.WithLabelValues(role) // every series from the start, at 0
	}
	m.reg.MustRegister(m.decisions, m.requests, m.rateLimited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Decision counts one decision.
func (m *Metrics) Decision(verdict, channel, role string) {
	m.decisions.WithLabelValues(verdict, channel, role).Inc()
}

// Decisions counts n decisions alike (a batch's, tallied).
func (m *Metrics) Decisions(verdict, channel, role string, n int) {
	m.decisions.WithLabelValues(verdict, channel, role).Add(float64(n))
}

// RequestObserver is the latency series of answered requests of route,
// method and status class. route is the matched pattern (e.g.
// /v1/people/{external_id}/contactability), never the path, so that the
// number of series stays bounded. The caller keeps it: every request
// records its latency, and looking a series up by its labels (hashing
// three strings, a lock, a map) costs more than observing.
func (m *Metrics) RequestObserver(route, method string, status int) prometheus.Observer {
	return m.requests.WithLabelValues(route, method, statusClass(status))
}

var statusClasses = [...]string{"0xx", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx"}

// statusClass is status's class label: "2xx", "4xx", …
func statusClass(status int) string {
	if c := status / 100; c >= 0 && c < len(statusClasses) {
		return statusClasses[c]
	}
	return strconv.Itoa(status/100) + "xx"
}

// RateLimited counts one request refused with 429.
func (m *Metrics) RateLimited(role string) { m.rateLimited.WithLabelValues(role).Inc() }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ViewState is what the in-memory view says of itself.
type ViewState struct {
	Loaded, Stale bool
	Feed          string // following, reconnecting, starting
	Age           time.Duration
	Reloads       int64 // full reloads
	FeedLosses    int64 // times the change feed was lost (closed or hung)
	Applies       int64 // batches of changes applied from the feed
}

// Sources are read at each scrape.
type Sources struct {
	View func() ViewState
	// DatabaseUp says whether the database answered its last check.
	DatabaseUp func() bool
	// DatabaseErrors counts the store's failures by class.
	DatabaseErrors func() map[string]int64
	// Pools are the connection pools by name (requests, view).
	Pools map[string]*pgxpool.Pool
}

// Observe registers the collectors that read src at scrape time.
func (m *Metrics) Observe(src Sources) {
	m.reg.MustRegister(&scrape{src: src})
}
