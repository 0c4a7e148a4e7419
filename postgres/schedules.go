package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"franja/domain"
)

// owner says whose schedule versions a query is about: a post's, or a
// person's override.
type owner int

const (
	ownerPost owner = iota
	ownerPerson
)

// Earliest and latest local dates the store accepts (the leaves table refuses
// dates outside them too): wide enough for any real record, narrow enough
// that a typo such as 0226-01-01 is caught.
var (
	MinDate = domain.Date{Year: 1900, Month: time.January, Day: 2}
	MaxDate = domain.Date{Year: 2199, Month: time.December, Day: 31}
)

// ScheduleOn returns the schedule in force on local date d: the version with
// the latest From on or before d (a zero From is "since always"). It reports
// false when no version is in force yet (or there are none).
func ScheduleOn(versions []domain.ScheduleVersion, d domain.Date) (domain.Schedule, bool) {
	var best *domain.ScheduleVersion
	for i := range versions {
		sv := &versions[i]
		if !sv.From.IsZero() && sv.From.After(d) {
			continue
		}
		if best == nil || best.From.IsZero() || (!sv.From.IsZero() && sv.From.After(best.From)) {
			best = sv
		}
	}
	if best == nil {
		return domain.Schedule{}, false
	}
	return best.Schedule, true
}

// CheckSchedules records every problem with a list of schedule versions:
// bad or overlapping windows, dates out of range, two versions from one date.
func CheckSchedules(v *domain.Validator, field string, versions []domain.ScheduleVersion) {
	seen := map[domain.Date]bool{}
	for i, sv := range versions {
		f := fmt.Sprintf("%s[%d]", field, i)
		CheckEffectiveFrom(v, f+".effective_from", sv.From)
		if seen[sv.From] {
			v.Add(f+".effective_from", "two schedule versions take effect on %s; keep one", fromString(sv.From))
		}
		seen[sv.From] = true
		v.Fields = append(v.Fields, sv.Schedule.Validate(f+".schedule")...)
	}
}

// CheckEffectiveFrom records a problem when d (not zero) is out of range.
func CheckEffectiveFrom(v *domain.Validator, field string, d domain.Date) {
	if !d.IsZero() {
		CheckDate(v, field, d)
	}
}

// CheckDate records a problem when d is outside MinDate..MaxDate.
func CheckDate(v *domain.Validator, field string, d domain.Date) {
	if d.Before(MinDate) || d.After(MaxDate) {
		v.Add(field, "%s is out of range: use a date from %s to %s", d, MinDate, MaxDate)
	}
}

func fromString(d domain.Date) string {
	if d.IsZero() {
		return "since always"
	}
	return d.String()
}

// withVersion returns vs with sv added, replacing a version from the same
// date, in date order ("since always" first).
func withVersion(vs []domain.ScheduleVersion, sv domain.ScheduleVersion) []domain.ScheduleVersion {
	out := make([]domain.ScheduleVersion, 0, len(vs)+1)
	for _, x := range vs {
		if x.From != sv.From {
			out = append(out, x)
		}
	}
	out = append(out, sv)
	slices.SortFunc(out, func(a, b domain.ScheduleVersion) int { return a.From.Compare(b.From) })
	return out
}

// ListPostSchedules returns the schedule versions of the post with code, in
// date order ("since always" first).
func (s *Store) ListPostSchedules(ctx context.Context, code string) ([]domain.ScheduleVersion, error) {
	p, err := s.FindPostByCode(ctx, code)
	return p.Schedules, err
}

// AddPostSchedule adds the schedule version sv to the post with code, or
// replaces the version that starts on the same date, provided the post is
// still at ifVersion (AnyVersion: whatever). It bumps the post's version and
// reports whether a version was added (rather than replaced).
func (s *Store) AddPostSchedule(ctx context.Context, code string, sv domain.ScheduleVersion, ifVersion int64) (domain.Post, bool, error) {
	const q = `UPDATE posts SET version = version + 1, updated_at = now() WHERE code = $1 AND version = $2`
	var v domain.Validator
	CheckSchedules(&v, "schedules", []domain.ScheduleVersion{sv})
	if err := v.Err("the schedule is not valid"); err != nil {
		return domain.Post{}, false, err
	}
	var out domain.Post
	var created bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		p, err := lockPost(ctx, tx, code, ifVersion)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, q, code, p.Version); err != nil {
			return translate(err, "post")
		}
		if created, err = putSchedule(ctx, tx, ownerPost, code, sv); err != nil {
			return err
		}
		out, err = findPost(ctx, tx, code, false)
		return err
	})
	return out, created, err
}

// ListPersonSchedules returns the override schedule versions of the person
// (empty when they follow their post's), in date order.
func (s *Store) ListPersonSchedules(ctx context.Context, externalID string) ([]domain.ScheduleVersion, error) {
	p, err := s.FindPersonByExternalID(ctx, externalID)
	return p.Schedules, err
}

// AddPersonSchedule adds (or replaces, for the same date) an override
// schedule version of the person, like AddPostSchedule.
func (s *Store) AddPersonSchedule(ctx context.Context, externalID string, sv domain.ScheduleVersion, ifVersion int64) (domain.Person, bool, error) {
	const q = `UPDATE people SET version = version + 1, updated_at = now() WHERE external_id = $1 AND version = $2`
	var v domain.Validator
	CheckSchedules(&v, "schedules", []domain.ScheduleVersion{sv})
	if err := v.Err("the schedule is not valid"); err != nil {
		return domain.Person{}, false, err
	}
	var out domain.Person
	var created bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		p, err := lockPerson(ctx, tx, externalID, ifVersion)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, q, externalID, p.Version); err != nil {
			return translate(err, "person")
		}
		if created, err = putSchedule(ctx, tx, ownerPerson, externalID, sv); err != nil {
			return err
		}
		out, err = findPerson(ctx, tx, externalID, false)
		return err
	})
	return out, created, err
}

// listSchedules returns the versions of one post or person in date order.
func listSchedules(ctx context.Context, db queryer, o owner, key string) ([]domain.ScheduleVersion, error) {
	m, err := listSchedulesOf(ctx, db, o, []string{key})
	return m[key], err
}

// listSchedulesOf returns the versions of several posts or people, by key,
// each in date order. Every key has a non-nil (maybe empty) list.
func listSchedulesOf(ctx context.Context, db queryer, o owner, keys []string) (map[string][]domain.ScheduleVersion, error) {
	const qPost = `SELECT post, effective_from, windows FROM schedules
		WHERE post = ANY($1) ORDER BY post, effective_from`
	const qPerson = `SELECT person, effective_from, windows FROM schedules
		WHERE person = ANY($1) ORDER BY person, effective_from`
	q := qPost
	if o == ownerPerson {
		q = qPerson
	}
	out := make(map[string][]domain.ScheduleVersion, len(keys))
	for _, k := range keys {
		out[k] = []domain.ScheduleVersion{}
	}
	if len(keys) == 0 {
		return out, nil
	}
	rows, _ := db.Query(ctx, q, keys)
	var (
		key     string
		from    pgtype.Date
		windows []byte
	)
	_, err := pgx.ForEachRow(rows, []any{&key, &from, &windows}, func() error {
		var sched domain.Schedule
		if err := json.Unmarshal(windows, &sched); err != nil {
			return fmt.Errorf("schedule of %s from %s: %w", key, fromString(dateOf(from)), err)
		}
		out[key] = append(out[key], domain.ScheduleVersion{From: dateOf(from), Schedule: sched})
		return nil
	})
	if err != nil {
		return nil, translate(err, "schedules")
	}
	return out, nil
}

// putSchedule inserts a version, or replaces the one from the same date, and
// reports whether it inserted.
func putSchedule(ctx context.Context, tx pgx.Tx, o owner, key string, sv domain.ScheduleVersion) (bool, error) {
	const qPost = `INSERT INTO schedules (post, effective_from, windows) VALUES ($1, $2, $3)
		ON CONFLICT (post, effective_from) WHERE post IS NOT NULL
		DO UPDATE SET windows = EXCLUDED.windows, created_at = now()
		RETURNING (xmax = 0)`
	const qPerson = `INSERT INTO schedules (person, effective_from, windows) VALUES ($1, $2, $3)
		ON CONFLICT (person, effective_from) WHERE person IS NOT NULL
		DO UPDATE SET windows = EXCLUDED.windows, created_at = now()
		RETURNING (xmax = 0)`
	q := qPost
	if o == ownerPerson {
		q = qPerson
	}
	windows, err := json.Marshal(sv.Schedule)
	if err != nil {
		return false, fmt.Errorf("encoding schedule: %w", err)
	}
	var created bool
	if err := tx.QueryRow(ctx, q, key, dateArg(sv.From), windows).Scan(&created); err != nil {
		return false, translateWrite(err, "schedule")
	}
	return created, nil
}

// deleteSchedules removes every version of a person's override.
func deleteSchedules(ctx context.Context, tx pgx.Tx, externalID string) error {
	const q = `DELETE FROM schedules WHERE person = $1`
	_, err := tx.Exec(ctx, q, externalID)
	return translate(err, "schedules")
}

// dateArg converts a local date to a date parameter; the zero Date is
// '-infinity' ("since always"). The time.Time is only a carrier for
// year-month-day: pgx writes its calendar date, never an instant.
func dateArg(d domain.Date) pgtype.Date {
	if d.IsZero() {
		return pgtype.Date{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	}
	return pgtype.Date{Time: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), Valid: true}
}

// optDateArg converts an optional local date (nil: NULL).
func optDateArg(d *domain.Date) pgtype.Date {
	if d == nil {
		return pgtype.Date{}
	}
	return dateArg(*d)
}

// dateOf converts a scanned date; NULL and ±infinity are the zero Date.
func dateOf(pd pgtype.Date) domain.Date {
	if !pd.Valid || pd.InfinityModifier != pgtype.Finite {
		return domain.Date{}
	}
	return domain.DateOf(pd.Time)
}

// optDateOf converts a scanned nullable date.
func optDateOf(pd pgtype.Date) *domain.Date {
	if !pd.Valid {
		return nil
	}
	d := dateOf(pd)
	return &d
}
