package api

import (
	"context"
	"sync"
	"testing"
)

// seedImports loads the posts and people of imports_test.go.
func seedImports(t *testing.T) *harness {
	h := newHarness(t)
	impResult(t, impSend(h, "posts", "text/csv", impPostsCSV, ""))
	impResult(t, impSend(h, "people", "text/csv", impPeopleCSV, ""))
	return h
}

type personCols struct{ supervisor, timeZone, exception string }

func storedPerson(t *testing.T, h *harness, id string) personCols {
	t.Helper()
	var p personCols
	err := h.store.Pool().QueryRow(context.Background(),
		`SELECT coalesce(supervisor, ''), coalesce(time_zone, ''), exception FROM people WHERE external_id = $1`, id).
		Scan(&p.supervisor, &p.timeZone, &p.exception)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportLeavesAbsentColumnsAlone: a file without the supervisor,
// time_zone and exception columns (or a JSON row without those keys)
// changes none of them; an empty cell, or null, clears.
func TestImportLeavesAbsentColumnsAlone(t *testing.T) {
	h := seedImports(t)
	e3 := personCols{"E2", "Asia/Tokyo", "none"}
	e1 := personCols{"", "", "direccion_confianza_manejo"}

	res := impResult(t, impSend(h, "people", "text/csv", "external_id,full_name,email,post\nE3,Eva Ruiz,eva@example.org,TYO\nE1,Luis Pérez,luis@example.org,BOG\n", ""))
	if impCounts(res) != [3]int{0, 0, 2} {
		t.Errorf("CSV without the optional columns: %v, want every row unchanged", impCounts(res))
	}
	if got := storedPerson(t, h, "E3"); got != e3 {
		t.Errorf("E3 after the CSV: %+v, want %+v", got, e3)
	}
	if got := storedPerson(t, h, "E1"); got != e1 {
		t.Errorf("E1 after the CSV: %+v, want %+v", got, e1)
	}
	impResult(t, impSend(h, "people", "application/json", `[{"external_id":"E3","full_name":"Eva Ruiz","email":"eva@example.org","post":"TYO"}]`, ""))
	if got := storedPerson(t, h, "E3"); got != e3 {
		t.Errorf("E3 after JSON without the keys: %+v, want %+v", got, e3)
	}
	// Given, even empty or null, they are applied.
	impResult(t, impSend(h, "people", "text/csv", "external_id,full_name,email,post,time_zone\nE3,Eva Ruiz,eva@example.org,TYO,\n", ""))
	if got := storedPerson(t, h, "E3"); got.timeZone != "" || got.supervisor != "E2" {
		t.Errorf("E3 after an empty time_zone cell: %+v, want the zone cleared and the supervisor kept", got)
	}
	impResult(t, impSend(h, "people", "application/json", `[{"external_id":"E3","full_name":"Eva Ruiz","email":"eva@example.org","post":"TYO","supervisor":null}]`, ""))
	if got := storedPerson(t, h, "E3"); got.supervisor != "" {
		t.Errorf("E3 after supervisor null: %+v, want it cleared", got)
	}
	// Posts: city and calendars are kept the same way.
	impResult(t, impSend(h, "posts", "text/csv", "code,name,kind,country,time_zone\nTYO,Embajada en Tokio,embassy,JP,Asia/Tokyo\n", ""))
	var city string
	var cals []string
	if err := h.store.Pool().QueryRow(context.Background(), `SELECT city, calendars FROM posts WHERE code = 'TYO'`).Scan(&city, &cals); err != nil {
		t.Fatal(err)
	}
	if city != "Tokyo" || len(cals) != 2 {
		t.Errorf("TYO after a file without city and calendars: %q %v", city, cals)
	}
}

func TestImportRefusesMovingALeaveToAnotherPerson(t *testing.T) {
	h := seedImports(t)
	impResult(t, impSend(h, "leaves", "text/csv", impLeavesCSV, ""))
	res := impSend(h, "leaves", "text/csv", "person,kind,external_ref,start_date,end_date\nE3,vacation,LV-1,2026-03-02,2026-03-13\n", "")
	p := impProblem(t, res, 422)
	if len(p.Errors) != 1 || p.Errors[0].Field != "external_ref" || p.Errors[0].Line != 2 {
		t.Fatalf("errors %+v", p.Errors)
	}
	var owner string
	if err := h.store.Pool().QueryRow(context.Background(), `SELECT person FROM leaves WHERE external_ref = 'LV-1'`).Scan(&owner); err != nil || owner != "E1" {
		t.Errorf("LV-1 belongs to %q (%v), want E1", owner, err)
	}
}

func TestImportScheduleFromOutOfRange(t *testing.T) {
	h := seedImports(t)
	for _, from := range []string{"0000-01-01", "9999-12-31"} {
		res := impSend(h, "posts", "text/csv", "code,name,kind,country,time_zone,schedule,schedule_from\nTYO,Embajada en Tokio,embassy,JP,Asia/Tokyo,mon=09:00-18:00,"+from+"\n", "")
		p := impProblem(t, res, 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "schedule_from" {
			t.Errorf("schedule_from %s: %+v", from, p.Errors)
		}
	}
}

// TestConcurrentImportsDoNotFail: two files updating the same people in
// opposite orders, at once, again and again: no 5xx, no lost file.
func TestConcurrentImportsDoNotFail(t *testing.T) {
	h := seedImports(t)
	forward := "external_id,full_name,email,post\nE1,Luis A,luis@example.org,BOG\nE2,Ana A,ana@example.org,TYO\nE3,Eva A,eva@example.org,TYO\n"
	backward := "external_id,full_name,email,post\nE3,Eva B,eva@example.org,TYO\nE2,Ana B,ana@example.org,TYO\nE1,Luis B,luis@example.org,BOG\n"
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, body := range []string{forward, backward} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = impSend(h, "people", "text/csv", body, "").Status
			}()
		}
		wg.Wait()
		if statuses[0] != 200 || statuses[1] != 200 {
			t.Fatalf("round %d: statuses %v, want both 200", round, statuses)
		}
	}
}
