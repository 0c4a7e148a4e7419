package view

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"franja/calendars"
	"franja/domain"
	"franja/engine"
)

// querier is what loading needs: a pool, a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func toDate(d pgtype.Date) domain.Date {
	if !d.Valid || d.InfinityModifier != pgtype.Finite {
		return domain.Date{}
	}
	return domain.DateOf(d.Time)
}

// loadPosts reads posts (all, or those in codes) with their schedules,
// closures and exclusions.
func loadPosts(ctx context.Context, q querier, codes []string) (map[string]*postRow, error) {
	const qPosts = `SELECT code, time_zone, calendars, holiday_picks, holidays_beyond_data FROM posts WHERE $1::text[] IS NULL OR code = ANY($1)`
	const qSchedules = `SELECT post, effective_from, windows FROM schedules WHERE post IS NOT NULL AND ($1::text[] IS NULL OR post = ANY($1))`
	const qClosures = `SELECT post, date, name FROM post_closures WHERE $1::text[] IS NULL OR post = ANY($1)`
	const qExclusions = `SELECT post, date FROM post_exclusions WHERE $1::text[] IS NULL OR post = ANY($1)`
	posts := map[string]*postRow{}
	err := each(ctx, q, qPosts, codes, func(rows pgx.Rows) error {
		r := &postRow{}
		if err := rows.Scan(&r.Code, &r.ZoneName, &r.Calendars, &r.Picks, &r.BeyondData); err != nil {
			return err
		}
		posts[r.Code] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachSchedule(ctx, q, qSchedules, codes, func(key string, v engine.ScheduleVersion) {
		if r := posts[key]; r != nil {
			r.Schedules = append(r.Schedules, v)
		}
	})
	if err != nil {
		return nil, err
	}
	err = each(ctx, q, qClosures, codes, func(rows pgx.Rows) error {
		var code, name string
		var d pgtype.Date
		if err := rows.Scan(&code, &d, &name); err != nil {
			return err
		}
		if r := posts[code]; r != nil {
			r.Closures = append(r.Closures, calendars.Holiday{Date: toDate(d), Name: name})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(ctx, q, qExclusions, codes, func(rows pgx.Rows) error {
		var code string
		var d pgtype.Date
		if err := rows.Scan(&code, &d); err != nil {
			return err
		}
		if r := posts[code]; r != nil {
			r.Exclusions = append(r.Exclusions, toDate(d))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachTurn(ctx, q, qPostTurns, codes, func(t Turn) {
		if r := posts[t.Post]; r != nil {
			r.Turns = append(r.Turns, t)
		}
	})
	return posts, err
}

// The on-call turns of posts, and of people as primary or backup, by start.
const (
	qPostTurns = `SELECT id, post, person, coalesce(backup, ''), starts_at, ends_at FROM on_call_turns
		WHERE $1::text[] IS NULL OR post = ANY($1) ORDER BY starts_at, id`
	qPeopleTurns = `SELECT id, post, person, coalesce(backup, ''), starts_at, ends_at FROM on_call_turns
		WHERE $1::text[] IS NULL OR person = ANY($1) OR backup = ANY($1) ORDER BY starts_at, id`
)

// eachTurn reads on-call turn rows.
func eachTurn(ctx context.Context, q querier, sql string, keys []string, fn func(Turn)) error {
	return each(ctx, q, sql, keys, func(rows pgx.Rows) error {
		var t Turn
		if err := rows.Scan(&t.ID, &t.Post, &t.Person, &t.Backup, &t.Start, &t.End); err != nil {
			return err
		}
		fn(t)
		return nil
	})
}

// loadTurns gives people (all, or those in ids) the turns they keep or back up.
func loadTurns(ctx context.Context, q querier, ids []string, people *peopleRows) error {
	return eachTurn(ctx, q, qPeopleTurns, ids, func(t Turn) {
		for _, id := range [2]string{t.Person, t.Backup} {
			if r := people.find(id); r != nil && id != "" {
				r.Turns = append(r.Turns, t)
			}
		}
	})
}

// peopleRows are people's rows as a load reads them: in one array, found
// by external id through a map to their index. A full load reads a million
// people and ten million leaves: one object instead of a million, and each
// leave read names its owner by a number, which holds no pointer for the
// garbage collector and counts leaves in a dense array.
type peopleRows struct {
	rows  []personRow
	index *idIndex
}

func (p *peopleRows) find(id string) *personRow {
	if i := p.index.get(id); i >= 0 {
		return &p.rows[i]
	}
	return nil
}

// byID returns the rows in a map by external id (the rows stay in p's array).
func (p *peopleRows) byID() map[string]*personRow {
	m := make(map[string]*personRow, len(p.rows))
	for i := range p.rows {
		m[p.rows[i].ExternalID] = &p.rows[i]
	}
	return m
}

// loadPeople reads people (all, or those in ids) with their own schedules
// and their leaves (see readPeople).
func loadPeople(ctx context.Context, q querier, ids []string) (map[string]*personRow, error) {
	people, err := readPeople(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	return people.byID(), nil
}

// readPeople reads people (all, or those in ids) with their own schedules
// and their leaves, on q. With more queriers (a full load: transactions on
// the same exported snapshot, see View.Reload) the leaves are read in parts,
// one on each, at the same time.
func readPeople(ctx context.Context, q querier, ids []string, more ...querier) (*peopleRows, error) {
	const qPeople = `SELECT external_id, full_name, post, coalesce(time_zone, ''), coalesce(supervisor, ''), exception
		FROM people WHERE $1::text[] IS NULL OR external_id = ANY($1)`
	const qSchedules = `SELECT person, effective_from, windows FROM schedules WHERE person IS NOT NULL AND ($1::text[] IS NULL OR person = ANY($1))`
	n := len(ids)
	if ids == nil {
		n = estimateRows(ctx, q, "people")
	}
	people := &peopleRows{rows: make([]personRow, 0, n)}
	shared := map[string]string{} // posts, zones and exceptions: few values, one string each
	intern := func(b []byte) string {
		s, ok := shared[string(b)]
		if !ok {
			s = string(b)
			shared[s] = s
		}
		return s
	}
	var arena []byte // the people's ids, names and supervisors, in strings of 64 kB
	err := each(ctx, q, qPeople, ids, func(rows pgx.Rows) error {
		// Every column is text, whose raw bytes are the value in either
		// wire format (none is NULL): no Scan, and no string of its own
		// for the id, the name or the supervisor.
		raw := rows.RawValues()
		id, name, sup := len(raw[0]), len(raw[1]), len(raw[4])
		if id == 0 || name == 0 {
			return errors.New("a person without an id or a name") // the table's checks forbid it
		}
		if len(arena)+id+name+sup > cap(arena) {
			arena = make([]byte, 0, max(64<<10, id+name+sup))
		}
		off := len(arena)
		arena = append(append(append(arena, raw[0]...), raw[1]...), raw[4]...)
		all := unsafe.String(&arena[off], id+name+sup) // arena's bytes are never written again
		people.rows = append(people.rows, personRow{ExternalID: all[:id], FullName: all[id : id+name], Supervisor: all[id+name:],
			Post: intern(raw[2]), ZoneOverride: intern(raw[3]), Exception: domain.Exception(intern(raw[5]))})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(people.rows) > math.MaxInt32 {
		return nil, errors.New("view: more than 2³¹ people")
	}
	people.index = newIDIndex(people.rows)
	err = eachSchedule(ctx, q, qSchedules, ids, func(key string, v engine.ScheduleVersion) {
		if r := people.find(key); r != nil {
			r.Schedules = append(r.Schedules, v)
		}
	})
	if err != nil {
		return nil, err
	}
	if len(more) > 0 && ids == nil {
		err = loadAllLeaves(ctx, append([]querier{q}, more...), people)
	} else {
		err = loadLeaves(ctx, q, ids, people)
	}
	if err != nil {
		return nil, err
	}
	err = loadTurns(ctx, q, ids, people)
	return people, err
}

// estimateRows returns PostgreSQL's estimate of table's rows (from the last
// VACUUM or ANALYZE; 0 when unknown), to size a load's array and map: they
// would otherwise grow a dozen times on the way to a million entries.
func estimateRows(ctx context.Context, q querier, table string) int {
	rows, err := q.Query(ctx, `SELECT reltuples::float8 FROM pg_class WHERE oid = $1::regclass`, table)
	if err != nil {
		return 0
	}
	n, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[float64])
	if err != nil || n < 0 {
		return 0
	}
	// A few more than at the last ANALYZE; at most 4 M (a stale estimate
	// must not cost gigabytes: beyond it the array grows as rows come).
	return int(min(n*1.05, 1<<22))
}

// loadLeaves reads the leaves of people (all, or those in ids) into their
// rows, each person's in id order. A full load reads ten million rows, so
// it avoids per-row work: no ORDER BY (sorting them by text cost PostgreSQL
// more than the read itself; each person's few leaves are sorted here), no
// string allocation for the person or the kind (looked up and interned from
// the raw bytes), and one exactly-sized backing array for all the leaves
// instead of a growing slice per person.
func loadLeaves(ctx context.Context, q querier, ids []string, people *peopleRows) error {
	var arg any
	if ids != nil {
		arg = ids
	}
	read := newChunks(len(people.rows))
	if err := readLeaves(ctx, q, qLeaves, []any{arg}, people, read); err != nil {
		return err
	}
	distribute(people, read)
	return nil
}

// loadAllLeaves reads every leave into people as loadLeaves does, in parts
// by physical position (ctid ranges: each a TID range scan), one part on
// each of qs at the same time: PostgreSQL sends them from as many backends,
// and as many goroutines decode them. qs must read one snapshot, or a row
// moved by an UPDATE meanwhile could be read twice or not at all.
func loadAllLeaves(ctx context.Context, qs []querier, people *peopleRows) error {
	var blocks int64
	rows, err := qs[0].Query(ctx, `SELECT pg_relation_size('leaves') / current_setting('block_size')::int8`)
	if err == nil {
		blocks, err = pgx.CollectExactlyOneRow(rows, pgx.RowTo[int64])
	}
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx) // a part that fails stops the others
	defer cancel()
	parts := make([]*chunks, len(qs))
	errs := make([]error, len(qs))
	var wg sync.WaitGroup
	for i, q := range qs {
		// Part i holds the blocks [i·blocks/n, (i+1)·blocks/n); the first
		// has no lower bound, the last no upper one (the table may have
		// grown since it was measured: rows there are not in the snapshot,
		// but nothing is left to chance).
		var where []string
		var args []any
		if i > 0 {
			args = append(args, fmt.Sprintf("(%d,0)", int64(i)*blocks/int64(len(qs))))
			where = append(where, fmt.Sprintf("ctid >= $%d::text::tid", len(args)))
		}
		if i < len(qs)-1 {
			args = append(args, fmt.Sprintf("(%d,0)", int64(i+1)*blocks/int64(len(qs))))
			where = append(where, fmt.Sprintf("ctid < $%d::text::tid", len(args)))
		}
		sql := qLeavesAll
		if len(where) > 0 {
			sql += " WHERE " + strings.Join(where, " AND ")
		}
		parts[i] = newChunks(len(people.rows))
		wg.Go(func() {
			if errs[i] = readLeaves(ctx, q, sql, args, people, parts[i]); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	distribute(people, parts...)
	if n := len(people.rows); n >= 100_000 {
		// The chunks are garbage now (half a gigabyte at a million people):
		// collected at once, their memory is what compiling allocates from,
		// instead of fresh pages, and the load's peak stays lower. Measured
		// at 1.2 M people: 16 CPU-seconds a reload instead of 19–23.
		runtime.GC()
	}
	return nil
}

// readLeaves reads the rows of sql (qLeaves' columns) into read. people is
// only read, so several can run at once.
func readLeaves(ctx context.Context, q querier, sql string, args []any, people *peopleRows, read *chunks) error {
	var (
		id                 int64
		delegate, zone     string
		startDate, endDate pgtype.Date
		start, end         pgtype.Timestamptz
		kinds              = map[string]Leave{} // a leave of each kind, to copy the kind from
	)
	fast := -1 // whether the row's numbers come in binary (decided on the first row)
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		// person and kind are text: their raw bytes are the value in either
		// wire format, so they are read from RawValues, not scanned; in
		// binary format (pgx's for these types), so are the id, the dates
		// and the instants: pgx's Scan cost more than the rest of the load.
		raw := rows.RawValues()
		if fast < 0 {
			fast = 1
			for _, i := range []int{0, 4, 5, 6, 7} {
				if rows.FieldDescriptions()[i].Format != pgx.BinaryFormatCode {
					fast = 0
				}
			}
		}
		owner := people.index.getBytes(raw[1])
		if owner < 0 {
			continue
		}
		k, ok := kinds[string(raw[2])]
		if !ok {
			kind := domain.LeaveKind(raw[2])
			k = NewLeave(0, kind, "", "", domain.Date{}, domain.Date{}, time.Time{}, time.Time{})
			kinds[string(kind)] = k
		}
		l := Leave{kind: k.kind, extra: k.extra}
		if fast == 0 || !l.readBinary(raw) {
			if err := rows.Scan(&id, nil, nil, &delegate, &startDate, &endDate, &start, &end, &zone); err != nil {
				return fmt.Errorf("view: %w", err)
			}
			l.ID, l.allDay, l.first, l.last = id, false, 0, 0
			if start.Valid {
				l.first, l.last = engine.UnixNS(start.Time), engine.UnixNS(end.Time)
			} else if startDate.Valid && startDate.InfinityModifier == pgtype.Finite {
				// pgtype's dates are UTC midnights: the day number is exact.
				l.allDay = true
				l.first, l.last = startDate.Time.Unix()/86400, endDate.Time.Unix()/86400
			}
		} else {
			delegate, zone = "", ""
			if len(raw[3]) > 0 {
				delegate = string(raw[3])
			}
			if len(raw[8]) > 0 {
				zone = string(raw[8])
			}
		}
		if delegate != "" || zone != "" {
			l.extra = internExtra(leaveExtra{delegate: delegate, zone: zone, kind: k.Kind()})
		}
		read.add(l, owner)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("view: %w", err)
	}
	return nil
}

// PostgreSQL's epoch, 2000-01-01, in days and microseconds since 1970.
const (
	pgEpochDays = 10957
	pgEpochUS   = pgEpochDays * 86400 * 1_000_000
)

// readBinary sets l's id, dates or instants from raw, a leaves row whose
// id (int8), dates and instants are in binary format. It reports false for
// a value it leaves to Scan: an infinite date or instant, or a row with
// neither form.
func (l *Leave) readBinary(raw [][]byte) bool {
	if len(raw[0]) != 8 {
		return false
	}
	l.ID = int64(binary.BigEndian.Uint64(raw[0]))
	switch {
	case len(raw[6]) == 8 && len(raw[7]) == 8:
		s, e := int64(binary.BigEndian.Uint64(raw[6])), int64(binary.BigEndian.Uint64(raw[7]))
		if s == math.MaxInt64 || s == math.MinInt64 || e == math.MaxInt64 || e == math.MinInt64 {
			return false
		}
		l.first, l.last = engine.UnixNS(time.UnixMicro(s+pgEpochUS)), engine.UnixNS(time.UnixMicro(e+pgEpochUS))
	case len(raw[4]) == 4 && len(raw[5]) == 4:
		s, e := int32(binary.BigEndian.Uint32(raw[4])), int32(binary.BigEndian.Uint32(raw[5]))
		if s == math.MaxInt32 || s == math.MinInt32 || e == math.MaxInt32 || e == math.MinInt32 {
			return false
		}
		l.allDay, l.first, l.last = true, int64(s)+pgEpochDays, int64(e)+pgEpochDays
	default:
		return false
	}
	return true
}

// qLeaves reads leaves: all of them (nil), or those of the people in $1;
// qLeavesAll all of them, to be narrowed by a WHERE.
const (
	qLeavesAll = `SELECT id, person, kind, coalesce(delegate, ''), start_date, end_date, starts_at, ends_at, coalesce(time_zone, '')
	FROM leaves`
	qLeaves = qLeavesAll + ` WHERE $1::text[] IS NULL OR person = ANY($1)`
)

// chunks holds leaves read and their owners (indexes in peopleRows), in
// fixed-size chunks (ten million in one growing slice spent most of the load
// copying it), and how many each person has. None holds a pointer, so the
// garbage collector skips them.
type chunks struct {
	leaves [][]Leave
	owners [][]int32
	count  []int32 // by owner
	n      int
}

const chunkSize = 4096

func newChunks(people int) *chunks { return &chunks{count: make([]int32, people)} }

func (c *chunks) add(l Leave, owner int32) {
	if c.n%chunkSize == 0 {
		c.leaves = append(c.leaves, make([]Leave, 0, chunkSize))
		c.owners = append(c.owners, make([]int32, 0, chunkSize))
	}
	k := len(c.leaves) - 1
	c.leaves[k] = append(c.leaves[k], l)
	c.owners[k] = append(c.owners[k], owner)
	c.count[owner]++
	c.n++
}

// distribute moves the leaves read in parts to their owners' Leaves, sorted
// by id, all of them in one backing array (each person's part capped, so
// that an append to one never writes into the next): a counting sort by
// owner.
func distribute(people *peopleRows, parts ...*chunks) {
	n := 0
	for _, c := range parts {
		n += c.n
	}
	backing := make([]Leave, n)
	next := make([]int, len(people.rows)) // where each person's next leave goes
	off := 0
	for i := range people.rows {
		next[i] = off
		k := 0
		for _, c := range parts {
			k += int(c.count[i])
		}
		if k > 0 {
			people.rows[i].Leaves = backing[off : off+k : off+k]
		}
		off += k
	}
	// One worker per CPU when there are many (the writes land all over the
	// backing array: a million leaves take a second), each placing and
	// sorting the leaves of its own range of people.
	workers := 1
	if n >= 1<<14 { // (TestSplitLeavesReadAsOne reads more)
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := int32(w*len(people.rows)/workers), int32((w+1)*len(people.rows)/workers)
		wg.Go(func() {
			for _, c := range parts {
				for k, owners := range c.owners {
					for j, o := range owners {
						if o >= lo && o < hi {
							backing[next[o]] = c.leaves[k][j]
							next[o]++
						}
					}
				}
			}
			for i := lo; i < hi; i++ {
				if ls := people.rows[i].Leaves; len(ls) > 1 && !slices.IsSortedFunc(ls, byID) {
					slices.SortFunc(ls, byID)
				}
			}
		})
	}
	wg.Wait()
	for _, c := range parts {
		clear(c.leaves) // garbage now
	}
}

func byID(a, b Leave) int { return cmp.Compare(a.ID, b.ID) }

// each runs a query with one text[] argument (nil = everything) and calls fn
// for every row.
func each(ctx context.Context, q querier, sql string, keys []string, fn func(pgx.Rows) error) error {
	var arg any
	if keys != nil {
		arg = keys
	}
	rows, err := q.Query(ctx, sql, arg)
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("view: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("view: %w", err)
	}
	return nil
}

// eachSchedule reads (owner, effective_from, windows) rows.
func eachSchedule(ctx context.Context, q querier, sql string, keys []string, fn func(string, engine.ScheduleVersion)) error {
	return each(ctx, q, sql, keys, func(rows pgx.Rows) error {
		var key string
		var from pgtype.Date
		var raw []byte
		if err := rows.Scan(&key, &from, &raw); err != nil {
			return err
		}
		var s domain.Schedule
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("schedule of %s from %v: %w", key, from.Time, err)
		}
		fn(key, engine.ScheduleVersion{From: toDate(from), Schedule: s})
		return nil
	})
}
