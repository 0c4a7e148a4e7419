package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// feedStates are the values of franja_change_feed_state's label.
var feedStates = []string{"starting", "following", "reconnecting"}

var (
	viewAge      = desc("franja_view_age_seconds", "Seconds since the in-memory view was last known to hold every committed change.")
	viewLoaded   = desc("franja_view_loaded", "1 once the in-memory view has loaded.")
	viewStale    = desc("franja_view_stale", "1 while the view knows it lacks a committed change (this replica is then not ready).")
	feedState    = desc("franja_change_feed_state", "1 for the change feed's current state.", "state")
	viewReloads  = desc("franja_view_reloads_total", "Full reloads of the in-memory view.")
	feedLosses   = desc("franja_change_feed_losses_total", "Times the change feed's connection was lost or found hung.")
	feedApplies  = desc("franja_change_feed_applies_total", "Batches of changes applied from the change feed.")
	dbUp         = desc("franja_db_up", "1 while the database answers its checks (every second).")
	dbErrors     = desc("franja_db_errors_total", "Database failures met by requests, by class (connection, shutdown, too_many, timeout, lock_timeout: answered 503; other: 500).", "class")
	poolConns    = desc("franja_db_pool_connections", "Connections of a pool by state (acquired, idle, constructing, total, max).", "pool", "state")
	poolAcquires = desc("franja_db_pool_acquires_total", "Connections acquired from a pool.", "pool")
	poolWaits    = desc("franja_db_pool_empty_acquires_total", "Acquires that had to wait for a connection.", "pool")
	poolWaitTime = desc("franja_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.", "pool")
	poolCancels  = desc("franja_db_pool_canceled_acquires_total", "Acquires given up (their request's deadline passed).", "pool")
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

// scrape is the collector that reads Sources.
type scrape struct{ src Sources }

func (s *scrape) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{viewAge, viewLoaded, viewStale, feedState, viewReloads, feedLosses, feedApplies,
		dbUp, dbErrors, poolConns, poolAcquires, poolWaits, poolWaitTime, poolCancels} {
		ch <- d
	}
}

func (s *scrape) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	if s.src.View != nil {
		v := s.src.View()
		gauge(viewAge, v.Age.Seconds())
		gauge(viewLoaded, b2f(v.Loaded))
		gauge(viewStale, b2f(v.Stale))
		for _, st := range feedStates {
			gauge(feedState, b2f(st == v.Feed), st)
		}
		counter(viewReloads, float64(v.Reloads))
		counter(feedLosses, float64(v.FeedLosses))
		counter(feedApplies, float64(v.Applies))
	}
	if s.src.DatabaseUp != nil {
		gauge(dbUp, b2f(s.src.DatabaseUp()))
	}
	if s.src.DatabaseErrors != nil {
		for class, n := range s.src.DatabaseErrors() {
			counter(dbErrors, float64(n), class)
		}
	}
	for name, p := range s.src.Pools {
		st := p.Stat()
		gauge(poolConns, float64(st.AcquiredConns()), name, "acquired")
		gauge(poolConns, float64(st.IdleConns()), name, "idle")
		gauge(poolConns, float64(st.ConstructingConns()), name, "constructing")
		gauge(poolConns, float64(st.TotalConns()), name, "total")
		gauge(poolConns, float64(st.MaxConns()), name, "max")
		counter(poolAcquires, float64(st.AcquireCount()), name)
		counter(poolWaits, float64(st.EmptyAcquireCount()), name)
		counter(poolWaitTime, st.AcquireDuration().Seconds(), name)
		counter(poolCancels, float64(st.CanceledAcquireCount()), name)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
