package api

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"franja/postgres"
)

// BenchmarkFeed serves a person's feed and the team feed of P1 (whose line
// in benchSQL's tree is 1,110 people) from a view of 10,000 people:
//
//	go test -run x -bench BenchmarkFeed -benchmem ./api/
func BenchmarkFeed(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	if _, err := h.store.Pool().Exec(ctx, benchSQL); err != nil {
		b.Fatal(err)
	}
	if err := h.view.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, kind, subject string }{{"person", "person", "P1"}, {"team", "team", "P1"}, {"post_holidays", "post_holidays", "POST0"}} {
		_, secret, err := h.store.CreateFeed(ctx, postgres.NewFeed{Kind: c.kind, Subject: c.subject, Lang: "es"}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/feeds/"+secret+".ics", nil))
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/feed")
		})
	}
}
