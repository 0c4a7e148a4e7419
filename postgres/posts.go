package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"franja/calendars"
	"franja/domain"
)

// Page asks for at most Limit rows whose key sorts after After ("" or 0:
// from the start). Keyset pagination: a row inserted or deleted between two
// pages never shifts the others.
type Page struct {
	After string
	Limit int
}

// MaxPageLimit is the largest page a List method returns.
const MaxPageLimit = 1000

func (p Page) limit() int {
	if p.Limit < 1 || p.Limit > MaxPageLimit {
		return 100
	}
	return p.Limit
}

// AnyVersion, as an ifVersion argument, skips the version check.
const AnyVersion int64 = 0

// PostPatch changes the fields it sets (nil: unchanged). Schedule, when set,
// adds the version in force from Schedule.From, or replaces the version that
// starts on that same date; earlier versions stay as they were.
type PostPatch struct {
	Name               *string
	Kind               *domain.PostKind
	Country            *string
	City               *string
	TimeZone           *string
	Calendars          *[]string
	HolidayPicks       *[]domain.HolidayPick
	HolidaysBeyondData *domain.BeyondData
	Schedule           *domain.ScheduleVersion
}

// CreatePost stores a new post with its schedule versions. A post whose code
// exists is a conflict; invalid fields are reported all at once.
func (s *Store) CreatePost(ctx context.Context, p domain.Post) (domain.Post, error) {
	defaultPost(&p)
	var v domain.Validator
	ValidatePost(&v, p)
	if err := v.Err("the post is not valid"); err != nil {
		return domain.Post{}, err
	}
	const q = `INSERT INTO posts (code, name, kind, country, city, time_zone, calendars, holiday_picks, holidays_beyond_data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	var out domain.Post
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, q, p.Code, p.Name, p.Kind, p.Country, p.City, p.TimeZone, p.Calendars, p.HolidayPicks, p.HolidaysBeyondData); err != nil {
			if isUnique(err) {
				return domain.Errorf(domain.EConflict, "a post with code %s already exists", p.Code)
			}
			return translateWrite(err, "post")
		}
		for _, sv := range p.Schedules {
			if _, err := putSchedule(ctx, tx, ownerPost, p.Code, sv); err != nil {
				return err
			}
		}
		var err error
		out, err = findPost(ctx, tx, p.Code, false)
		return err
	})
	return out, err
}

// defaultPost fills what a new post may leave out: no calendars, no picks,
// and decisions flagged beyond a calendar's data.
func defaultPost(p *domain.Post) {
	if p.Calendars == nil {
		p.Calendars = []string{}
	}
	if p.HolidayPicks == nil {
		p.HolidayPicks = []domain.HolidayPick{}
	}
	if p.HolidaysBeyondData == "" {
		p.HolidaysBeyondData = domain.BeyondDataFlag
	}
}

// FindPostByCode returns the post with code, with all its schedule versions.
func (s *Store) FindPostByCode(ctx context.Context, code string) (domain.Post, error) {
	p, err := findPost(ctx, s.pool, code, false)
	return p, Translate(err)
}

func findPost(ctx context.Context, db queryer, code string, lock bool) (domain.Post, error) {
	const q = `SELECT code, name, kind, country, city, time_zone, calendars, holiday_picks, holidays_beyond_data, version, updated_at
		FROM posts WHERE code = $1`
	const qLock = q + ` FOR UPDATE`
	sql := q
	if lock {
		sql = qLock
	}
	p, err := scanPost(db.QueryRow(ctx, sql, code))
	if err != nil {
		return domain.Post{}, translate(err, "post %s", quote(code))
	}
	p.Schedules, err = listSchedules(ctx, db, ownerPost, code)
	return p, err
}

func scanPost(row pgx.Row) (domain.Post, error) {
	var p domain.Post
	err := row.Scan(&p.Code, &p.Name, &p.Kind, &p.Country, &p.City, &p.TimeZone, &p.Calendars, &p.HolidayPicks, &p.HolidaysBeyondData, &p.Version, &p.UpdatedAt)
	return p, err
}

// ListPosts returns a page of posts in code order and the key to pass as
// Page.After for the next page ("" when this is the last).
func (s *Store) ListPosts(ctx context.Context, page Page) ([]domain.Post, string, error) {
	const q = `SELECT code, name, kind, country, city, time_zone, calendars, holiday_picks, holidays_beyond_data, version, updated_at
		FROM posts WHERE code > $1 ORDER BY code LIMIT $2`
	limit := page.limit()
	rows, err := s.pool.Query(ctx, q, page.After, limit+1)
	if err != nil {
		return nil, "", translate(err, "posts")
	}
	posts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Post, error) { return scanPost(r) })
	if err != nil {
		return nil, "", translate(err, "posts")
	}
	next := ""
	if len(posts) > limit {
		posts = posts[:limit]
		next = posts[limit-1].Code
	}
	codes := make([]string, len(posts))
	for i, p := range posts {
		codes[i] = p.Code
	}
	versions, err := listSchedulesOf(ctx, s.pool, ownerPost, codes)
	if err != nil {
		return nil, "", Translate(err)
	}
	for i := range posts {
		posts[i].Schedules = versions[posts[i].Code]
	}
	return posts, next, nil
}

// UpdatePost applies patch to the post with code, provided its version is
// still ifVersion (AnyVersion: whatever it is). A missing post is not_found;
// a changed one is precondition_failed.
func (s *Store) UpdatePost(ctx context.Context, code string, patch PostPatch, ifVersion int64) (domain.Post, error) {
	const q = `UPDATE posts SET name = $3, kind = $4, country = $5, city = $6, time_zone = $7,
		calendars = $8, holiday_picks = $9, holidays_beyond_data = $10, version = version + 1, updated_at = now()
		WHERE code = $1 AND version = $2`
	var out domain.Post
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		p, err := lockPost(ctx, tx, code, ifVersion)
		if err != nil {
			return err
		}
		applyPostPatch(&p, patch)
		var v domain.Validator
		ValidatePost(&v, p)
		if err := v.Err("the post is not valid"); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, q, code, p.Version, p.Name, p.Kind, p.Country, p.City, p.TimeZone, p.Calendars, p.HolidayPicks, p.HolidaysBeyondData)
		if err != nil {
			return translateWrite(err, "post")
		}
		if tag.RowsAffected() != 1 {
			return staleError("post %s", code)
		}
		if patch.Schedule != nil {
			if _, err := putSchedule(ctx, tx, ownerPost, code, *patch.Schedule); err != nil {
				return err
			}
		}
		out, err = findPost(ctx, tx, code, false)
		return err
	})
	return out, err
}

// applyPostPatch merges patch into p, including the patch's schedule version
// into p.Schedules so that validation sees the result.
func applyPostPatch(p *domain.Post, patch PostPatch) {
	set(&p.Name, patch.Name)
	set(&p.Kind, patch.Kind)
	set(&p.Country, patch.Country)
	set(&p.City, patch.City)
	set(&p.TimeZone, patch.TimeZone)
	set(&p.Calendars, patch.Calendars)
	set(&p.HolidayPicks, patch.HolidayPicks)
	set(&p.HolidaysBeyondData, patch.HolidaysBeyondData)
	if patch.Schedule != nil {
		p.Schedules = withVersion(p.Schedules, *patch.Schedule)
	}
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// lockPost reads the post with code FOR UPDATE, so that concurrent writers
// queue behind this transaction, and checks its version.
func lockPost(ctx context.Context, tx pgx.Tx, code string, ifVersion int64) (domain.Post, error) {
	p, err := findPost(ctx, tx, code, true)
	if err != nil {
		return domain.Post{}, err
	}
	if ifVersion != AnyVersion && p.Version != ifVersion {
		return domain.Post{}, staleError("post %s", code)
	}
	return p, nil
}

// DeletePost deletes the post with code (and its schedules), provided its
// version is still ifVersion (AnyVersion: whatever it is). A post that people
// are still assigned to is not deleted: that is a conflict.
func (s *Store) DeletePost(ctx context.Context, code string, ifVersion int64) error {
	const qPeople = `SELECT external_id FROM people WHERE post = $1 ORDER BY external_id LIMIT 6`
	const q = `DELETE FROM posts WHERE code = $1 AND version = $2`
	return s.inTx(ctx, func(tx pgx.Tx) error {
		p, err := lockPost(ctx, tx, code, ifVersion)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, qPeople, code)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return translate(err, "people")
		}
		if len(ids) > 0 {
			return domain.Errorf(domain.EConflict, "post %s still has people assigned (%s): move them to another post first", code, listSome(ids, 5))
		}
		tag, err := tx.Exec(ctx, q, code, p.Version)
		if err != nil {
			if isFK(err) {
				return domain.Errorf(domain.EConflict, "post %s still has people assigned: move them to another post first", code)
			}
			return translate(err, "post")
		}
		if tag.RowsAffected() != 1 {
			return staleError("post %s", code)
		}
		return nil
	})
}

// listSome names up to n ids, then "and more".
func listSome(ids []string, n int) any {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return domain.T("%s and more", strings.Join(ids[:n], ", "))
}

// staleError is the precondition_failed answer to a write whose If-Match
// names a version that is no longer current.
func staleError(format string, args ...any) error {
	return domain.Errorf(domain.EPreconditionFailed,
		"%s has changed since you read it: GET it again, reapply your change and send its new ETag in If-Match", domain.T(format, args...))
}

// queryer is what both a pool and a transaction offer.
type queryer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// inTx runs fn in a transaction, committing when it returns nil. Errors
// raised at commit (deferred constraints: supervisor references and cycles)
// are translated like any other write error.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return translate(err, "postgres: begin")
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return Translate(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return translateWrite(err, "change")
	}
	return nil
}

func isUnique(err error) bool { return pgCode(err) == "23505" }
func isFK(err error) bool     { return pgCode(err) == "23503" }

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// constraintFields names the input field each constraint guards, so that a
// violation the application did not catch first still reaches the client as
// a field error rather than a bare constraint name.
var constraintFields = map[string]string{
	"posts_code_check":                 "code",
	"posts_name_check":                 "name",
	"posts_kind_check":                 "kind",
	"posts_country_check":              "country",
	"posts_city_check":                 "city",
	"posts_time_zone_check":            "time_zone",
	"posts_calendars_check":            "calendars",
	"posts_holiday_picks_check":        "holiday_picks",
	"posts_holidays_beyond_data_check": "holidays_beyond_data",
	"people_external_id_check":         "external_id",
	"people_full_name_check":           "full_name",
	"people_email_check":               "email",
	"people_time_zone_check":           "time_zone",
	"people_exception_check":           "exception",
	"people_check":                     "supervisor",
	"people_post_fkey":                 "post",
	"people_supervisor_fkey":           "supervisor",
	"people_supervisor_cycle":          "supervisor",
	"leaves_kind_check":                "kind",
	"leaves_external_ref_check":        "external_ref",
	"leaves_time_zone_check":           "time_zone",
	"leaves_span_check":                "end_date",
	"leaves_delegate_check":            "delegate",
	"leaves_delegate_fkey":             "delegate",
	"schedules_windows_check":          "schedule",
}

// translateWrite translates an error from an INSERT or UPDATE: a check or
// foreign-key violation becomes an invalid-field error naming the field; the
// supervisor-cycle trigger gets a message a person can act on.
func translateWrite(err error, format string, args ...any) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return translate(err, format, args...)
	}
	what := domain.T(format, args...)
	field, known := constraintFields[pgErr.ConstraintName]
	switch {
	case pgErr.ConstraintName == "people_supervisor_cycle":
		return domain.Invalid("the change would make a reporting cycle",
			domain.FieldError{Field: field, Message: "this supervisor would make a reporting cycle (someone would end up reporting, directly or indirectly, to themself)"})
	case known && pgErr.Code == "23514":
		return &domain.Error{Code: domain.EInvalid, Message: "the %s is not valid", Args: []any{what},
			Fields: []domain.FieldError{domain.FieldErrorf(field, "the value is not accepted (%s)", pgErr.ConstraintName)}}
	case known && pgErr.Code == "23503":
		return &domain.Error{Code: domain.EInvalid, Message: "the %s refers to something that does not exist", Args: []any{what},
			Fields: []domain.FieldError{{Field: field, Message: "refers to something that does not exist (or was just deleted)"}}}
	}
	return translate(err, format, args...)
}

// quote quotes a client's value for a message, cut short so that a huge
// value is not echoed back whole.
func quote(s string) string {
	const max = 64
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// MaxCalendars caps a post's base calendars (a post observes one or two).
const MaxCalendars = 10

// ValidatePost records every problem with p in v: code, name, kind, country,
// city, zone, calendars and schedule versions. It reads nothing.
func ValidatePost(v *domain.Validator, p domain.Post) {
	switch {
	case p.Code == "":
		v.Add("code", "is required: a short upper-case key such as BOG or EMB-TOKYO")
	case !domain.ValidCode(p.Code):
		v.Add("code", "%s is not a valid post code: use 1 to 32 upper-case letters, digits, '-' or '_', starting with a letter or digit (e.g. BOG, EMB-TOKYO)", quote(p.Code))
	}
	CheckText(v, "name", p.Name, true, 200)
	if !p.Kind.Valid() {
		v.Add("kind", "%s is not a kind of post; use one of %s", quote(string(p.Kind)), joinAny(domain.PostKinds))
	}
	CheckCountry(v, "country", p.Country)
	CheckText(v, "city", p.City, false, 200)
	CheckZone(v, "time_zone", p.TimeZone, true)
	checkCalendars(v, p.Calendars)
	CheckPicks(v, p.HolidayPicks, p.Calendars)
	if p.HolidaysBeyondData != "" && !p.HolidaysBeyondData.Valid() {
		v.Add("holidays_beyond_data", "%s is not a choice; use %s", quote(string(p.HolidaysBeyondData)), joinAny(domain.BeyondDataChoices))
	}
	CheckSchedules(v, "schedules", p.Schedules)
}

// MaxHolidayPicks caps a post's picked days (a post picks a few national
// days, not a calendar's worth).
const MaxHolidayPicks = 40

// CheckPicks records a problem with each pick that names no calendar, no
// holiday of it (by its name there, as ResolvePick gives it), a calendar
// the post takes whole already, or a day picked twice.
func CheckPicks(v *domain.Validator, picks []domain.HolidayPick, whole []string) {
	if len(picks) > MaxHolidayPicks {
		v.Add("holiday_picks", "a post picks at most %d days; it has %d (take the calendar whole instead)", MaxHolidayPicks, len(picks))
		return
	}
	seen := map[domain.HolidayPick]bool{}
	for i, p := range picks {
		field := fmt.Sprintf("holiday_picks[%d]", i)
		got, err := calendars.ResolvePick(calendars.Pick{Calendar: p.Calendar, Holiday: p.Holiday})
		switch {
		case err != nil:
			v.Add(field, "%s", err)
		case got.Calendar != p.Calendar || got.Holiday != p.Holiday:
			v.Add(field, "write it as {\"calendar\": %q, \"holiday\": %q}, as the calendar names it", got.Calendar, got.Holiday)
		case slices.Contains(whole, p.Calendar):
			v.Add(field, "the post takes calendar %s whole already; picking %q from it adds nothing", p.Calendar, p.Holiday)
		case seen[p]:
			v.Add(field, "%s's %q is picked twice", p.Calendar, p.Holiday)
		}
		seen[p] = true
	}
}

func checkCalendars(v *domain.Validator, codes []string) {
	if len(codes) > MaxCalendars {
		v.Add("calendars", "a post has at most %d base calendars; it has %d", MaxCalendars, len(codes))
		return
	}
	seen := map[string]bool{}
	for i, c := range codes {
		field := fmt.Sprintf("calendars[%d]", i)
		info, ok := calendars.Lookup(c)
		switch {
		case !ok || c != info.Code:
			v.Add(field, "%s is not a base calendar code; use an upper-case code listed by GET /v1/calendars: a country's (ISO 3166-1 alpha-2, e.g. CO or JP) or a region's (e.g. ES-MD or US-FL)", quote(c))
		case seen[c]:
			v.Add(field, "%s is listed twice", c)
		}
		seen[c] = true
	}
}

// CheckCountry records a problem when s is not an ISO 3166-1 alpha-2 code.
func CheckCountry(v *domain.Validator, field, s string) {
	switch {
	case s == "":
		v.Add(field, "is required: the ISO 3166-1 alpha-2 country code, e.g. CO or JP")
	case !domain.ValidCountry(s):
		v.Add(field, "%s is not an ISO 3166-1 alpha-2 country code; use two upper-case letters, e.g. CO or JP", quote(s))
	}
}

// CheckZone records a problem when name is not an IANA zone ("" is one when
// required).
func CheckZone(v *domain.Validator, field, name string, required bool) {
	if name == "" {
		if required {
			v.Add(field, "is required: an IANA time zone such as America/Bogota or Asia/Tokyo")
		}
		return
	}
	if _, ok := domain.LoadZone(name); !ok || strings.ContainsRune(name, 0) || len(name) > 64 {
		v.Add(field, "%s is not an IANA time zone; examples: America/Bogota, Asia/Tokyo", quote(name))
	}
}

// CheckText records a problem when s is blank (and required), longer than
// max characters, or holds a NUL or invalid UTF-8, which PostgreSQL refuses
// in text.
func CheckText(v *domain.Validator, field, s string, required bool, max int) {
	n := utf8.RuneCountInString(s)
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "is required")
	case n > max:
		v.Add(field, "is %d characters long; the limit is %d", n, max)
	case strings.ContainsRune(s, 0):
		v.Add(field, "must not contain NUL characters")
	case !utf8.ValidString(s):
		v.Add(field, "must be valid UTF-8 text")
	}
}

func joinAny[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
