package view

import (
	"context"
	"encoding/json"
	"fmt"
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

// StoredLoader loads the stored calendar data (uploads and calendar-level
// closures).
type StoredLoader func(ctx context.Context) (*calendars.Stored, error)

func toDate(d pgtype.Date) domain.Date {
	if !d.Valid || d.InfinityModifier != pgtype.Finite {
		return domain.Date{}
	}
	return domain.DateOf(d.Time)
}

// loadPosts reads posts (all, or those in codes) with their schedules,
// closures and exclusions.
func loadPosts(ctx context.Context, q querier, codes []string) (map[string]*postRow, error) {
	const qPosts = `SELECT code, time_zone, calendars FROM posts WHERE $1::text[] IS NULL OR code = ANY($1)`
	const qSchedules = `SELECT post, effective_from, windows FROM schedules WHERE post IS NOT NULL AND ($1::text[] IS NULL OR post = ANY($1))`
	const qClosures = `SELECT post, date, name FROM post_closures WHERE $1::text[] IS NULL OR post = ANY($1)`
	const qExclusions = `SELECT post, date FROM post_exclusions WHERE $1::text[] IS NULL OR post = ANY($1)`
	posts := map[string]*postRow{}
	err := each(ctx, q, qPosts, codes, func(rows pgx.Rows) error {
		r := &postRow{}
		if err := rows.Scan(&r.Code, &r.ZoneName, &r.Calendars); err != nil {
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
	return posts, err
}

// loadPeople reads people (all, or those in ids) with their own schedules
// and their leaves.
func loadPeople(ctx context.Context, q querier, ids []string) (map[string]*personRow, error) {
	const qPeople = `SELECT external_id, full_name, post, coalesce(time_zone, ''), coalesce(supervisor, ''), exception
		FROM people WHERE $1::text[] IS NULL OR external_id = ANY($1)`
	const qSchedules = `SELECT person, effective_from, windows FROM schedules WHERE person IS NOT NULL AND ($1::text[] IS NULL OR person = ANY($1))`
	const qLeaves = `SELECT id, person, kind, coalesce(delegate, ''), start_date, end_date, starts_at, ends_at
		FROM leaves WHERE $1::text[] IS NULL OR person = ANY($1) ORDER BY person, id`
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
	var (
		l                  Leave
		person, kind       string
		startDate, endDate pgtype.Date
		start, end         pgtype.Timestamptz
	)
	err = each(ctx, q, qLeaves, ids, func(rows pgx.Rows) error {
		if err := rows.Scan(&l.ID, &person, &kind, &l.Delegate, &startDate, &endDate, &start, &end); err != nil {
			return err
		}
		l.Kind = domain.LeaveKind(kind)
		l.StartDate, l.EndDate = toDate(startDate), toDate(endDate)
		l.Start, l.End = time.Time{}, time.Time{}
		if start.Valid {
			l.Start, l.End = start.Time, end.Time
		}
		if r := people[person]; r != nil {
			r.Leaves = append(r.Leaves, l)
		}
		return nil
	})
	return people, err
}

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
