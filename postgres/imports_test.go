package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/domain"
	"franja/internal/pgtest"
	"franja/postgres"
)

// Helpers of this file are prefixed imp… so as not to collide with the
// single-row CRUD tests of the same package.

func impStore(t *testing.T) (*postgres.Store, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.Pool(t)
	return postgres.New(pool), pool
}

func impPost(line int, code string) postgres.PostRow {
	var s domain.Schedule
	s[time.Monday] = []domain.Window{{Start: 8 * 60, End: 12 * 60}, {Start: 13 * 60, End: 17 * 60}}
	return postgres.PostRow{Line: line, Post: domain.Post{
		Code: code, Name: "Post " + code, Kind: domain.PostEmbassy, Country: "JP", City: "Tokyo",
		TimeZone: "Asia/Tokyo", Calendars: []string{"JP", "CO"},
		Schedules: []domain.ScheduleVersion{{Schedule: s}},
	}}
}

func impPerson(line int, id, post, supervisor string) postgres.PersonRow {
	return postgres.PersonRow{Line: line, Person: domain.Person{
		ExternalID: id, FullName: "Person " + id, Email: id + "@example.org", Post: post,
		Supervisor: supervisor, Exception: domain.ExceptionNone,
	}}
}

func impLeave(line int, ref, person string, day int) postgres.LeaveRow {
	start := domain.NewDate(2026, time.March, day)
	end := start.AddDays(2)
	return postgres.LeaveRow{Line: line, Leave: domain.Leave{
		Person: person, Kind: domain.LeaveVacation, ExternalRef: ref, StartDate: &start, EndDate: &end,
	}}
}

// impSeed stores post BOG and people P1..Pn (P1 supervises the others).
func impSeed(t *testing.T, s *postgres.Store, n int) {
	t.Helper()
	impMust(t)(s.ImportPosts(t.Context(), []postgres.PostRow{impPost(2, "BOG")}, false))
	rows := []postgres.PersonRow{impPerson(2, "P1", "BOG", "")}
	for i := 2; i <= n; i++ {
		rows = append(rows, impPerson(i+1, fmt.Sprintf("P%d", i), "BOG", "P1"))
	}
	impMust(t)(s.ImportPeople(t.Context(), rows, false))
}

// impMust fails the test when an import errs or reports bad rows.
func impMust(t *testing.T) func(postgres.ImportResult, error) postgres.ImportResult {
	return func(res postgres.ImportResult, err error) postgres.ImportResult {
		t.Helper()
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if len(res.Errors) > 0 {
			t.Fatalf("import reported bad rows: %+v", res.Errors)
		}
		return res
	}
}

// impVersions returns key → version of a table.
func impVersions(t testing.TB, pool *pgxpool.Pool, table, key string) map[string]int64 {
	t.Helper()
	rows, err := pool.Query(t.Context(), "SELECT "+key+", version FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	var k string
	var v int64
	for rows.Next() {
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func impCounts(res postgres.ImportResult) [3]int {
	return [3]int{res.Created, res.Updated, res.Unchanged}
}

func TestImportPostsCountsAndVersions(t *testing.T) {
	s, pool := impStore(t)
	rows := []postgres.PostRow{impPost(2, "BOG"), impPost(3, "TYO"), impPost(4, "LIM")}
	if got := impCounts(impMust(t)(s.ImportPosts(t.Context(), rows, false))); got != [3]int{3, 0, 0} {
		t.Errorf("first import: created/updated/unchanged = %v, want [3 0 0]", got)
	}
	if got := impCounts(impMust(t)(s.ImportPosts(t.Context(), rows, false))); got != [3]int{0, 0, 3} {
		t.Errorf("same file again = %v, want [0 0 3]", got)
	}
	rows[1].Post.City = "Kyoto"                                                                // a column
	rows[2].Post.Schedules[0].Schedule[time.Tuesday] = []domain.Window{{Start: 540, End: 600}} // only the schedule
	if got := impCounts(impMust(t)(s.ImportPosts(t.Context(), rows, false))); got != [3]int{0, 2, 1} {
		t.Errorf("modified file = %v, want [0 2 1]", got)
	}
	want := map[string]int64{"BOG": 1, "TYO": 2, "LIM": 2}
	if diff := cmp.Diff(want, impVersions(t, pool, "posts", "code")); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	var windows string
	if err := pool.QueryRow(t.Context(), `SELECT windows->>'tue' FROM schedules WHERE post = 'LIM' AND effective_from = '-infinity'`).Scan(&windows); err != nil {
		t.Fatal(err)
	}
	if windows != `["09:00-10:00"]` {
		t.Errorf("LIM's Tuesday = %s, want the imported window", windows)
	}
}

func TestImportPeopleSupervisorLaterInFileAndCounts(t *testing.T) {
	s, pool := impStore(t)
	impMust(t)(s.ImportPosts(t.Context(), []postgres.PostRow{impPost(2, "BOG")}, false))
	rows := []postgres.PersonRow{
		impPerson(2, "E2", "BOG", "E1"), // E1 comes later in the file
		impPerson(3, "E3", "BOG", "E2"),
		impPerson(4, "E1", "BOG", ""),
	}
	if got := impCounts(impMust(t)(s.ImportPeople(t.Context(), rows, false))); got != [3]int{3, 0, 0} {
		t.Errorf("first import = %v, want [3 0 0]", got)
	}
	if got := impCounts(impMust(t)(s.ImportPeople(t.Context(), rows, false))); got != [3]int{0, 0, 3} {
		t.Errorf("again = %v, want [0 0 3]", got)
	}
	rows[1].Person.Supervisor = "E1"
	if got := impCounts(impMust(t)(s.ImportPeople(t.Context(), rows, false))); got != [3]int{0, 1, 2} {
		t.Errorf("modified = %v, want [0 1 2]", got)
	}
	want := map[string]int64{"E1": 1, "E2": 1, "E3": 2}
	if diff := cmp.Diff(want, impVersions(t, pool, "people", "external_id")); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
}

func TestImportLeavesCountsDryRunAndUpdate(t *testing.T) {
	s, pool := impStore(t)
	impSeed(t, s, 3)
	rows := []postgres.LeaveRow{impLeave(2, "L1", "P1", 2), impLeave(3, "L2", "P2", 9), impLeave(4, "L3", "P3", 16)}
	dry := impMust(t)(s.ImportLeaves(t.Context(), rows, true))
	if !dry.DryRun || impCounts(dry) != [3]int{3, 0, 0} {
		t.Errorf("dry run = %+v, want dry_run and [3 0 0]", dry)
	}
	if n := len(impVersions(t, pool, "leaves", "external_ref")); n != 0 {
		t.Fatalf("a dry run stored %d leaves", n)
	}
	impMust(t)(s.ImportLeaves(t.Context(), rows, false))
	at := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	rows[2].Leave.StartDate, rows[2].Leave.EndDate = nil, nil
	rows[2].Leave.StartsAt, rows[2].Leave.EndsAt = &at, new(at.Add(2*time.Hour))
	rows[1].Leave.Delegate = "P1"
	if got := impCounts(impMust(t)(s.ImportLeaves(t.Context(), rows, false))); got != [3]int{0, 2, 1} {
		t.Errorf("modified = %v, want [0 2 1]", got)
	}
	want := map[string]int64{"L1": 1, "L2": 2, "L3": 2}
	if diff := cmp.Diff(want, impVersions(t, pool, "leaves", "external_ref")); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
}

// TestImportReportsEveryBadRow checks that the set-based checks find every
// bad row of a file at once, and that nothing is written.
func TestImportReportsEveryBadRow(t *testing.T) {
	s, pool := impStore(t)
	impSeed(t, s, 2)
	tests := []struct {
		name string
		run  func() (postgres.ImportResult, error)
		want []domain.FieldError
	}{{
		name: "leaves",
		run: func() (postgres.ImportResult, error) {
			bad := impLeave(5, "L4", "P1", 2)
			bad.Leave.Delegate = "NOBODY"
			return s.ImportLeaves(t.Context(), []postgres.LeaveRow{
				impLeave(2, "L1", "P1", 2), impLeave(3, "L2", "GHOST", 2), impLeave(4, "L1", "P2", 2), bad,
			}, false)
		},
		want: []domain.FieldError{
			{Line: 3, Field: "person", Message: `no person has the external_id "GHOST"`},
			{Line: 4, Field: "external_ref", Message: `"L1" appears also on line 2; each external_ref may appear once per file`},
			{Line: 5, Field: "delegate", Message: `no person has the external_id "NOBODY"`},
		},
	}, {
		name: "people",
		run: func() (postgres.ImportResult, error) {
			return s.ImportPeople(t.Context(), []postgres.PersonRow{
				impPerson(2, "N1", "NOPE", ""), impPerson(3, "N2", "BOG", "GHOST"), impPerson(4, "N1", "BOG", ""),
				impPerson(5, "C1", "BOG", "C2"), impPerson(6, "C2", "BOG", "C1"), impPerson(7, "N3", "BOG", "C1"),
			}, false)
		},
		want: []domain.FieldError{
			{Line: 2, Field: "post", Message: `no post has the code "NOPE"`},
			{Line: 3, Field: "supervisor", Message: `no person has the external_id "GHOST", neither stored nor in this file`},
			{Line: 4, Field: "external_id", Message: `"N1" appears also on line 2; each external_id may appear once per file`},
			{Line: 5, Field: "supervisor", Message: `"C1" reports, through "C2", back to themself: supervisors may not form a cycle`},
			{Line: 6, Field: "supervisor", Message: `"C2" reports, through "C1", back to themself: supervisors may not form a cycle`},
		},
	}, {
		name: "posts",
		run: func() (postgres.ImportResult, error) {
			return s.ImportPosts(t.Context(), []postgres.PostRow{impPost(2, "AAA"), impPost(3, "AAA")}, false)
		},
		want: []domain.FieldError{{Line: 3, Field: "code", Message: `"AAA" appears also on line 2; each code may appear once per file`}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.run()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, domain.InEnglish(res.Errors)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if impCounts(res) != [3]int{} {
				t.Errorf("counts %v with errors, want zero", impCounts(res))
			}
		})
	}
	if n := len(impVersions(t, pool, "leaves", "external_ref")); n != 0 {
		t.Errorf("%d leaves stored despite the errors", n)
	}
	if n := len(impVersions(t, pool, "people", "external_id")); n != 2 {
		t.Errorf("%d people stored, want the 2 seeded", n)
	}
}

// TestImportCycleThroughStoredPeople: a file may close a cycle with people
// already stored (P1 supervises P2; the file makes P2 supervise P1).
func TestImportCycleThroughStoredPeople(t *testing.T) {
	s, _ := impStore(t)
	impSeed(t, s, 2)
	res, err := s.ImportPeople(t.Context(), []postgres.PersonRow{impPerson(2, "P1", "BOG", "P2")}, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.FieldError{{Line: 2, Field: "supervisor", Message: `"P1" reports, through "P2", back to themself: supervisors may not form a cycle`}}
	if diff := cmp.Diff(want, domain.InEnglish(res.Errors)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestImportInvalidRowsWriteNothing: a row the caller marked Invalid stops
// the write, its key still counts as present for references, and the other
// rows are still checked.
func TestImportInvalidRowsWriteNothing(t *testing.T) {
	s, pool := impStore(t)
	impMust(t)(s.ImportPosts(t.Context(), []postgres.PostRow{impPost(2, "BOG")}, false))
	boss := impPerson(2, "B1", "BOG", "")
	boss.Invalid, boss.Person.Email = true, "" // its email failed parsing
	res, err := s.ImportPeople(t.Context(), []postgres.PersonRow{boss, impPerson(3, "E1", "BOG", "B1"), impPerson(4, "E2", "XX", "")}, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.FieldError{{Line: 4, Field: "post", Message: `no post has the code "XX"`}}
	if diff := cmp.Diff(want, domain.InEnglish(res.Errors)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if n := len(impVersions(t, pool, "people", "external_id")); n != 0 {
		t.Errorf("%d people stored, want none", n)
	}
}

// TestImportLeavesLargeFile exercises the COPY path with 20,000 rows, then
// a re-import with one bad row in the middle that must change nothing.
func TestImportLeavesLargeFile(t *testing.T) {
	s, pool := impStore(t)
	impSeed(t, s, 200)
	rows := make([]postgres.LeaveRow, 20000)
	for i := range rows {
		rows[i] = impLeave(i+2, fmt.Sprintf("LV-%06d", i), fmt.Sprintf("P%d", i%200+1), i%28+1)
	}
	if got := impCounts(impMust(t)(s.ImportLeaves(t.Context(), rows, false))); got != [3]int{20000, 0, 0} {
		t.Fatalf("first import = %v", got)
	}
	if got := impCounts(impMust(t)(s.ImportLeaves(t.Context(), rows, false))); got != [3]int{0, 0, 20000} {
		t.Fatalf("re-import = %v", got)
	}
	before := impVersions(t, pool, "leaves", "external_ref")
	rows[10000].Leave.Person = "GHOST" // line 10,002
	rows[0].Leave.Kind = domain.LeaveSick
	res, err := s.ImportLeaves(t.Context(), rows, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.FieldError{{Line: 10002, Field: "person", Message: `no person has the external_id "GHOST"`}}
	if diff := cmp.Diff(want, domain.InEnglish(res.Errors)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, impVersions(t, pool, "leaves", "external_ref")); diff != "" {
		t.Errorf("a rejected import changed versions (-before +after):\n%s", diff)
	}
}
