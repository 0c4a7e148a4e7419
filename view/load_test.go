package view

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSplitLeavesReadAsOne: a full load reads the leaves in parts by ctid
// range, on transactions sharing one exported snapshot (View.share). Writes
// committed after the snapshot — updates that move rows across the parts'
// bounds, deletes, inserts — must not show: every person gets exactly the
// leaves one read on the snapshot's own transaction gives, in the same
// order, whether the leaves are read in two parts (as Reload does) or three.
func TestSplitLeavesReadAsOne(t *testing.T) {
	v, pool := live(t)
	ctx := context.Background()
	exec(t, pool, seedSQL)
	exec(t, pool, `INSERT INTO people (external_id, full_name, email, post)
		SELECT 'S' || g, 'Split ' || g, 's' || g || '@x.co', 'BOG' FROM generate_series(1, 200) g`)
	const n = 30000
	exec(t, pool, `INSERT INTO leaves (person, kind, start_date, end_date, starts_at, ends_at, delegate, time_zone)
		SELECT 'S' || (g % 200 + 1),
		       (ARRAY['vacation','sick_leave','service_commission'])[g % 3 + 1],
		       CASE WHEN g % 10 <> 0 THEN date '2026-01-01' + g % 700 END,
		       CASE WHEN g % 10 <> 0 THEN date '2026-01-01' + g % 700 + g % 5 END,
		       CASE WHEN g % 10 = 0 THEN timestamptz '2026-01-01 13:00Z' + (g % 700) * interval '1 day' END,
		       CASE WHEN g % 10 = 0 THEN timestamptz '2026-01-01 15:00Z' + (g % 700) * interval '1 day' END,
		       CASE WHEN g % 50 = 1 THEN 'E1' END,
		       CASE WHEN g % 3 = 2 AND g % 7 = 0 THEN 'Asia/Tokyo' END
		FROM generate_series(0, $1 - 1) g`, n)
	var blocks int
	if err := pool.QueryRow(ctx, `SELECT pg_relation_size('leaves') / 8192`).Scan(&blocks); err != nil {
		t.Fatal(err)
	}
	if blocks < 30 {
		t.Fatalf("the leaves fill %d blocks: too few to split in three", blocks)
	}

	r, err := v.begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.tx.Rollback(ctx)
	// Committed after the snapshot, before the other transactions begin
	// (they would see these writes if they did not import it): every third
	// leave rewritten (its new version lands at the table's end, in the
	// last part), every seventh deleted, a thousand added.
	exec(t, pool, `UPDATE leaves SET delegate = 'E2' WHERE id % 3 = 0`)
	exec(t, pool, `DELETE FROM leaves WHERE id % 7 = 0`)
	exec(t, pool, `INSERT INTO leaves (person, kind, start_date, end_date)
		SELECT 'S' || (g % 200 + 1), 'vacation', date '2027-06-01', date '2027-06-02' FROM generate_series(1, 1000) g`)

	var more []querier
	for range 2 {
		txs, err := v.share(ctx, r.tx)
		if err != nil {
			t.Fatal(err)
		}
		if len(txs) != 1 {
			t.Fatalf("share opened %d transactions, want 1 (loadReaders = 2)", len(txs))
		}
		defer txs[0].Rollback(ctx)
		more = append(more, txs[0])
	}

	one, err := readPeople(ctx, r.tx, nil)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i := range one.rows {
		total += len(one.rows[i].Leaves)
	}
	if total != n {
		t.Fatalf("one read on the snapshot gives %d leaves, want the %d committed before it", total, n)
	}
	for _, parts := range [][]querier{more[:1], more} {
		split, err := readPeople(ctx, r.tx, nil, parts...)
		if err != nil {
			t.Fatal(err)
		}
		if len(split.rows) != len(one.rows) {
			t.Fatalf("%d parts: %d people, want %d", len(parts)+1, len(split.rows), len(one.rows))
		}
		for i := range one.rows {
			want := one.rows[i]
			got := split.find(want.ExternalID)
			if got == nil {
				t.Fatalf("%d parts: %s missing", len(parts)+1, want.ExternalID)
			}
			if !slices.Equal(got.Leaves, want.Leaves) {
				t.Errorf("%d parts: %s has %d leaves, want %d (or they differ)", len(parts)+1, want.ExternalID, len(got.Leaves), len(want.Leaves))
			}
			if cap(got.Leaves) != len(got.Leaves) {
				t.Errorf("%d parts: %s's leaves are not capped (cap %d, len %d)", len(parts)+1, want.ExternalID, cap(got.Leaves), len(got.Leaves))
			}
		}
	}
}

// TestIDIndexFindsEveryID: the load's index finds every id, short (kept in
// its table) and long (in its map), and nothing else: not a prefix, not an
// id padded with zero bytes, not an absent one.
func TestIDIndexFindsEveryID(t *testing.T) {
	var rows []personRow
	for i := range 50000 {
		id := fmt.Sprintf("P%d", i)
		switch i % 4 {
		case 1:
			id = fmt.Sprintf("%016d", i) // exactly 16 bytes
		case 2:
			id = fmt.Sprintf("long-%012d-x", i) // 19 bytes
		case 3:
			id = strings.Repeat("a", i%64+1) + strconv.Itoa(i)
		}
		rows = append(rows, personRow{ExternalID: id})
	}
	x := newIDIndex(rows)
	for i := range rows {
		id := rows[i].ExternalID
		if got := x.get(id); got != int32(i) {
			t.Fatalf("%q: index %d, want %d", id, got, i)
		}
		if got := x.getBytes([]byte(id)); got != int32(i) {
			t.Fatalf("%q as bytes: index %d, want %d", id, got, i)
		}
		for _, absent := range []string{id[:len(id)-1], id + "\x00", id + "z"} {
			if got := x.get(absent); got >= 0 && rows[got].ExternalID != absent {
				t.Fatalf("%q found at %d (%q)", absent, got, rows[got].ExternalID)
			}
		}
	}
	if got := x.get(""); got != -1 {
		t.Errorf(`"" found at %d`, got)
	}
}

// TestReloadWithoutSharedSnapshot: when the server will not export a
// snapshot, Reload reads everything on one connection and loads the same
// view as a shared read does.
func TestReloadWithoutSharedSnapshot(t *testing.T) {
	v, pool := live(t)
	ctx := context.Background()
	exec(t, pool, seedSQL)
	exec(t, pool, `INSERT INTO people (external_id, full_name, email, post)
		SELECT 'W' || g, 'Whole ' || g, 'w' || g || '@x.co', 'BOG' FROM generate_series(1, 100) g`)
	exec(t, pool, `INSERT INTO leaves (person, kind, start_date, end_date)
		SELECT 'W' || (g % 100 + 1), 'vacation', date '2026-01-01' + g, date '2026-01-01' + g FROM generate_series(0, 4999) g`)
	leaves := func() map[string][]int64 {
		s := v.Snapshot()
		out := map[string][]int64{}
		for i := range s.shards {
			for id, p := range s.shards[i] {
				for _, l := range p.Leaves {
					out[id] = append(out[id], l.ID)
				}
			}
		}
		return out
	}
	if err := v.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	shared := leaves()
	v.exportSQL = `SELECT pg_export_snapshot_that_does_not_exist()`
	if err := v.Reload(ctx); err != nil {
		t.Fatalf("reload without a shared snapshot: %v", err)
	}
	whole := leaves()
	if len(whole) != len(shared) || len(whole["W1"]) != 50 {
		t.Fatalf("%d people with leaves (W1: %d), want %d (W1: 50)", len(whole), len(whole["W1"]), len(shared))
	}
	for id, ls := range shared {
		if !slices.Equal(ls, whole[id]) {
			t.Fatalf("%s: leaves %v read whole, %v shared", id, whole[id], ls)
		}
	}
}
