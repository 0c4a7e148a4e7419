package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"franja/domain"
)

// externalRefRe is the shape the leaves table accepts for HR's leave ids.
var externalRefRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$`)

// Earliest and latest instants a partial-day leave may span (as the table).
var (
	MinInstant = time.Date(1900, time.January, 2, 0, 0, 0, 0, time.UTC)
	MaxInstant = time.Date(2199, time.December, 31, 0, 0, 0, 0, time.UTC)
)

// CreateLeave stores a leave of l.Person. When l.ExternalRef names a leave
// already stored it is updated instead (re-sending HR's record never
// duplicates it); created says which happened. Re-sending an unchanged leave
// writes nothing and keeps its version. An external_ref that belongs to
// another person's leave is a conflict.
func (s *Store) CreateLeave(ctx context.Context, l domain.Leave) (domain.Leave, bool, error) {
	var v domain.Validator
	ValidateLeave(&v, l)
	if err := v.Err("the leave is not valid"); err != nil {
		return domain.Leave{}, false, err
	}
	// The WHERE of DO UPDATE leaves a row of another person alone, and an
	// unchanged one unwritten: either way RETURNING yields no row.
	const q = `INSERT INTO leaves (person, kind, external_ref, start_date, end_date, starts_at, ends_at, delegate, time_zone)
		VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, NULLIF($8, ''), NULLIF($9, ''))
		ON CONFLICT (external_ref) DO UPDATE SET kind = EXCLUDED.kind, start_date = EXCLUDED.start_date,
			end_date = EXCLUDED.end_date, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
			delegate = EXCLUDED.delegate, time_zone = EXCLUDED.time_zone,
			version = leaves.version + 1, updated_at = now()
		WHERE leaves.person = EXCLUDED.person
			AND (leaves.kind, leaves.start_date, leaves.end_date, leaves.starts_at, leaves.ends_at, leaves.delegate, leaves.time_zone)
			IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.start_date, EXCLUDED.end_date, EXCLUDED.starts_at, EXCLUDED.ends_at, EXCLUDED.delegate, EXCLUDED.time_zone)
		RETURNING id, person, kind, COALESCE(external_ref, ''), start_date, end_date, starts_at, ends_at,
			COALESCE(delegate, ''), COALESCE(time_zone, ''), version, updated_at, (xmax = 0)`
	var out domain.Leave
	var created bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkLeaveRefs(ctx, tx, l); err != nil {
			return err
		}
		row := tx.QueryRow(ctx, q, l.Person, l.Kind, l.ExternalRef, optDateArg(l.StartDate), optDateArg(l.EndDate),
			l.StartsAt, l.EndsAt, l.Delegate, l.TimeZone)
		var err error
		out, err = scanLeave(row, &created)
		if errors.Is(err, pgx.ErrNoRows) {
			out, err = sameRef(ctx, tx, l)
		}
		if err != nil {
			return translateWrite(err, "leave")
		}
		return nil
	})
	return out, created, err
}

// sameRef returns the stored leave with l's external_ref when it is l's
// person's (it was re-sent unchanged), else a conflict.
func sameRef(ctx context.Context, tx pgx.Tx, l domain.Leave) (domain.Leave, error) {
	const q = `SELECT id, person, kind, COALESCE(external_ref, ''), start_date, end_date, starts_at, ends_at,
			COALESCE(delegate, ''), COALESCE(time_zone, ''), version, updated_at
		FROM leaves WHERE external_ref = $1`
	got, err := scanLeave(tx.QueryRow(ctx, q, l.ExternalRef), nil)
	if err != nil {
		return domain.Leave{}, err
	}
	if got.Person != l.Person {
		return domain.Leave{}, &domain.Error{Code: domain.EConflict,
			Message: "external_ref %s already belongs to a leave of %s; HR's reference must name one leave of one person", Args: []any{l.ExternalRef, got.Person},
			Fields: []domain.FieldError{{Field: "external_ref", Message: "already used for another person's leave"}}}
	}
	return got, nil
}

// checkLeaveRefs checks, inside the writing transaction, that the person
// exists (not found otherwise: they are in the path) and that the delegate
// does (an invalid field otherwise).
func checkLeaveRefs(ctx context.Context, tx pgx.Tx, l domain.Leave) error {
	const q = `SELECT EXISTS (SELECT 1 FROM people WHERE external_id = $1)`
	var ok bool
	if err := tx.QueryRow(ctx, q, l.Person).Scan(&ok); err != nil {
		return translate(err, "person")
	}
	if !ok {
		return domain.Errorf(domain.ENotFound, "person %s not found", quote(l.Person))
	}
	if l.Delegate == "" {
		return nil
	}
	if err := tx.QueryRow(ctx, q, l.Delegate).Scan(&ok); err != nil {
		return translate(err, "delegate")
	}
	if !ok {
		return domain.Invalid("the leave is not valid", domain.FieldError{Field: "delegate",
			Message: "there is no person with external_id %s to act as delegate", Args: []any{quote(l.Delegate)}})
	}
	return nil
}

// scanLeave scans a leave row; when created is not nil the row ends with the
// "was inserted" flag.
func scanLeave(row pgx.Row, created *bool) (domain.Leave, error) {
	var (
		l                  domain.Leave
		startDate, endDate pgtype.Date
		startsAt, endsAt   pgtype.Timestamptz
	)
	dest := []any{&l.ID, &l.Person, &l.Kind, &l.ExternalRef, &startDate, &endDate, &startsAt, &endsAt,
		&l.Delegate, &l.TimeZone, &l.Version, &l.UpdatedAt}
	if created != nil {
		dest = append(dest, created)
	}
	if err := row.Scan(dest...); err != nil {
		return domain.Leave{}, err
	}
	l.StartDate, l.EndDate = optDateOf(startDate), optDateOf(endDate)
	l.StartsAt, l.EndsAt = optTime(startsAt), optTime(endsAt)
	return l, nil
}

func optTime(t pgtype.Timestamptz) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// FindLeave returns the leave with id, provided it is the person's.
func (s *Store) FindLeave(ctx context.Context, person string, id int64) (domain.Leave, error) {
	const q = `SELECT id, person, kind, COALESCE(external_ref, ''), start_date, end_date, starts_at, ends_at,
			COALESCE(delegate, ''), COALESCE(time_zone, ''), version, updated_at
		FROM leaves WHERE person = $1 AND id = $2`
	l, err := scanLeave(s.pool.QueryRow(ctx, q, person, id), nil)
	return l, translate(err, "leave %d of %s", id, quote(person))
}

// ListLeaves returns a page of the person's leave in id (creation) order and
// the id to pass as after for the next page (0 when this is the last). A
// person who does not exist is not_found.
func (s *Store) ListLeaves(ctx context.Context, person string, after int64, limit int) ([]domain.Leave, int64, error) {
	const qPerson = `SELECT EXISTS (SELECT 1 FROM people WHERE external_id = $1)`
	const q = `SELECT id, person, kind, COALESCE(external_ref, ''), start_date, end_date, starts_at, ends_at,
			COALESCE(delegate, ''), COALESCE(time_zone, ''), version, updated_at
		FROM leaves WHERE person = $1 AND id > $2 ORDER BY id LIMIT $3`
	var ok bool
	if err := s.pool.QueryRow(ctx, qPerson, person).Scan(&ok); err != nil {
		return nil, 0, translate(err, "person")
	}
	if !ok {
		return nil, 0, domain.Errorf(domain.ENotFound, "person %s not found", quote(person))
	}
	limit = Page{Limit: limit}.limit()
	rows, _ := s.pool.Query(ctx, q, person, after, limit+1)
	leaves, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Leave, error) { return scanLeave(r, nil) })
	if err != nil {
		return nil, 0, translate(err, "leaves")
	}
	var next int64
	if len(leaves) > limit {
		leaves = leaves[:limit]
		next = leaves[limit-1].ID
	}
	return leaves, next, nil
}

// allLeaves returns every leave of the person, by start.
func allLeaves(ctx context.Context, db queryer, person string) ([]domain.Leave, error) {
	const q = `SELECT id, person, kind, COALESCE(external_ref, ''), start_date, end_date, starts_at, ends_at,
			COALESCE(delegate, ''), COALESCE(time_zone, ''), version, updated_at
		FROM leaves WHERE person = $1 ORDER BY COALESCE(start_date::timestamp, starts_at::timestamp), id`
	rows, _ := db.Query(ctx, q, person)
	leaves, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Leave, error) { return scanLeave(r, nil) })
	if err != nil {
		return nil, translate(err, "leaves")
	}
	return leaves, nil
}

// DeleteLeave deletes the person's leave with id, provided its version is
// still ifVersion (AnyVersion: whatever it is).
func (s *Store) DeleteLeave(ctx context.Context, person string, id int64, ifVersion int64) error {
	const qLock = `SELECT version FROM leaves WHERE person = $1 AND id = $2 FOR UPDATE`
	const q = `DELETE FROM leaves WHERE person = $1 AND id = $2 AND version = $3`
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var version int64
		if err := tx.QueryRow(ctx, qLock, person, id).Scan(&version); err != nil {
			return translate(err, "leave %d of %s", id, quote(person))
		}
		if ifVersion != AnyVersion && version != ifVersion {
			return staleError("leave %s", fmt.Sprint(id))
		}
		tag, err := tx.Exec(ctx, q, person, id, version)
		if err != nil {
			return translate(err, "leave")
		}
		if tag.RowsAffected() != 1 {
			return staleError("leave %s", fmt.Sprint(id))
		}
		return nil
	})
}

// ValidateLeave records every problem with l's own fields in v: kind,
// external_ref, span (dates or instants, in order, in range), delegate and
// zone. It reads nothing: that the delegate exists is checked when writing.
func ValidateLeave(v *domain.Validator, l domain.Leave) {
	if !l.Kind.Valid() {
		v.Add("kind", "%s is not a kind of leave; use one of %s", quote(string(l.Kind)), joinAny(domain.LeaveKinds))
	}
	if l.ExternalRef != "" && !externalRefRe.MatchString(l.ExternalRef) {
		v.Add("external_ref", "%s is not a valid reference: use 1 to 128 letters, digits, '.', '_', ':', '/' or '-', starting with a letter or digit", quote(l.ExternalRef))
	}
	checkSpan(v, l)
	if l.Delegate != "" {
		CheckExternalID(v, "delegate", l.Delegate, true)
		v.Check(l.Delegate != l.Person, "delegate", "the delegate must be someone other than the person on leave")
	}
	if l.TimeZone != "" {
		if l.Kind != domain.LeaveServiceCommission {
			v.Add("time_zone", "only a service_commission leave has a time zone (where the commission is carried out); leave it out for %s", quote(string(l.Kind)))
		} else {
			CheckZone(v, "time_zone", l.TimeZone, false)
		}
	}
}

// checkSpan checks that l is either all-day dates or instants, complete, in
// order and in range.
func checkSpan(v *domain.Validator, l domain.Leave) {
	dates := l.StartDate != nil || l.EndDate != nil
	instants := l.StartsAt != nil || l.EndsAt != nil
	switch {
	case dates && instants:
		v.Add("start_date", "give either start_date and end_date (whole days) or starts_at and ends_at (part of a day), not both")
	case !dates && !instants:
		v.Add("start_date", "is required: give start_date and end_date (whole days, inclusive) or starts_at and ends_at (part of a day)")
	case dates:
		v.Check(l.StartDate != nil, "start_date", "is required with end_date")
		v.Check(l.EndDate != nil, "end_date", "is required with start_date (the last day of leave, inclusive)")
		if l.StartDate != nil && l.EndDate != nil {
			CheckDate(v, "start_date", *l.StartDate)
			CheckDate(v, "end_date", *l.EndDate)
			v.Check(!l.EndDate.Before(*l.StartDate), "end_date", "%s is before start_date %s", l.EndDate, l.StartDate)
		}
	default:
		v.Check(l.StartsAt != nil, "starts_at", "is required with ends_at")
		v.Check(l.EndsAt != nil, "ends_at", "is required with starts_at")
		if l.StartsAt != nil && l.EndsAt != nil {
			checkInstant(v, "starts_at", *l.StartsAt)
			checkInstant(v, "ends_at", *l.EndsAt)
			v.Check(l.EndsAt.After(*l.StartsAt), "ends_at", "must be after starts_at")
		}
	}
}

func checkInstant(v *domain.Validator, field string, t time.Time) {
	if t.Before(MinInstant) || t.After(MaxInstant) {
		v.Add(field, "%s is out of range: use an instant from %s to %s", t.Format(time.RFC3339), MinInstant.Format(time.RFC3339), MaxInstant.Format(time.RFC3339))
	}
}
