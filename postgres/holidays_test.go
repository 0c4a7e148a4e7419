package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"franja/calendars"
	"franja/domain"
	"franja/internal/pgtest"
	"franja/postgres"
)

// holStore returns a store on a fresh database holding the posts given
// (code → calendars), inserted with plain SQL.
func holStore(t *testing.T, posts map[string][]string) *postgres.Store {
	t.Helper()
	st := postgres.New(pgtest.Pool(t))
	for code, cals := range posts {
		const q = `INSERT INTO posts (code, name, kind, country, time_zone, calendars)
			VALUES ($1, $1, 'embassy', 'JP', 'Asia/Tokyo', $2)`
		if _, err := st.Pool().Exec(context.Background(), q, code, cals); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func hd(y int, m time.Month, d int) domain.Date { return domain.Date{Year: y, Month: m, Day: d} }

func holWantCode(t *testing.T, err error, code domain.ErrorCode) {
	t.Helper()
	if got := domain.ErrorCodeOf(err); got != code {
		t.Fatalf("error %v (code %q), want %q", err, got, code)
	}
}

func TestPostClosuresAndExclusions(t *testing.T) {
	bg := context.Background()
	st := holStore(t, map[string][]string{"EMB-TOKYO": {"JP", "CO"}})
	civic := postgres.Closure{Date: hd(2026, 3, 2), Name: "Día cívico", Note: "Decreto 1 de 2026"}

	steps := []struct {
		name                  string
		put                   func() (bool, bool, error)
		wantCreated, wantChgd bool
	}{
		{"create closure", func() (bool, bool, error) { return st.PutPostClosure(bg, "EMB-TOKYO", civic) }, true, true},
		{"re-send closure", func() (bool, bool, error) { return st.PutPostClosure(bg, "EMB-TOKYO", civic) }, false, false},
		{"rename closure", func() (bool, bool, error) {
			c := civic
			c.Name = "Día cívico nacional"
			return st.PutPostClosure(bg, "EMB-TOKYO", c)
		}, false, true},
		{"create exclusion", func() (bool, bool, error) {
			return st.PutPostExclusion(bg, "EMB-TOKYO", postgres.Exclusion{Date: hd(2026, 1, 12)})
		}, true, true},
		{"re-send exclusion", func() (bool, bool, error) {
			return st.PutPostExclusion(bg, "EMB-TOKYO", postgres.Exclusion{Date: hd(2026, 1, 12)})
		}, false, false},
	}
	for _, s := range steps {
		created, changed, err := s.put()
		if err != nil || created != s.wantCreated || changed != s.wantChgd {
			t.Errorf("%s: created %v changed %v err %v; want %v %v nil", s.name, created, changed, err, s.wantCreated, s.wantChgd)
		}
	}

	got, err := st.FindPostHolidays(bg, "EMB-TOKYO")
	if err != nil {
		t.Fatal(err)
	}
	want := postgres.PostHolidays{
		Post: "EMB-TOKYO", Calendars: []string{"JP", "CO"}, Picks: []domain.HolidayPick{},
		Closures:   []postgres.Closure{{Date: hd(2026, 3, 2), Name: "Día cívico nacional", Note: "Decreto 1 de 2026"}},
		Exclusions: []postgres.Exclusion{{Date: hd(2026, 1, 12)}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindPostHolidays (-want +got):\n%s", diff)
	}
	all, err := st.ListPostHolidays(bg)
	if err != nil || len(all) != 1 {
		t.Fatalf("ListPostHolidays: %d posts, %v", len(all), err)
	}
	if diff := cmp.Diff(want, all["EMB-TOKYO"]); diff != "" {
		t.Errorf("ListPostHolidays (-want +got):\n%s", diff)
	}

	if err := st.DeletePostClosure(bg, "EMB-TOKYO", hd(2026, 3, 2)); err != nil {
		t.Fatal(err)
	}
	holWantCode(t, st.DeletePostClosure(bg, "EMB-TOKYO", hd(2026, 3, 2)), domain.ENotFound)
	if err := st.DeletePostExclusion(bg, "EMB-TOKYO", hd(2026, 1, 12)); err != nil {
		t.Fatal(err)
	}
	holWantCode(t, st.DeletePostExclusion(bg, "EMB-TOKYO", hd(2026, 1, 12)), domain.ENotFound)
}

func TestPostHolidaysUnknownPost(t *testing.T) {
	bg := context.Background()
	st := holStore(t, nil)
	_, _, err := st.PutPostClosure(bg, "NOPE", postgres.Closure{Date: hd(2026, 3, 2), Name: "x"})
	holWantCode(t, err, domain.ENotFound)
	_, _, err = st.PutPostExclusion(bg, "NOPE", postgres.Exclusion{Date: hd(2026, 3, 2)})
	holWantCode(t, err, domain.ENotFound)
	_, err = st.FindPostHolidays(bg, "NOPE")
	holWantCode(t, err, domain.ENotFound)
	_, err = st.ReplacePostClosures(bg, "NOPE", 2026, nil)
	holWantCode(t, err, domain.ENotFound)
}

func TestPostHolidaysCascade(t *testing.T) {
	bg := context.Background()
	st := holStore(t, map[string][]string{"BOG": {"CO"}})
	if _, _, err := st.PutPostClosure(bg, "BOG", postgres.Closure{Date: hd(2026, 3, 2), Name: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.PutPostExclusion(bg, "BOG", postgres.Exclusion{Date: hd(2026, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(bg, `DELETE FROM posts WHERE code = 'BOG'`); err != nil {
		t.Fatal(err)
	}
	var n int
	err := st.Pool().QueryRow(bg, `SELECT (SELECT count(*) FROM post_closures) + (SELECT count(*) FROM post_exclusions)`).Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("%d rows left after deleting the post (%v)", n, err)
	}
}

func TestCalendarUploadsAndClosures(t *testing.T) {
	bg := context.Background()
	st := holStore(t, nil)
	list := []calendars.Holiday{{Date: hd(2026, 7, 20), Name: "Independencia"}, {Date: hd(2026, 1, 1), Name: "Año Nuevo"}, {Date: hd(2026, 1, 1), Name: "Año Nuevo"}}
	for i, want := range []bool{true, false} {
		res, err := st.ReplaceCalendarYear(bg, "CO", 2026, list)
		if err != nil || res != (postgres.YearUpload{Count: 2, Changed: want}) {
			t.Fatalf("upload %d: %+v, %v; want 2 holidays, changed %v", i+1, res, err, want)
		}
	}
	if res, err := st.ReplaceCalendarYear(bg, "UA", 2041, nil); err != nil || !res.Changed {
		t.Fatalf("empty upload: %+v, %v", res, err)
	}
	if _, _, err := st.PutCalendarClosure(bg, "CO", postgres.Closure{Date: hd(2026, 3, 2), Name: "Día cívico"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.PutCalendarClosure(bg, "JP", postgres.Closure{Date: hd(2026, 5, 1), Name: "Cierre"}); err != nil {
		t.Fatal(err)
	}

	got, err := st.LoadStoredCalendars(bg)
	if err != nil {
		t.Fatal(err)
	}
	want := &calendars.Stored{
		Uploads: map[string]map[int][]calendars.Holiday{
			"CO": {2026: {{Date: hd(2026, 1, 1), Name: "Año Nuevo"}, {Date: hd(2026, 7, 20), Name: "Independencia"}}},
			"UA": {2041: {}},
		},
		Closures: map[string][]calendars.Holiday{
			"CO": {{Date: hd(2026, 3, 2), Name: "Día cívico"}},
			"JP": {{Date: hd(2026, 5, 1), Name: "Cierre"}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadStoredCalendars (-want +got):\n%s", diff)
	}
	only, err := st.LoadStoredCalendars(bg, "JP")
	if err != nil || len(only.Uploads) != 0 || len(only.Closures) != 1 {
		t.Errorf("LoadStoredCalendars(JP) = %+v, %v; want JP's closure alone", only, err)
	}
	cs, err := st.ListCalendarClosures(bg, "CO")
	if diff := cmp.Diff([]postgres.Closure{{Date: hd(2026, 3, 2), Name: "Día cívico"}}, cs); diff != "" || err != nil {
		t.Errorf("ListCalendarClosures (-want +got):\n%s%v", diff, err)
	}

	if err := st.DeleteCalendarYear(bg, "CO", 2026); err != nil {
		t.Fatal(err)
	}
	holWantCode(t, st.DeleteCalendarYear(bg, "CO", 2026), domain.ENotFound)
	if err := st.DeleteCalendarClosure(bg, "CO", hd(2026, 3, 2)); err != nil {
		t.Fatal(err)
	}
	holWantCode(t, st.DeleteCalendarClosure(bg, "CO", hd(2026, 3, 2)), domain.ENotFound)
	var n int
	if err := st.Pool().QueryRow(bg, `SELECT count(*) FROM calendar_upload_holidays`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d upload rows left after deleting the upload (%v)", n, err)
	}
}

func TestUploadsRefuseBadListsAndWriteNothing(t *testing.T) {
	bg := context.Background()
	st := holStore(t, map[string][]string{"BOG": {"CO"}})
	bad := []calendars.Holiday{{Date: hd(2025, 12, 31), Name: "Fin de año"}, {Date: hd(2026, 1, 1), Name: " "}, {Date: hd(2026, 1, 2), Name: "ok"}}
	_, err := st.ReplaceCalendarYear(bg, "CO", 2026, bad)
	holWantCode(t, err, domain.EInvalid)
	if fields := err.(*domain.Error).Fields; len(fields) != 2 {
		t.Errorf("field errors %+v, want 2 (the 2025 date, the blank name)", fields)
	}
	dup := []calendars.Holiday{{Date: hd(2026, 1, 2), Name: "a"}, {Date: hd(2026, 1, 2), Name: "b"}}
	_, err = st.ReplacePostClosures(bg, "BOG", 2026, dup)
	holWantCode(t, err, domain.EInvalid)
	var n int
	err = st.Pool().QueryRow(bg, `SELECT (SELECT count(*) FROM calendar_uploads) + (SELECT count(*) FROM post_closures)`).Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("%d rows written by refused uploads (%v)", n, err)
	}
}

func TestReplacePostClosures(t *testing.T) {
	bg := context.Background()
	st := holStore(t, map[string][]string{"BOG": {"CO"}})
	put := func(c postgres.Closure) {
		if _, _, err := st.PutPostClosure(bg, "BOG", c); err != nil {
			t.Fatal(err)
		}
	}
	put(postgres.Closure{Date: hd(2025, 12, 24), Name: "Otro año"})
	put(postgres.Closure{Date: hd(2026, 3, 2), Name: "Vacancia", Note: "Decreto municipal 9"})
	put(postgres.Closure{Date: hd(2026, 4, 1), Name: "Se va"})

	list := []calendars.Holiday{{Date: hd(2026, 3, 2), Name: "Vacancia"}, {Date: hd(2026, 6, 5), Name: "Nueva"}}
	for i, want := range []bool{true, false} {
		res, err := st.ReplacePostClosures(bg, "BOG", 2026, list)
		if err != nil || res != (postgres.YearUpload{Count: 2, Changed: want}) {
			t.Fatalf("upload %d: %+v, %v; want 2 closures, changed %v", i+1, res, err, want)
		}
	}
	got, err := st.FindPostHolidays(bg, "BOG")
	if err != nil {
		t.Fatal(err)
	}
	want := []postgres.Closure{
		{Date: hd(2025, 12, 24), Name: "Otro año"},
		{Date: hd(2026, 3, 2), Name: "Vacancia", Note: "Decreto municipal 9"},
		{Date: hd(2026, 6, 5), Name: "Nueva"},
	}
	if diff := cmp.Diff(want, got.Closures); diff != "" {
		t.Errorf("closures after the upload (-want +got):\n%s", diff)
	}
}

// TestHolidayChangeFeed checks the triggers of 000007: a post's closures and
// exclusions notify that post, a calendar's uploads and closures notify
// 'calendars'.
func TestHolidayChangeFeed(t *testing.T) {
	bg := context.Background()
	st := holStore(t, map[string][]string{"BOG": {"CO"}})
	conn, err := st.Pool().Acquire(bg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(bg, "LISTEN franja_changes"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		write func() error
		want  string
	}{
		{"post closure", func() error {
			_, _, err := st.PutPostClosure(bg, "BOG", postgres.Closure{Date: hd(2026, 3, 2), Name: "x"})
			return err
		}, "post:BOG"},
		{"post exclusion", func() error {
			_, _, err := st.PutPostExclusion(bg, "BOG", postgres.Exclusion{Date: hd(2026, 1, 1)})
			return err
		}, "post:BOG"},
		{"calendar closure", func() error {
			_, _, err := st.PutCalendarClosure(bg, "CO", postgres.Closure{Date: hd(2026, 3, 2), Name: "x"})
			return err
		}, "calendars"},
		{"calendar upload", func() error { _, err := st.ReplaceCalendarYear(bg, "CO", 2026, nil); return err }, "calendars"},
		{"post closure deleted", func() error { return st.DeletePostClosure(bg, "BOG", hd(2026, 3, 2)) }, "post:BOG"},
		{"post upload", func() error {
			_, err := st.ReplacePostClosures(bg, "BOG", 2026, []calendars.Holiday{{Date: hd(2026, 8, 1), Name: "y"}})
			return err
		}, "post:BOG"},
	}
	for _, s := range steps {
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		var got []string
		for {
			wctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
			n, err := conn.Conn().WaitForNotification(wctx)
			cancel()
			if err != nil {
				break
			}
			got = append(got, n.Payload)
		}
		if !slices.Contains(got, s.want) || slices.ContainsFunc(got, func(p string) bool { return p != s.want }) {
			t.Errorf("%s: notifications %q, want only %q", s.name, got, s.want)
		}
	}
}
