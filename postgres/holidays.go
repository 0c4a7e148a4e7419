package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"franja/calendars"
	"franja/domain"
)

// Holidays kept in the database (migrations/000005_holidays): uploaded
// yearly lists and closures of base calendars, and each post's own closures
// and exclusions. calendars.Stored composes them with the computed
// calendars; this file only reads and writes them.

// Closure is a one-off non-working day declared on a post or on a base
// calendar: its date, its name, and an optional note (the act that declared
// it, e.g. "Decreto 0123 de 2025"). There is one per date.
type Closure struct {
	Date domain.Date `json:"date"`
	Name string      `json:"name"`
	Note string      `json:"note"`
}

// Exclusion is a base-calendar holiday a post works through (a consulate
// open on a national día cívico): every base holiday on Date is removed from
// the post's effective list.
type Exclusion struct {
	Date domain.Date `json:"date"`
	Note string      `json:"note"`
}

// PostHolidays is what a post's effective holidays are built from: its base
// calendars, the days it picks from others, its closures and its
// exclusions (all years, in date order).
type PostHolidays struct {
	Post       string
	Calendars  []string
	Picks      []domain.HolidayPick
	Closures   []Closure
	Exclusions []Exclusion
}

// Rules returns p in the form calendars.Stored.PostYear takes.
func (p PostHolidays) Rules() calendars.PostRules {
	closures, exclusions := p.Layers()
	picks := make([]calendars.Pick, len(p.Picks))
	for i, pk := range p.Picks {
		picks[i] = calendars.Pick{Calendar: pk.Calendar, Holiday: pk.Holiday}
	}
	return calendars.PostRules{Calendars: p.Calendars, Picks: picks, Closures: closures, Exclusions: exclusions}
}

// Codes returns every calendar p takes, whole or picked from.
func (p PostHolidays) Codes() []string {
	codes := slices.Clone(p.Calendars)
	for _, pk := range p.Picks {
		if !slices.Contains(codes, pk.Calendar) {
			codes = append(codes, pk.Calendar)
		}
	}
	return codes
}

// Layers returns p's closures and exclusion dates in the form
// calendars.Stored.PostHolidays takes.
func (p PostHolidays) Layers() (closures []calendars.Holiday, exclusions []domain.Date) {
	closures = make([]calendars.Holiday, len(p.Closures))
	for i, c := range p.Closures {
		closures[i] = calendars.Holiday{Date: c.Date, Name: c.Name}
	}
	exclusions = make([]domain.Date, len(p.Exclusions))
	for i, e := range p.Exclusions {
		exclusions[i] = e.Date
	}
	return closures, exclusions
}

// The limits the schema enforces (000005_holidays).
const (
	MinHolidayYear = 1900
	MaxHolidayYear = 2200
	maxNote        = 1000
)

// ValidateClosure records every problem with c in v, under field names
// prefixed by prefix ("" for a request body).
func ValidateClosure(v *domain.Validator, prefix string, c Closure) {
	CheckHolidayDate(v, prefix+"date", c.Date)
	CheckText(v, prefix+"name", c.Name, true, 200)
	CheckText(v, prefix+"note", c.Note, false, maxNote)
}

// ValidateExclusion records every problem with e in v.
func ValidateExclusion(v *domain.Validator, e Exclusion) {
	CheckHolidayDate(v, "date", e.Date)
	CheckText(v, "note", e.Note, false, maxNote)
}

// CheckHolidayDate records a problem when d is missing or outside the years
// holidays may be stored for.
func CheckHolidayDate(v *domain.Validator, field string, d domain.Date) {
	switch {
	case d.IsZero():
		v.Add(field, "is required: a date in the form YYYY-MM-DD")
	case d.Year < MinHolidayYear || d.Year > MaxHolidayYear:
		v.Add(field, "%s is outside the years %d–%d", d, MinHolidayYear, MaxHolidayYear)
	}
}

// LoadStoredCalendars reads the uploaded lists and the calendar closures of
// the given base calendars (of every calendar when none is given), in one
// snapshot.
func (s *Store) LoadStoredCalendars(ctx context.Context, codes ...string) (*calendars.Stored, error) {
	var st *calendars.Stored
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		var err error
		st, err = ReadStoredCalendars(ctx, tx, codes...)
		return err
	})
	if err != nil {
		return nil, Translate(err)
	}
	return st, nil
}

// ReadStoredCalendars is LoadStoredCalendars within the caller's
// transaction (the view's snapshot reads it with everything else).
func ReadStoredCalendars(ctx context.Context, tx pgx.Tx, codes ...string) (*calendars.Stored, error) {
	if codes == nil {
		codes = []string{}
	}
	st := &calendars.Stored{Uploads: map[string]map[int][]calendars.Holiday{}, Closures: map[string][]calendars.Holiday{}}
	if err := readUploads(ctx, tx, codes, st); err != nil {
		return nil, err
	}
	const q = `SELECT calendar, date, name FROM calendar_closures
		WHERE cardinality($1::text[]) = 0 OR calendar = ANY($1) ORDER BY calendar, date`
	rows, _ := tx.Query(ctx, q, codes)
	var code, name string
	var date pgtype.Date
	_, err := pgx.ForEachRow(rows, []any{&code, &date, &name}, func() error {
		st.Closures[code] = append(st.Closures[code], calendars.Holiday{Date: holidayDateOf(date), Name: name})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading calendar closures: %w", err)
	}
	return st, nil
}

// readUploads fills st.Uploads with the uploaded lists of codes (all when
// codes is empty).
func readUploads(ctx context.Context, tx pgx.Tx, codes []string, st *calendars.Stored) error {
	const q = `SELECT u.calendar, u.year, h.date, h.name
		FROM calendar_uploads u LEFT JOIN calendar_upload_holidays h USING (calendar, year)
		WHERE cardinality($1::text[]) = 0 OR u.calendar = ANY($1)
		ORDER BY u.calendar, u.year, h.date, h.name`
	rows, _ := tx.Query(ctx, q, codes)
	var (
		code string
		year int
		date pgtype.Date
		name pgtype.Text
	)
	_, err := pgx.ForEachRow(rows, []any{&code, &year, &date, &name}, func() error {
		if st.Uploads[code] == nil {
			st.Uploads[code] = map[int][]calendars.Holiday{}
		}
		list := st.Uploads[code][year]
		if list == nil {
			list = []calendars.Holiday{} // an upload with no rows: no holidays that year
		}
		if date.Valid { // NULL: the LEFT JOIN of an empty upload
			list = append(list, calendars.Holiday{Date: holidayDateOf(date), Name: name.String})
		}
		st.Uploads[code][year] = list
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading calendar uploads: %w", err)
	}
	return nil
}

// FindPostHolidays returns post code's calendars, closures and exclusions,
// read in one snapshot; an unknown post is ENotFound.
func (s *Store) FindPostHolidays(ctx context.Context, code string) (PostHolidays, error) {
	var p PostHolidays
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		const q = `SELECT code, calendars, holiday_picks FROM posts WHERE code = $1`
		if err := tx.QueryRow(ctx, q, code).Scan(&p.Post, &p.Calendars, &p.Picks); err != nil {
			return translate(err, "post %s", quote(code))
		}
		all, err := postLayers(ctx, tx, []string{code})
		if err != nil {
			return err
		}
		l := all[code]
		p.Closures, p.Exclusions = l.Closures, l.Exclusions
		return nil
	})
	if p.Closures == nil {
		p.Closures = []Closure{}
	}
	if p.Exclusions == nil {
		p.Exclusions = []Exclusion{}
	}
	return p, Translate(err)
}

// ListPostHolidays returns every post's calendars, closures and exclusions,
// by post code, read in one snapshot: what the decision path precomputes
// its holiday sets from.
func (s *Store) ListPostHolidays(ctx context.Context) (map[string]PostHolidays, error) {
	out := map[string]PostHolidays{}
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT code, calendars, holiday_picks FROM posts`)
		var code string
		var cals []string
		var picks []domain.HolidayPick
		if _, err := pgx.ForEachRow(rows, []any{&code, &cals, &picks}, func() error {
			out[code] = PostHolidays{Post: code, Calendars: cals, Picks: picks}
			return nil
		}); err != nil {
			return fmt.Errorf("reading posts' calendars: %w", err)
		}
		layers, err := postLayers(ctx, tx, nil)
		for code, l := range layers {
			if p, ok := out[code]; ok {
				p.Closures, p.Exclusions = l.Closures, l.Exclusions
				out[code] = p
			}
		}
		return err
	})
	return out, Translate(err)
}

// postLayers reads the closures and exclusions of the given posts (of every
// post when posts is nil).
func postLayers(ctx context.Context, db queryer, posts []string) (map[string]PostHolidays, error) {
	const qClosures = `SELECT post, date, name, note FROM post_closures
		WHERE $1::text[] IS NULL OR post = ANY($1) ORDER BY post, date`
	const qExclusions = `SELECT post, date, note FROM post_exclusions
		WHERE $1::text[] IS NULL OR post = ANY($1) ORDER BY post, date`
	out := map[string]PostHolidays{}
	var (
		post string
		date pgtype.Date
		c    Closure
		e    Exclusion
	)
	rows, _ := db.Query(ctx, qClosures, posts)
	if _, err := pgx.ForEachRow(rows, []any{&post, &date, &c.Name, &c.Note}, func() error {
		p := out[post]
		c.Date = holidayDateOf(date)
		p.Closures = append(p.Closures, c)
		out[post] = p
		return nil
	}); err != nil {
		return nil, fmt.Errorf("reading post closures: %w", err)
	}
	rows, _ = db.Query(ctx, qExclusions, posts)
	if _, err := pgx.ForEachRow(rows, []any{&post, &date, &e.Note}, func() error {
		p := out[post]
		e.Date = holidayDateOf(date)
		p.Exclusions = append(p.Exclusions, e)
		out[post] = p
		return nil
	}); err != nil {
		return nil, fmt.Errorf("reading post exclusions: %w", err)
	}
	return out, nil
}

// PutPostClosure creates post's closure on c.Date, or replaces the one on
// that date (one closure per date: re-sending is idempotent). It reports
// whether the closure was created and whether anything changed; an unknown
// post is ENotFound.
func (s *Store) PutPostClosure(ctx context.Context, post string, c Closure) (created, changed bool, err error) {
	var v domain.Validator
	ValidateClosure(&v, "", c)
	if err := v.Err("the closure is not valid"); err != nil {
		return false, false, err
	}
	const q = `INSERT INTO post_closures (post, date, name, note) VALUES ($1, $2, $3, $4)
		ON CONFLICT (post, date) DO UPDATE SET name = EXCLUDED.name, note = EXCLUDED.note, updated_at = now()
		WHERE (post_closures.name, post_closures.note) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.note)
		RETURNING xmax = 0`
	return s.put(ctx, domain.T("closure"), post, q, post, holidayDateArg(c.Date), c.Name, c.Note)
}

// PutPostExclusion records that post works through the base holidays on
// e.Date (idempotent, like PutPostClosure).
func (s *Store) PutPostExclusion(ctx context.Context, post string, e Exclusion) (created, changed bool, err error) {
	var v domain.Validator
	ValidateExclusion(&v, e)
	if err := v.Err("the exclusion is not valid"); err != nil {
		return false, false, err
	}
	const q = `INSERT INTO post_exclusions (post, date, note) VALUES ($1, $2, $3)
		ON CONFLICT (post, date) DO UPDATE SET note = EXCLUDED.note, updated_at = now()
		WHERE post_exclusions.note IS DISTINCT FROM EXCLUDED.note
		RETURNING xmax = 0`
	return s.put(ctx, domain.T("exclusion"), post, q, post, holidayDateArg(e.Date), e.Note)
}

// PutCalendarClosure declares a one-off closure on base calendar code (for
// every post using it), or replaces the one on that date.
func (s *Store) PutCalendarClosure(ctx context.Context, code string, c Closure) (created, changed bool, err error) {
	var v domain.Validator
	ValidateClosure(&v, "", c)
	if err := v.Err("the closure is not valid"); err != nil {
		return false, false, err
	}
	const q = `INSERT INTO calendar_closures (calendar, date, name, note) VALUES ($1, $2, $3, $4)
		ON CONFLICT (calendar, date) DO UPDATE SET name = EXCLUDED.name, note = EXCLUDED.note, updated_at = now()
		WHERE (calendar_closures.name, calendar_closures.note) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.note)
		RETURNING xmax = 0`
	return s.put(ctx, domain.T("calendar closure"), "", q, code, holidayDateArg(c.Date), c.Name, c.Note)
}

// put runs an upsert that returns "inserted" (xmax = 0 on a fresh row) and
// no row when the stored values were already equal.
func (s *Store) put(ctx context.Context, what domain.Text, post, q string, args ...any) (created, changed bool, err error) {
	err = s.pool.QueryRow(ctx, q, args...).Scan(&created)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, false, nil
	case isFK(err) && post != "":
		return false, false, domain.Errorf(domain.ENotFound, "post %s not found", quote(post))
	case err != nil:
		return false, false, translateHoliday(err, what)
	}
	return created, true, nil
}

// DeletePostClosure deletes post's closure on d.
func (s *Store) DeletePostClosure(ctx context.Context, post string, d domain.Date) error {
	const q = `DELETE FROM post_closures WHERE post = $1 AND date = $2`
	return s.deleteOne(ctx, domain.Errorf(domain.ENotFound, "post %s has no closure on %s", quote(post), d), q, post, holidayDateArg(d))
}

// DeletePostExclusion deletes post's exclusion on d.
func (s *Store) DeletePostExclusion(ctx context.Context, post string, d domain.Date) error {
	const q = `DELETE FROM post_exclusions WHERE post = $1 AND date = $2`
	return s.deleteOne(ctx, domain.Errorf(domain.ENotFound, "post %s has no exclusion on %s", quote(post), d), q, post, holidayDateArg(d))
}

// DeleteCalendarClosure deletes the closure declared on calendar code on d.
func (s *Store) DeleteCalendarClosure(ctx context.Context, code string, d domain.Date) error {
	const q = `DELETE FROM calendar_closures WHERE calendar = $1 AND date = $2`
	return s.deleteOne(ctx, domain.Errorf(domain.ENotFound, "calendar %s has no closure on %s", code, d), q, code, holidayDateArg(d))
}

// DeleteCalendarYear deletes the uploaded list of calendar code for year,
// so that the computed list applies again.
func (s *Store) DeleteCalendarYear(ctx context.Context, code string, year int) error {
	const q = `DELETE FROM calendar_uploads WHERE calendar = $1 AND year = $2`
	return s.deleteOne(ctx, domain.Errorf(domain.ENotFound, "calendar %s has no uploaded list for %d", code, year), q, code, year)
}

func (s *Store) deleteOne(ctx context.Context, notFound *domain.Error, q string, args ...any) error {
	tag, err := s.pool.Exec(ctx, q, args...)
	if err != nil {
		return translate(err, "delete")
	}
	if tag.RowsAffected() == 0 {
		return notFound
	}
	return nil
}

// ListCalendarClosures returns the closures declared on calendar code, in
// date order.
func (s *Store) ListCalendarClosures(ctx context.Context, code string) ([]Closure, error) {
	const q = `SELECT date, name, note FROM calendar_closures WHERE calendar = $1 ORDER BY date`
	rows, _ := s.pool.Query(ctx, q, code)
	out := []Closure{}
	var date pgtype.Date
	var c Closure
	_, err := pgx.ForEachRow(rows, []any{&date, &c.Name, &c.Note}, func() error {
		c.Date = holidayDateOf(date)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, translate(err, "calendar closures")
	}
	return out, nil
}

// holidayDateArg and holidayDateOf convert local dates to and from
// PostgreSQL's date, with no zone involved.
func holidayDateArg(d domain.Date) pgtype.Date {
	return pgtype.Date{Time: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), Valid: true}
}

func holidayDateOf(pd pgtype.Date) domain.Date {
	y, m, d := pd.Time.Date()
	return domain.Date{Year: y, Month: m, Day: d}
}

// translateHoliday turns a check violation the validation did not catch
// into an invalid-field error naming the rule.
func translateHoliday(err error, what domain.Text) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23514" {
		return &domain.Error{Code: domain.EInvalid, Message: "the %s is not valid", Args: []any{what},
			Fields: []domain.FieldError{domain.FieldErrorf("body", "a value is not accepted (%s)", pgErr.ConstraintName)}}
	}
	return translate(err, "%s", what)
}

// sortedHolidays returns hs sorted by date then name, without exact repeats.
func sortedHolidays(hs []calendars.Holiday) []calendars.Holiday {
	out := slices.Clone(hs)
	slices.SortFunc(out, func(a, b calendars.Holiday) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return slices.Compact(out)
}

// ValidateYearList records in v every holiday of an uploaded list that is
// not in year or whose name is blank, too long or not text. Field errors
// name the date, since a valid row's line is not known after parsing.
func ValidateYearList(v *domain.Validator, year int, hs []calendars.Holiday) {
	if year < MinHolidayYear || year > MaxHolidayYear {
		v.Add("year", "%d is outside the years %d–%d", year, MinHolidayYear, MaxHolidayYear)
		return
	}
	for _, h := range hs {
		if h.Date.Year != year {
			v.Add("date", "%s (%s) is not in %d: a list for %d holds only that year's dates", h.Date, quote(h.Name), year, year)
		}
		CheckText(v, "name", h.Name, true, 200)
	}
}

// YearUpload is what an upload of a year's list did: how many holidays the
// list holds (exact repeats counted once) and whether anything changed.
type YearUpload struct {
	Count   int  `json:"count"`
	Changed bool `json:"changed"`
}

// ReplaceCalendarYear makes hs the list of base calendar code for year,
// replacing its computed list (or an earlier upload), in one transaction.
// Uploading the list already stored changes nothing (no write, no change
// notification) and reports Changed false.
func (s *Store) ReplaceCalendarYear(ctx context.Context, code string, year int, hs []calendars.Holiday) (YearUpload, error) {
	var v domain.Validator
	ValidateYearList(&v, year, hs)
	if err := v.Err("the holiday list is not valid"); err != nil {
		return YearUpload{}, err
	}
	hs = sortedHolidays(hs)
	changed := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		const qLock = `SELECT pg_advisory_xact_lock(hashtext('franja.calendar_upload'), hashtext($1 || ':' || $2::integer))`
		if _, err := tx.Exec(ctx, qLock, code, year); err != nil {
			return fmt.Errorf("locking the calendar year: %w", err)
		}
		old, exists, err := uploadedList(ctx, tx, code, year)
		if err != nil || (exists && slices.Equal(old, hs)) {
			return err
		}
		changed = true
		return writeUpload(ctx, tx, code, year, hs)
	})
	return YearUpload{Count: len(hs), Changed: changed}, err
}

// uploadedList reads the uploaded list of code for year, sorted as
// sortedHolidays sorts (in Go: the database's collation may order names
// differently).
func uploadedList(ctx context.Context, tx pgx.Tx, code string, year int) ([]calendars.Holiday, bool, error) {
	var exists bool
	const qExists = `SELECT EXISTS (SELECT 1 FROM calendar_uploads WHERE calendar = $1 AND year = $2)`
	if err := tx.QueryRow(ctx, qExists, code, year).Scan(&exists); err != nil {
		return nil, false, fmt.Errorf("reading calendar upload: %w", err)
	}
	const q = `SELECT date, name FROM calendar_upload_holidays WHERE calendar = $1 AND year = $2`
	rows, _ := tx.Query(ctx, q, code, year)
	var out []calendars.Holiday
	var date pgtype.Date
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&date, &name}, func() error {
		out = append(out, calendars.Holiday{Date: holidayDateOf(date), Name: name})
		return nil
	}); err != nil {
		return nil, false, fmt.Errorf("reading calendar upload: %w", err)
	}
	return sortedHolidays(out), exists, nil
}

func writeUpload(ctx context.Context, tx pgx.Tx, code string, year int, hs []calendars.Holiday) error {
	const qUpload = `INSERT INTO calendar_uploads (calendar, year) VALUES ($1, $2)
		ON CONFLICT (calendar, year) DO UPDATE SET uploaded_at = now()`
	const qDelete = `DELETE FROM calendar_upload_holidays WHERE calendar = $1 AND year = $2`
	const qInsert = `INSERT INTO calendar_upload_holidays (calendar, year, date, name)
		SELECT $1, $2, d, n FROM unnest($3::date[], $4::text[]) AS u(d, n)`
	dates, names := holidayColumns(hs)
	for _, st := range []struct {
		q    string
		args []any
	}{{qUpload, []any{code, year}}, {qDelete, []any{code, year}}, {qInsert, []any{code, year, dates, names}}} {
		if _, err := tx.Exec(ctx, st.q, st.args...); err != nil {
			return translateHoliday(err, domain.T("holiday list"))
		}
	}
	return nil
}

func holidayColumns(hs []calendars.Holiday) ([]pgtype.Date, []string) {
	dates := make([]pgtype.Date, len(hs))
	names := make([]string, len(hs))
	for i, h := range hs {
		dates[i], names[i] = holidayDateArg(h.Date), h.Name
	}
	return dates, names
}

// ReplacePostClosures makes hs post's closures in year (one per date),
// deleting its other closures in that year, in one transaction. A closure
// whose date and name stay keeps its note. Uploading what is stored
// changes nothing and reports Changed false; an unknown post is ENotFound.
func (s *Store) ReplacePostClosures(ctx context.Context, post string, year int, hs []calendars.Holiday) (YearUpload, error) {
	var v domain.Validator
	ValidateYearList(&v, year, hs)
	hs = sortedHolidays(hs)
	for i := 1; i < len(hs); i++ {
		if hs[i].Date == hs[i-1].Date {
			v.Add("date", "%s is listed twice (%s, %s): a post has one closure per date", hs[i].Date, quote(hs[i-1].Name), quote(hs[i].Name))
		}
	}
	if err := v.Err("the closure list is not valid"); err != nil {
		return YearUpload{}, err
	}
	changed := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		const qLock = `SELECT code FROM posts WHERE code = $1 FOR UPDATE`
		if err := tx.QueryRow(ctx, qLock, post).Scan(&post); err != nil {
			return translate(err, "post %s", quote(post))
		}
		all, err := postLayers(ctx, tx, []string{post})
		if err != nil {
			return err
		}
		var old []calendars.Holiday
		for _, c := range all[post].Closures {
			if c.Date.Year == year {
				old = append(old, calendars.Holiday{Date: c.Date, Name: c.Name})
			}
		}
		if slices.Equal(sortedHolidays(old), hs) {
			return nil
		}
		changed = true
		return writePostClosures(ctx, tx, post, year, hs)
	})
	return YearUpload{Count: len(hs), Changed: changed}, err
}

func writePostClosures(ctx context.Context, tx pgx.Tx, post string, year int, hs []calendars.Holiday) error {
	const qDelete = `DELETE FROM post_closures WHERE post = $1
		AND date >= make_date($2, 1, 1) AND date < make_date($2 + 1, 1, 1) AND NOT (date = ANY($3::date[]))`
	// A date whose name changes loses its note: the note was about the
	// old closure.
	const qUpsert = `INSERT INTO post_closures (post, date, name)
		SELECT $1, d, n FROM unnest($2::date[], $3::text[]) AS u(d, n)
		ON CONFLICT (post, date) DO UPDATE SET name = EXCLUDED.name, note = '', updated_at = now()
		WHERE post_closures.name IS DISTINCT FROM EXCLUDED.name`
	dates, names := holidayColumns(hs)
	if _, err := tx.Exec(ctx, qDelete, post, year, dates); err != nil {
		return translateHoliday(err, domain.T("closure list"))
	}
	if _, err := tx.Exec(ctx, qUpsert, post, dates, names); err != nil {
		return translateHoliday(err, domain.T("closure list"))
	}
	return nil
}
