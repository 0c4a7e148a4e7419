package view

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

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
func loadTurns(ctx context.Context, q querier, ids []string, people map[string]*personRow) error {
	return eachTurn(ctx, q, qPeopleTurns, ids, func(t Turn) {
		for _, id := range [2]string{t.Person, t.Backup} {
			if r := people[id]; r != nil && id != "" {
				r.Turns = append(r.Turns, t)
			}
		}
	})
}

// loadPeople reads people (all, or those in ids) with their own schedules
// and their leaves.
func loadPeople(ctx context.Context, q querier, ids []string) (map[string]*personRow, error) {
	const qPeople = `SELECT external_id, full_name, post, coalesce(time_zone, ''), coalesce(supervisor, ''), exception
		FROM people WHERE $1::text[] IS NULL OR external_id = ANY($1)`
	const qSchedules = `SELECT person, effective_from, windows FROM schedules WHERE person IS NOT NULL AND ($1::text[] IS NULL OR person = ANY($1))`
	people := map[string]*personRow{}
	err := each(ctx, q, qPeople, ids, func(rows pgx.Rows) error {
		r := &personRow{}
		if err := rows.Scan(&r.ExternalID, &r.FullName, &r.Post, &r.ZoneOverride, &r.Supervisor, &r.Exception); err != nil {
			return err
		}
		people[r.ExternalID] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachSchedule(ctx, q, qSchedules, ids, func(key string, v engine.ScheduleVersion) {
		if r := people[key]; r != nil {
			r.Schedules = append(r.Schedules, v)
		}
	})
	if err != nil {
		return nil, err
	}
	if err = loadLeaves(ctx, q, ids, people); err != nil {
		return nil, err
	}
	err = loadTurns(ctx, q, ids, people)
	return people, err
}

// loadLeaves reads the leaves of people (all, or those in ids) into their
// rows, each person's in id order. A full load reads a million rows, so it
// avoids per-row work: no ORDER BY (sorting a million rows by text cost
// PostgreSQL more than the read itself; each person's few leaves are sorted
// here), no string allocation for the person or the kind (looked up and
// interned from the raw bytes), and one exactly-sized backing array for all
// the leaves instead of a growing slice per person.
func loadLeaves(ctx context.Context, q querier, ids []string, people map[string]*personRow) error {
	var (
		read               chunks
		id                 int64
		delegate, zone     string
		startDate, endDate pgtype.Date
		start, end         pgtype.Timestamptz
		kinds              = map[string]Leave{} // a leave of each kind, to copy the kind from
	)
	fast := -1 // whether the row's numbers come in binary (decided on the first row)
	err := each(ctx, q, qLeaves, ids, func(rows pgx.Rows) error {
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
		r := people[string(raw[1])]
		if r == nil {
			return nil
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
				return err
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
		read.add(l, r)
		r.nLeaves++
		return nil
	})
	if err != nil {
		return err
	}
	read.distribute()
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

// qLeaves reads leaves: all of them (nil), or those of the people in $1.
const qLeaves = `SELECT id, person, kind, coalesce(delegate, ''), start_date, end_date, starts_at, ends_at, coalesce(time_zone, '')
	FROM leaves WHERE $1::text[] IS NULL OR person = ANY($1)`

// chunks holds the leaves read and their owners, in fixed-size chunks: a
// million of them in one growing slice spent most of the load copying it.
// The leaves' chunks hold no pointer, so the garbage collector skips them.
type chunks struct {
	leaves [][]Leave
	owners [][]*personRow
	n      int
}

const chunkSize = 4096

func (c *chunks) add(l Leave, owner *personRow) {
	if c.n%chunkSize == 0 {
		c.leaves = append(c.leaves, make([]Leave, 0, chunkSize))
		c.owners = append(c.owners, make([]*personRow, 0, chunkSize))
	}
	k := len(c.leaves) - 1
	c.leaves[k] = append(c.leaves[k], l)
	c.owners[k] = append(c.owners[k], owner)
	c.n++
}

// distribute moves each leave to its owner's Leaves, sorted by id, all of
// them in one backing array (each person's part capped, so that an append
// to one never writes into the next).
func (c *chunks) distribute() {
	backing := make([]Leave, c.n)
	off := 0
	for k, owners := range c.owners {
		for j, r := range owners {
			if r.Leaves == nil {
				r.Leaves = backing[off : off : off+r.nLeaves]
				off += r.nLeaves
			}
			r.Leaves = append(r.Leaves, c.leaves[k][j])
		}
		c.leaves[k] = nil // garbage now
	}
	for _, owners := range c.owners {
		for _, r := range owners {
			if r.nLeaves > 0 {
				r.nLeaves = 0
				if !slices.IsSortedFunc(r.Leaves, byID) {
					slices.SortFunc(r.Leaves, byID)
				}
			}
		}
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
