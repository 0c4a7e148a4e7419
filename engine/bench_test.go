package engine

import (
	"testing"
	"time"
)

// Targets: Check < 2 µs, NextSlot < 10 µs, NextSlot across a two-year
// all-day leave < 50 µs, a 20-person CommonSlots over 14 days < 5 ms.

func benchPerson(b *testing.B, zone string, leaves ...Leave) *Timeline {
	return fixture{zone: zone, sched: office, leaves: leaves,
		holidays: map[string][]string{"2026-01-01": {"Año Nuevo"}, "2026-03-23": {"San José"}}}.timeline(b)
}

func BenchmarkCheck(b *testing.B) {
	tl := benchPerson(b, "America/Bogota")
	for _, at := range []string{"2026-03-04T09:00:00-05:00", "2026-03-04T20:00:00-05:00", "2026-03-07T10:00:00-05:00"} {
		b.Run(at[11:16], func(b *testing.B) {
			t := mustTime(b, at)
			b.ReportAllocs()
			for b.Loop() {
				tl.Check(t)
			}
		})
	}
}

func BenchmarkNextSlot(b *testing.B) {
	tl := benchPerson(b, "America/New_York")
	after := mustTime(b, "2026-03-06T16:30:00-05:00") // Friday late: next slot Monday, across the DST change
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := tl.NextSlot(after, time.Hour, DefaultHorizon); !ok {
			b.Fatal("no slot")
		}
	}
}

func BenchmarkNextSlotTwoYearLeave(b *testing.B) {
	tl := benchPerson(b, "America/Bogota", allDay(b, 1, "2026-03-02", "2028-03-03"),
		partial(b, 2, "2028-03-06T08:00:00-05:00", "2028-03-06T09:00:00-05:00"))
	after := mustTime(b, "2026-03-02T09:00:00-05:00")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := tl.NextSlot(after, time.Hour, MaxHorizon); !ok {
			b.Fatal("no slot")
		}
	}
}

func BenchmarkCommonSlots20People14Days(b *testing.B) {
	zones := []string{"America/Bogota", "America/New_York", "Europe/Madrid", "America/Santiago", "America/Mexico_City"}
	var tls []*Timeline
	for i := range 20 {
		tls = append(tls, benchPerson(b, zones[i%len(zones)]))
	}
	from := mustTime(b, "2026-03-02T00:00:00Z")
	b.ReportAllocs()
	for b.Loop() {
		// A limit no search reaches, so all 14 days are walked.
		CommonSlots(tls, from, from.Add(14*24*time.Hour), time.Hour, 15*time.Minute, 1000)
	}
}
