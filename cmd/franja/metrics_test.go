package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"franja/internal/pgtest"
)

// TestMetricsAreScraped: with FRANJA_METRICS_ADDR set, `franja serve`
// serves Prometheus metrics on that listener; this parses them with the
// exposition format's own parser, checks the families the issue names, and
// that every franja_ metric the alert rules and the dashboard use exists.
func TestMetricsAreScraped(t *testing.T) {
	p := startServe(t, "DATABASE_URL="+pgtest.DSN(t), "FRANJA_METRICS_ADDR=127.0.0.1:0")
	p.waitReady(t)
	token := setup(t, p)
	for range 3 {
		if r := p.send("GET", "/v1/people/E1/contactability?at=2026-11-26T10:00:00-05:00&channel=teams_call", token, nil); r.status != 200 {
			t.Fatalf("decision: %d %s", r.status, r.body)
		}
	}
	// A batch counts each of its decisions: two more allowed teams calls,
	// and one item that is not a decision (unknown person: not counted).
	batch := `{"checks":[{"person":"E1","at":"2026-11-26T10:00:00-05:00","channel":"teams_call"},` +
		`{"person":"E1","at":"2026-11-26T11:00:00-05:00","channel":"teams_call"},{"person":"NOBODY","channel":"teams_call"}]}`
	if r := p.send("POST", "/v1/contact-checks", token, []byte(batch)); r.status != 200 {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	addr := metricsAddr(t, p)
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	for _, name := range []string{"franja_decisions_total", "franja_http_request_duration_seconds", "franja_view_age_seconds",
		"franja_change_feed_state", "franja_view_reloads_total", "franja_db_pool_connections", "franja_db_errors_total",
		"franja_db_up", "franja_rate_limit_rejections_total"} {
		if families[name] == nil {
			t.Errorf("/metrics has no %s", name)
		}
	}
	decided := 0.0
	for _, m := range families["franja_decisions_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["verdict"] == "allow" && labels["channel"] == "teams_call" && labels["role"] == "system" {
			decided += m.GetCounter().GetValue()
		}
	}
	if decided != 5 {
		t.Errorf("franja_decisions_total{verdict=allow,channel=teams_call,role=system} = %v, want 5 (3 alone, 2 in a batch)", decided)
	}
	routes := map[string]bool{}
	for _, m := range families["franja_http_request_duration_seconds"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" {
				routes[l.GetValue()] = true
			}
		}
	}
	if !routes["/v1/people/{external_id}/contactability"] {
		t.Errorf("request latency not recorded per route pattern: %v", routes)
	}
	// The alert rules and the dashboard must not name a metric that does
	// not exist (histograms are exposed as _bucket, _sum and _count).
	used := regexp.MustCompile(`franja_[a-z_]+`)
	for _, f := range []string{"alerts.yml", "grafana-dashboard.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "monitoring", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range used.FindAllString(string(b), -1) {
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
			if families[base] == nil && families[name] == nil {
				t.Errorf("monitoring/%s uses %s, which /metrics does not have", f, name)
			}
		}
	}
}

// metricsAddr reads the metrics listener's address from the log.
func metricsAddr(t *testing.T, p *process) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case line := <-p.logs:
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "metrics listening" {
				return rec.Addr
			}
		case <-deadline:
			t.Fatal("no metrics listening line in the log")
		}
	}
}
