package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/internal/pgtest"
	"franja/seed"
)

// seedRows counts the rows of each of the dataset's files.
func seedRows(t *testing.T) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, kind := range seed.Kinds {
		data, err := seed.CSV(kind)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		n[kind] = len(recs) - 1
	}
	return n
}

// seedOutput is what `franja seed` prints for the given counts per kind
// (created, updated, unchanged).
func seedOutput(counts map[string][3]int) string {
	var b bytes.Buffer
	for _, kind := range seed.Kinds {
		c := counts[kind]
		fmt.Fprintf(&b, "%s: %d created, %d updated, %d unchanged\n", kind, c[0], c[1], c[2])
	}
	return b.String()
}

// TestSeed: a dry run on an empty database writes nothing; the first run
// creates every row, the second finds them all unchanged, and the data is
// there to query.
func TestSeed(t *testing.T) {
	dsn := pgtest.DSN(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return dsn
		}
		return ""
	}
	seedRun := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(t.Context(), append([]string{"seed"}, args...), env, &out); err != nil {
			t.Fatalf("franja seed %v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	rows := seedRows(t)

	got := seedRun("--dry-run")
	want := fmt.Sprintf("posts (dry run, nothing written): %d would be created, 0 updated, 0 unchanged\n"+
		"people, leaves and on-call-turns: not checked: they refer to the %d posts a real run would create first\n", rows["posts"], rows["posts"])
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dry run on an empty database (-want +got):\n%s", diff)
	}
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if n := count(t, pool, `SELECT count(*) FROM posts`); n != 0 {
		t.Fatalf("the dry run wrote %d posts", n)
	}

	created, unchanged := map[string][3]int{}, map[string][3]int{}
	for kind, n := range rows {
		created[kind], unchanged[kind] = [3]int{n, 0, 0}, [3]int{0, 0, n}
	}
	if diff := cmp.Diff(seedOutput(created), seedRun()); diff != "" {
		t.Errorf("first run (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(seedOutput(unchanged), seedRun()); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}
	got = seedRun("--dry-run")
	want = ""
	for _, kind := range seed.Kinds {
		want += fmt.Sprintf("%s (dry run, nothing written): 0 would be created, 0 updated, %d unchanged\n", kind, rows[kind])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dry run on a seeded database (-want +got):\n%s", diff)
	}
	checkSeeded(t, pool, rows)
}

// checkSeeded looks at a few of the stored rows.
func checkSeeded(t *testing.T, pool *pgxpool.Pool, rows map[string]int) {
	t.Helper()
	for _, c := range []struct {
		q    string
		want int
	}{
		{`SELECT count(*) FROM posts`, rows["posts"]},
		{`SELECT count(*) FROM people`, rows["people"]},
		{`SELECT count(*) FROM leaves`, rows["leaves"]},
		{`SELECT count(*) FROM posts WHERE code = 'BOG' AND kind = 'headquarters' AND time_zone = 'America/Bogota' AND calendars = '{CO}'`, 1},
		{`SELECT count(*) FROM posts WHERE code = 'EMB-TOKYO' AND time_zone = 'Asia/Tokyo' AND calendars = '{JP,CO}'`, 1},
		{`SELECT count(*) FROM schedules WHERE post IS NOT NULL`, rows["posts"]},
		{`SELECT count(*) FROM people WHERE supervisor IS NULL`, 1},
		{`SELECT count(*) FROM leaves WHERE kind = 'service_commission' AND time_zone IS NULL`, 0},
	} {
		if got := count(t, pool, c.q); got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
	}
	for _, q := range []string{
		`SELECT count(*) FROM people WHERE time_zone IS NOT NULL`,
		`SELECT count(*) FROM people WHERE exception = 'disponibilidad_permanente'`,
		`SELECT count(*) FROM schedules WHERE person IS NOT NULL`,
		`SELECT count(*) FROM leaves WHERE delegate IS NOT NULL`,
		`SELECT count(*) FROM leaves WHERE starts_at IS NOT NULL`,
	} {
		if got := count(t, pool, q); got == 0 {
			t.Errorf("%s = 0, want some", q)
		}
	}
}

func count(t *testing.T, pool *pgxpool.Pool, q string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.WithoutCancel(t.Context()), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestSeedUsage(t *testing.T) {
	env := func(string) string { return "" }
	for _, args := range [][]string{{"seed", "extra"}, {"seed", "--force"}} {
		var out bytes.Buffer
		if err := run(t.Context(), args, env, &out); !errors.Is(err, errUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}
