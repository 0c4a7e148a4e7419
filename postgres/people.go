package postgres

import (
	"context"
	"net/mail"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"

	"franja/domain"
)

// PersonPatch changes the fields it sets (nil: unchanged). For TimeZone and
// Supervisor a pointer to "" clears the value. ClearSchedules removes every
// override schedule version (the person then follows their post's); Schedule
// then adds or replaces the override version from Schedule.From.
type PersonPatch struct {
	FullName       *string
	Email          *string
	Post           *string
	TimeZone       *string
	Supervisor     *string
	Exception      *domain.Exception
	ClearSchedules bool
	Schedule       *domain.ScheduleVersion
}

// PeopleFilter selects people for ListPeople: by post, by direct supervisor
// (either may be ""), a page at a time in external_id order.
type PeopleFilter struct {
	Post       string
	Supervisor string
	Page       Page
}

// CreatePerson stores a new person. The post and supervisor must exist and
// the supervisor may not already report to them; every problem is reported
// at once. A taken external_id is a conflict.
func (s *Store) CreatePerson(ctx context.Context, p domain.Person) (domain.Person, error) {
	if p.Exception == "" {
		p.Exception = domain.ExceptionNone
	}
	var v domain.Validator
	ValidatePerson(&v, p)
	if err := v.Err("the person is not valid"); err != nil {
		return domain.Person{}, err
	}
	const q = `INSERT INTO people (external_id, full_name, email, post, time_zone, supervisor, exception)
		VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7)`
	var out domain.Person
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkPersonRefs(ctx, tx, p); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, q, p.ExternalID, p.FullName, p.Email, p.Post, p.TimeZone, p.Supervisor, p.Exception); err != nil {
			if isUnique(err) {
				return domain.Errorf(domain.EConflict, "a person with external_id %s already exists", p.ExternalID)
			}
			return translateWrite(err, "person")
		}
		for _, sv := range p.Schedules {
			if _, err := putSchedule(ctx, tx, ownerPerson, p.ExternalID, sv); err != nil {
				return err
			}
		}
		var err error
		out, err = findPerson(ctx, tx, p.ExternalID, false)
		return err
	})
	return out, err
}

// checkPersonRefs checks, inside the writing transaction, that p's post and
// supervisor exist and that the supervisor does not already report to p
// (which would close a cycle), reporting all of it at once.
func checkPersonRefs(ctx context.Context, tx pgx.Tx, p domain.Person) error {
	const qPost = `SELECT EXISTS (SELECT 1 FROM posts WHERE code = $1)`
	const qPerson = `SELECT EXISTS (SELECT 1 FROM people WHERE external_id = $1)`
	var v domain.Validator
	var ok bool
	if err := tx.QueryRow(ctx, qPost, p.Post).Scan(&ok); err != nil {
		return translate(err, "post")
	}
	v.Check(ok, "post", "there is no post with code %s; create it first or check the code", quote(p.Post))
	if p.Supervisor != "" {
		if err := tx.QueryRow(ctx, qPerson, p.Supervisor).Scan(&ok); err != nil {
			return translate(err, "supervisor")
		}
		v.Check(ok, "supervisor", "there is no person with external_id %s", quote(p.Supervisor))
		cycle, err := reportsTo(ctx, tx, p.Supervisor, p.ExternalID)
		if err != nil {
			return err
		}
		v.Check(!cycle, "supervisor", "%s already reports (directly or indirectly) to %s, so %s cannot be %s's supervisor",
			p.Supervisor, p.ExternalID, p.Supervisor, p.ExternalID)
	}
	return v.Err("the person is not valid")
}

// reportsTo reports whether walking up the supervisor chain from `from`
// reaches `to`. UNION (not UNION ALL) stops at a cycle already stored.
func reportsTo(ctx context.Context, tx pgx.Tx, from, to string) (bool, error) {
	const q = `WITH RECURSIVE up(id) AS (
			SELECT supervisor FROM people WHERE external_id = $1
			UNION
			SELECT p.supervisor FROM people p JOIN up ON p.external_id = up.id
		)
		SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)`
	var found bool
	if err := tx.QueryRow(ctx, q, from, to).Scan(&found); err != nil {
		return false, translate(err, "supervisor chain")
	}
	return found, nil
}

// FindPersonByExternalID returns the person with their override schedule
// versions (empty when they follow their post's).
func (s *Store) FindPersonByExternalID(ctx context.Context, externalID string) (domain.Person, error) {
	p, err := findPerson(ctx, s.pool, externalID, false)
	return p, Translate(err)
}

func findPerson(ctx context.Context, db queryer, externalID string, lock bool) (domain.Person, error) {
	// The effective zone is read with the person, inside the writing
	// transaction: read after the commit, a failure would turn a
	// committed write into an error.
	const q = `SELECT external_id, full_name, email, post, COALESCE(time_zone, ''), COALESCE(supervisor, ''),
			exception, version, updated_at, COALESCE(time_zone, (SELECT po.time_zone FROM posts po WHERE po.code = post))
		FROM people WHERE external_id = $1`
	const qLock = q + ` FOR UPDATE`
	sql := q
	if lock {
		sql = qLock
	}
	var p domain.Person
	err := db.QueryRow(ctx, sql, externalID).Scan(&p.ExternalID, &p.FullName, &p.Email, &p.Post, &p.TimeZone, &p.Supervisor,
		&p.Exception, &p.Version, &p.UpdatedAt, &p.Zone)
	if err != nil {
		return domain.Person{}, translate(err, "person %s", quote(externalID))
	}
	p.Schedules, err = listSchedules(ctx, db, ownerPerson, externalID)
	return p, err
}

func scanPerson(row pgx.Row) (domain.Person, error) {
	var p domain.Person
	err := row.Scan(&p.ExternalID, &p.FullName, &p.Email, &p.Post, &p.TimeZone, &p.Supervisor, &p.Exception, &p.Version, &p.UpdatedAt)
	return p, err
}

// PersonZone returns the person's effective zone: their override, else their
// post's.
func (s *Store) PersonZone(ctx context.Context, externalID string) (string, error) {
	const q = `SELECT COALESCE(p.time_zone, po.time_zone) FROM people p JOIN posts po ON po.code = p.post
		WHERE p.external_id = $1`
	var tz string
	err := s.pool.QueryRow(ctx, q, externalID).Scan(&tz)
	return tz, translate(err, "person %s", quote(externalID))
}

// ListPeople returns a page of people in external_id order, filtered, and the
// key to pass as Page.After for the next page ("" when this is the last).
func (s *Store) ListPeople(ctx context.Context, f PeopleFilter) ([]domain.Person, string, error) {
	const q = `SELECT external_id, full_name, email, post, COALESCE(time_zone, ''), COALESCE(supervisor, ''),
			exception, version, updated_at
		FROM people
		WHERE ($1 = '' OR post = $1) AND ($2 = '' OR supervisor = $2) AND external_id > $3
		ORDER BY external_id LIMIT $4`
	limit := f.Page.limit()
	rows, _ := s.pool.Query(ctx, q, f.Post, f.Supervisor, f.Page.After, limit+1)
	people, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Person, error) { return scanPerson(r) })
	if err != nil {
		return nil, "", translate(err, "people")
	}
	next := ""
	if len(people) > limit {
		people = people[:limit]
		next = people[limit-1].ExternalID
	}
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ExternalID
	}
	versions, err := listSchedulesOf(ctx, s.pool, ownerPerson, ids)
	if err != nil {
		return nil, "", Translate(err)
	}
	for i := range people {
		people[i].Schedules = versions[people[i].ExternalID]
	}
	return people, next, nil
}

// UpdatePerson applies patch to the person, provided their version is still
// ifVersion (AnyVersion: whatever it is). A missing person is not_found; a
// changed one is precondition_failed.
func (s *Store) UpdatePerson(ctx context.Context, externalID string, patch PersonPatch, ifVersion int64) (domain.Person, error) {
	const q = `UPDATE people SET full_name = $3, email = $4, post = $5, time_zone = NULLIF($6, ''),
			supervisor = NULLIF($7, ''), exception = $8, version = version + 1, updated_at = now()
		WHERE external_id = $1 AND version = $2`
	var out domain.Person
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		p, err := lockPerson(ctx, tx, externalID, ifVersion)
		if err != nil {
			return err
		}
		applyPersonPatch(&p, patch)
		if err := validatePersonTx(ctx, tx, p); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, q, externalID, p.Version, p.FullName, p.Email, p.Post, p.TimeZone, p.Supervisor, p.Exception)
		if err != nil {
			return translateWrite(err, "person")
		}
		if tag.RowsAffected() != 1 {
			return staleError("person %s", externalID)
		}
		if err := writePersonSchedules(ctx, tx, externalID, patch); err != nil {
			return err
		}
		out, err = findPerson(ctx, tx, externalID, false)
		return err
	})
	return out, err
}

// validatePersonTx validates p's fields and then, when they are sound, its
// references, inside tx.
func validatePersonTx(ctx context.Context, tx pgx.Tx, p domain.Person) error {
	var v domain.Validator
	ValidatePerson(&v, p)
	if err := v.Err("the person is not valid"); err != nil {
		return err
	}
	return checkPersonRefs(ctx, tx, p)
}

func writePersonSchedules(ctx context.Context, tx pgx.Tx, externalID string, patch PersonPatch) error {
	if patch.ClearSchedules {
		if err := deleteSchedules(ctx, tx, externalID); err != nil {
			return err
		}
	}
	if patch.Schedule != nil {
		if _, err := putSchedule(ctx, tx, ownerPerson, externalID, *patch.Schedule); err != nil {
			return err
		}
	}
	return nil
}

func applyPersonPatch(p *domain.Person, patch PersonPatch) {
	set(&p.FullName, patch.FullName)
	set(&p.Email, patch.Email)
	set(&p.Post, patch.Post)
	set(&p.TimeZone, patch.TimeZone)
	set(&p.Supervisor, patch.Supervisor)
	set(&p.Exception, patch.Exception)
	if patch.ClearSchedules {
		p.Schedules = nil
	}
	if patch.Schedule != nil {
		p.Schedules = withVersion(p.Schedules, *patch.Schedule)
	}
}

// lockPerson reads the person FOR UPDATE and checks their version.
func lockPerson(ctx context.Context, tx pgx.Tx, externalID string, ifVersion int64) (domain.Person, error) {
	p, err := findPerson(ctx, tx, externalID, true)
	if err != nil {
		return domain.Person{}, err
	}
	if ifVersion != AnyVersion && p.Version != ifVersion {
		return domain.Person{}, staleError("person %s", externalID)
	}
	return p, nil
}

// DeletePerson deletes the person with their leave and schedules, provided
// their version is still ifVersion (AnyVersion: whatever). Someone who still
// supervises people is not deleted: that is a conflict. Leave that named them
// as delegate loses its delegate.
func (s *Store) DeletePerson(ctx context.Context, externalID string, ifVersion int64) error {
	const qReports = `SELECT external_id FROM people WHERE supervisor = $1 ORDER BY external_id LIMIT 6`
	const q = `DELETE FROM people WHERE external_id = $1 AND version = $2`
	return s.inTx(ctx, func(tx pgx.Tx) error {
		p, err := lockPerson(ctx, tx, externalID, ifVersion)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, qReports, externalID)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return translate(err, "people")
		}
		if len(ids) > 0 {
			return domain.Errorf(domain.EConflict, "%s still supervises %s: give them another supervisor first", externalID, listSome(ids, 5))
		}
		tag, err := tx.Exec(ctx, q, externalID, p.Version)
		if err != nil {
			if isFK(err) {
				return domain.Errorf(domain.EConflict, "%s is still referred to (as a supervisor, or by an API key): remove those references first", externalID)
			}
			return translate(err, "person")
		}
		if tag.RowsAffected() != 1 {
			return staleError("person %s", externalID)
		}
		return nil
	})
}

// ValidatePerson records every problem with p's own fields in v. It reads
// nothing: that the post and supervisor exist is checked when writing.
func ValidatePerson(v *domain.Validator, p domain.Person) {
	CheckExternalID(v, "external_id", p.ExternalID, true)
	CheckText(v, "full_name", p.FullName, true, 200)
	checkEmail(v, p.Email)
	switch {
	case p.Post == "":
		v.Add("post", "is required: the code of the post the person works at, e.g. BOG")
	case !domain.ValidCode(p.Post):
		v.Add("post", "%s is not a post code; codes are upper-case letters, digits, '-' or '_', e.g. BOG or EMB-TOKYO", quote(p.Post))
	}
	CheckZone(v, "time_zone", p.TimeZone, false)
	if p.Supervisor != "" {
		CheckExternalID(v, "supervisor", p.Supervisor, true)
		v.Check(p.Supervisor != p.ExternalID, "supervisor", "a person cannot be their own supervisor")
	}
	if !p.Exception.Valid() {
		v.Add("exception", "%s is not an exception category; use one of %s", quote(string(p.Exception)), joinAny(domain.Exceptions))
	}
	CheckSchedules(v, "schedules", p.Schedules)
}

// CheckExternalID records a problem when s is not a valid external_id.
func CheckExternalID(v *domain.Validator, field, s string, required bool) {
	switch {
	case s == "":
		if required {
			v.Add(field, "is required: HR's employee number, e.g. E1001")
		}
	case !domain.ValidExternalID(s):
		v.Add(field, "%s is not a valid external_id: use 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit", quote(s))
	}
}

// checkEmail accepts one plain address (no display name), at most 254
// characters, without spaces: what the database's own check accepts.
func checkEmail(v *domain.Validator, s string) {
	if s == "" {
		v.Add("email", "is required: the person's work address, e.g. ana.perez@cancilleria.gov.co")
		return
	}
	a, err := mail.ParseAddress(s)
	ok := err == nil && a.Address == s && len(s) <= 254 && strings.Count(s, "@") == 1 &&
		!strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == 0 })
	v.Check(ok, "email", "%s is not a plain e-mail address such as ana.perez@cancilleria.gov.co", quote(s))
}

// PostZones returns the time zone of each of the posts named (missing codes
// are left out).
func (s *Store) PostZones(ctx context.Context, codes []string) (map[string]string, error) {
	const q = `SELECT code, time_zone FROM posts WHERE code = ANY($1)`
	out := make(map[string]string, len(codes))
	rows, _ := s.pool.Query(ctx, q, codes)
	var code, zone string
	_, err := pgx.ForEachRow(rows, []any{&code, &zone}, func() error {
		out[code] = zone
		return nil
	})
	return out, translate(err, "posts")
}
