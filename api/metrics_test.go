package api

import (
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"franja/metrics"
)

// TestObserversKeepSeriesApart checks withMetrics' routeTable of latency series:
// each route pattern, method and status class is its own series, as
// metrics.Request records them, however many times it is looked up.
func TestObserversKeepSeriesApart(t *testing.T) {
	m := metrics.New()
	var o routeTable[prometheus.Observer, *metrics.Metrics]
	get := func(rc *chi.Context, method string, status int) prometheus.Observer {
		return o.get(rc, method, status, m, requestObserver)
	}
	contact := chi.NewRouteContext()
	contact.RoutePatterns = []string{"/v1/*", "/people/{external_id}/contactability"}
	health := chi.NewRouteContext()
	health.RoutePatterns = []string{"/healthz"}
	for range 3 {
		get(contact, "GET", 200).Observe(0.001)
	}
	get(contact, "GET", 204).Observe(0.001) // the same class
	get(contact, "GET", 404).Observe(0.001)
	get(contact, "HEAD", 200).Observe(0.001)
	get(health, "GET", 200).Observe(0.001)
	get(nil, "GET", 404).Observe(0.001)
	get(chi.NewRouteContext(), "GET", 404).Observe(0.001)

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, s := range families["franja_http_request_duration_seconds"].GetMetric() {
		var route, method, code string
		for _, l := range s.GetLabel() {
			switch l.GetName() {
			case "route":
				route = l.GetValue()
			case "method":
				method = l.GetValue()
			case "code":
				code = l.GetValue()
			}
		}
		got[method+" "+route+" "+code] = s.GetHistogram().GetSampleCount()
	}
	want := map[string]uint64{
		"GET /v1/people/{external_id}/contactability 2xx":  4,
		"GET /v1/people/{external_id}/contactability 4xx":  1,
		"HEAD /v1/people/{external_id}/contactability 2xx": 1,
		"GET /healthz 2xx":  1,
		"GET unmatched 4xx": 2,
	}
	if len(got) != len(want) {
		t.Errorf("series = %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d requests, want %d (all: %v)", k, got[k], n, got)
		}
	}
}
