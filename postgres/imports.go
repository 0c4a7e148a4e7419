package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"franja/domain"
)

// Bulk import, set-based: every import runs in one transaction that COPYs
// the rows into a temporary staging table (ON COMMIT DROP), finds every bad
// row with a handful of set-based queries (unknown references, keys repeated
// in the file, supervisor cycles, zones PostgreSQL does not know), and only
// when there are none writes them set-based: INSERT … ON CONFLICT (key) DO
// UPDATE … WHERE (columns) IS DISTINCT FROM (new columns), counting created
// and updated rows with RETURNING (xmax = 0); leave, the big table, splits
// that into changed rows and a plain INSERT of new ones (see leavesInsert).
// Nothing in SQL loops over rows one at a time.
//
// Rows arrive already parsed: the caller (the HTTP layer) checks each field
// in Go and marks the rows it could not parse Invalid. Invalid rows are
// staged anyway, with the fields that did parse, so that the database checks
// still report their other problems, and so that a reference to an invalid
// row's key does not also show up as "unknown". When any row is Invalid or
// fails a check nothing is written.

// ImportResult counts what an import did or, in a dry run, would do. When
// Errors is not empty nothing was written and the counts are zero.
type ImportResult struct {
	DryRun    bool                `json:"dry_run"`
	Created   int                 `json:"created"`
	Updated   int                 `json:"updated"`
	Unchanged int                 `json:"unchanged"`
	Errors    []domain.FieldError `json:"errors"`
	// ErrorsOmitted counts the problems found beyond Errors, which lists
	// at most MaxImportErrors.
	ErrorsOmitted int `json:"-"`
}

// MaxImportErrors is the most problems an import lists; the rest are
// counted (ImportResult.ErrorsOmitted), so that a file of a million bad rows
// costs what its first hundred do to answer.
const MaxImportErrors = 100

// PostRow is one row of a posts import. Every version in Post.Schedules is
// created or replaced (keyed by its From date); versions not listed are left
// as they are.
type PostRow struct {
	Line    int
	Invalid bool
	Post    domain.Post
	// Keep names the optional columns (city, calendars) the row does not
	// give: an existing post keeps its stored values there.
	Keep []string
}

// PersonRow is one row of a people import. Every version in
// Person.Schedules is created or replaced; versions not listed are left
// alone. Empty TimeZone and Supervisor store NULL, unless the column is in
// Keep.
type PersonRow struct {
	Line    int
	Invalid bool
	Person  domain.Person
	// Keep names the optional columns (time_zone, supervisor, exception)
	// the row does not give: an existing person keeps their stored values.
	Keep []string
}

// LeaveRow is one row of a leave import, keyed by Leave.ExternalRef (which
// an import requires). Leave.ID is ignored.
type LeaveRow struct {
	Line    int
	Invalid bool
	Leave   domain.Leave
}

// importJob is one import: how to stage its rows, check them and upsert
// them.
type importJob struct {
	what      string                     // "posts": names its lock
	noun      domain.Text                // "posts": for error messages
	ddl       []string                   // CREATE TEMP TABLE …, run before the COPY
	table     string                     // the staging table
	columns   []string                   // its columns, in the order of rows' values
	rows      int                        // how many rows
	row       func(i int) ([]any, error) // row i's values, made as COPY sends them
	schedules [][]any                    // for import_schedules (line, owner, effective_from, windows), if any
	fill      []string                   // statements completing the staged rows from stored ones, before the checks
	checks    []rowCheck
	upserts   []string // each returns (created, updated) counts
	after     []string // statements run after the upsert (schedules)
	invalid   bool     // some row failed parsing: check, never write
}

// scheduleDDL stages the schedule versions that posts or people carry.
const scheduleDDL = `CREATE TEMP TABLE import_schedules (
    line int NOT NULL, owner text NOT NULL, effective_from date NOT NULL, windows jsonb NOT NULL
) ON COMMIT DROP`

// runImport executes job in one transaction, and once more if another
// transaction inserted one of the file's keys meanwhile (see leavesInsert):
// the second attempt sees that row and updates it.
func (s *Store) runImport(ctx context.Context, job importJob, dryRun bool) (ImportResult, error) {
	var res ImportResult
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if res, err = s.importOnce(ctx, job, dryRun); !retryable(err) {
			break
		}
	}
	switch {
	case retryable(err):
		// Contended three times over by other writers: nothing was written,
		// and the client may send the same file again.
		return ImportResult{DryRun: dryRun, Errors: []domain.FieldError{}},
			domain.Errorf(domain.EConflict, "other changes to the same %s kept getting in the way; nothing was written: send the file again", job.noun)
	case err != nil:
		return ImportResult{DryRun: dryRun, Errors: []domain.FieldError{}}, translate(err, "%s", job.noun)
	}
	return res, nil
}

// retryable reports errors a new attempt of the whole import can clear: a
// key inserted meanwhile by another transaction, a deadlock or a
// serialization failure with a concurrent writer.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "23505", "40P01", "40001":
		return true
	}
	return false
}

// importOnce stages, checks and upserts job in one transaction, then
// commits (or rolls back, for a dry run or when any row is bad). Database
// errors are returned untranslated.
func (s *Store) importOnce(ctx context.Context, job importJob, dryRun bool) (ImportResult, error) {
	res := ImportResult{DryRun: dryRun, Errors: []domain.FieldError{}}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	// One import of a kind at a time: two files touching the same rows in
	// different orders would otherwise deadlock each other.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('franja.import.' || $1))`, job.what); err != nil {
		return res, err
	}
	if err := importStage(ctx, tx, job); err != nil {
		return res, fmt.Errorf("staging: %w", err)
	}
	for _, q := range job.fill {
		if _, err := tx.Exec(ctx, q); err != nil {
			return res, fmt.Errorf("completing rows: %w", err)
		}
	}
	if res.Errors, res.ErrorsOmitted, err = importCheck(ctx, tx, job.checks); err != nil {
		return res, fmt.Errorf("checking: %w", err)
	}
	if len(res.Errors) > 0 || res.ErrorsOmitted > 0 || job.invalid {
		return res, nil
	}
	for _, q := range job.upserts {
		var created, updated int
		if err := tx.QueryRow(ctx, q).Scan(&created, &updated); err != nil {
			return res, err
		}
		res.Created, res.Updated = res.Created+created, res.Updated+updated
	}
	for _, q := range job.after {
		if _, err := tx.Exec(ctx, q); err != nil {
			return res, err
		}
	}
	res.Unchanged = job.rows - res.Created - res.Updated
	if dryRun {
		return res, nil // rolled back by the deferred Rollback
	}
	// Deferred constraints (supervisor references, cycles) run here.
	if err := tx.Commit(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// importStage creates the staging tables and COPYs the rows in.
func importStage(ctx context.Context, tx pgx.Tx, job importJob) error {
	// More memory for the hash joins and aggregates of the checks; LOCAL
	// ends with the transaction.
	ddl := append([]string{`SET LOCAL work_mem = '64MB'`}, job.ddl...)
	for _, q := range ddl {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{job.table}, job.columns, pgx.CopyFromSlice(job.rows, job.row)); err != nil {
		return err
	}
	// No ANALYZE: it cost ~50 ms of a 200,000-row import, and the plans
	// (hash joins and anti-joins) come out the same from the table's size.
	var after []string
	if job.schedules != nil {
		cols := []string{"line", "owner", "effective_from", "windows"}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_schedules"}, cols, pgx.CopyFromRows(job.schedules)); err != nil {
			return err
		}
		after = append(after, `CREATE INDEX ON import_schedules (owner)`)
	}
	for _, q := range after {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// importCheck runs every check and returns the first MaxImportErrors bad
// rows they found, in line order, and how many more there are. Each query
// returns at most MaxImportErrors rows and counts the rest, so a file of
// a million unknown references answers as fast as one of a hundred.
func importCheck(ctx context.Context, tx pgx.Tx, checks []rowCheck) ([]domain.FieldError, int, error) {
	errs, omitted := []domain.FieldError{}, 0
	for _, c := range checks {
		found, total, err := c.find(ctx, tx)
		if err != nil {
			return nil, 0, err
		}
		errs, omitted = append(errs, found...), omitted+total-len(found)
	}
	SortFieldErrors(errs)
	if len(errs) > MaxImportErrors {
		errs, omitted = errs[:MaxImportErrors], omitted+len(errs)-MaxImportErrors
	}
	return errs, omitted, nil
}

// find runs one check: its first MaxImportErrors bad rows and how many
// there are in all.
func (c rowCheck) find(ctx context.Context, tx pgx.Tx) ([]domain.FieldError, int, error) {
	if c.run != nil {
		found, err := c.run(ctx, tx, c.format)
		if len(found) > MaxImportErrors {
			return found[:MaxImportErrors], len(found), err
		}
		return found, len(found), err
	}
	rows, err := tx.Query(ctx, `SELECT line, field, args, count(*) OVER () FROM (
`+c.query+`
) c(line, field, args)
ORDER BY line, field LIMIT `+strconv.Itoa(MaxImportErrors))
	if err != nil {
		return nil, 0, err
	}
	total := 0
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.FieldError, error) {
		fe := domain.FieldError{Message: c.format}
		var args []string
		err := r.Scan(&fe.Line, &fe.Field, &args, &total)
		for _, a := range args {
			fe.Args = append(fe.Args, a)
		}
		return fe, err
	})
	return found, total, err
}

// SortFieldErrors orders import errors by line, then field.
func SortFieldErrors(errs []domain.FieldError) {
	slices.SortStableFunc(errs, func(a, b domain.FieldError) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		switch {
		case a.Field < b.Field:
			return -1
		case a.Field > b.Field:
			return 1
		}
		return 0
	})
}

// importScheduleRows turns the schedule versions of one owner into staging rows.
func importScheduleRows(out [][]any, line int, owner string, versions []domain.ScheduleVersion) ([][]any, error) {
	for _, v := range versions {
		windows, err := json.Marshal(v.Schedule)
		if err != nil {
			return nil, err
		}
		out = append(out, []any{int32(line), owner, importDate(v.From), json.RawMessage(windows)})
	}
	return out, nil
}

// importDate encodes a schedule's From; the zero Date means "since always",
// stored as -infinity.
func importDate(d domain.Date) pgtype.Date {
	if d.IsZero() {
		return pgtype.Date{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	}
	return pgtype.Date{Time: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), Valid: true}
}

// importNullDate encodes an optional local date.
func importNullDate(d *domain.Date) any {
	if d == nil {
		return nil
	}
	return importDate(*d)
}

// importNullTime encodes an optional instant.
func importNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// importNullText encodes "" as NULL.
func importNullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// anyInvalidRow reports whether any row failed parsing.
func anyInvalidRow[T any](rows []T, invalid func(T) bool) bool {
	return slices.ContainsFunc(rows, invalid)
}

// rowCheck is a query returning (line, field, args text[]) for every bad
// row, and the message format its args fill; or, when run is set, a check
// done in Go over what it reads.
type rowCheck struct {
	query, format string
	run           func(ctx context.Context, tx pgx.Tx, format string) ([]domain.FieldError, error)
}

// importZoneCheck returns a check reporting rows whose time_zone PostgreSQL does
// not know (Go's zone database may be newer than the server's). The
// function valid_time_zone runs once per distinct zone, not once per row.
func importZoneCheck(table string) rowCheck {
	return rowCheck{query: `WITH bad AS (
    SELECT z FROM (SELECT DISTINCT time_zone AS z FROM ` + table + ` WHERE time_zone IS NOT NULL) d
    WHERE NOT valid_time_zone(z)
)
SELECT s.line, 'time_zone', ARRAY[s.time_zone]
FROM ` + table + ` s JOIN bad ON bad.z = s.time_zone`,
		format: `the database does not know the time zone "%s"; use another IANA name`}
}

// importDuplicateCheck returns a check reporting every row whose key already
// appeared on an earlier line of the same file.
func importDuplicateCheck(table, key string) rowCheck {
	return rowCheck{format: `"%s" appears also on line %s; each %s may appear once per file`, query: `SELECT s.line, '` + key + `', ARRAY[s.` + key + `, d.first::text, '` + key + `']
FROM ` + table + ` s
JOIN (SELECT ` + key + `, min(line) AS first FROM ` + table + ` WHERE ` + key + ` IS NOT NULL
      GROUP BY ` + key + ` HAVING count(*) > 1) d USING (` + key + `)
WHERE s.line > d.first`}
}

// ImportPosts creates or updates posts by code, with their schedules, in one
// transaction. dryRun does everything but commit.
func (s *Store) ImportPosts(ctx context.Context, rows []PostRow, dryRun bool) (ImportResult, error) {
	job := importJob{
		what: "posts", noun: domain.T("posts"),
		ddl:     []string{postsDDL, scheduleDDL},
		table:   "import_posts",
		columns: []string{"line", "code", "name", "kind", "country", "city", "time_zone", "calendars", "holiday_picks", "holidays_beyond_data", "keep"},
		rows:    len(rows),
		fill:    []string{postsKeep},
		checks:  []rowCheck{importDuplicateCheck("import_posts", "code"), importZoneCheck("import_posts")},
		upserts: []string{postsUpsert},
		after:   []string{postSchedulesUpsert},
		invalid: anyInvalidRow(rows, func(r PostRow) bool { return r.Invalid }),
	}
	job.row = func(i int) ([]any, error) {
		r, p := rows[i], rows[i].Post
		picks, err := importPicks(p.HolidayPicks)
		beyond := p.HolidaysBeyondData
		if beyond == "" {
			beyond = domain.BeyondDataFlag
		}
		return []any{int32(r.Line), importNullText(p.Code), importNullText(p.Name), importNullText(string(p.Kind)),
			importNullText(p.Country), p.City, importNullText(p.TimeZone), importCalendars(p.Calendars), picks, string(beyond), importKeep(r.Keep)}, err
	}
	job.schedules = [][]any{}
	for _, r := range rows {
		var err error
		if r.Post.Code != "" {
			if job.schedules, err = importScheduleRows(job.schedules, r.Line, r.Post.Code, r.Post.Schedules); err != nil {
				return ImportResult{}, err
			}
		}
	}
	return s.runImport(ctx, job, dryRun)
}

// importKeep stages a row's kept columns (never NULL, so cardinality works).
func importKeep(keep []string) []string {
	if keep == nil {
		return []string{}
	}
	return keep
}

func importCalendars(c []string) []string {
	if c == nil {
		return []string{}
	}
	return c
}

// importPicks stages a row's picked days as the JSON the posts table holds.
func importPicks(picks []domain.HolidayPick) (string, error) {
	if picks == nil {
		picks = []domain.HolidayPick{}
	}
	b, err := json.Marshal(picks)
	return string(b), err
}

const postsDDL = `CREATE TEMP TABLE import_posts (
    line int NOT NULL, code text, name text, kind text, country text, city text, time_zone text, calendars text[],
    holiday_picks jsonb, holidays_beyond_data text, keep text[]
) ON COMMIT DROP`

// postsKeep fills the columns a row does not give from the stored post.
const postsKeep = `UPDATE import_posts s SET
    city = CASE WHEN 'city' = ANY (s.keep) THEN p.city ELSE s.city END,
    calendars = CASE WHEN 'calendars' = ANY (s.keep) THEN p.calendars ELSE s.calendars END,
    holiday_picks = CASE WHEN 'holiday_picks' = ANY (s.keep) THEN p.holiday_picks ELSE s.holiday_picks END,
    holidays_beyond_data = CASE WHEN 'holidays_beyond_data' = ANY (s.keep) THEN p.holidays_beyond_data ELSE s.holidays_beyond_data END
FROM posts p WHERE p.code = s.code AND cardinality(s.keep) > 0`

// postsUpsert writes every staged post. A post counts as updated (version
// and updated_at bumped) only when a column or one of its listed schedule
// versions differs from what is stored.
const postsUpsert = `WITH up AS (
    INSERT INTO posts AS p (code, name, kind, country, city, time_zone, calendars, holiday_picks, holidays_beyond_data)
    SELECT code, name, kind, country, city, time_zone, calendars, holiday_picks, holidays_beyond_data FROM import_posts
    ON CONFLICT (code) DO UPDATE SET
        name = excluded.name, kind = excluded.kind, country = excluded.country, city = excluded.city,
        time_zone = excluded.time_zone, calendars = excluded.calendars, holiday_picks = excluded.holiday_picks,
        holidays_beyond_data = excluded.holidays_beyond_data,
        version = p.version + 1, updated_at = now()
    WHERE (p.name, p.kind, p.country, p.city, p.time_zone, p.calendars, p.holiday_picks, p.holidays_beyond_data)
              IS DISTINCT FROM (excluded.name, excluded.kind, excluded.country, excluded.city, excluded.time_zone, excluded.calendars,
                                excluded.holiday_picks, excluded.holidays_beyond_data)
       OR EXISTS (SELECT 1 FROM import_schedules i WHERE i.owner = excluded.code AND NOT EXISTS (
              SELECT 1 FROM schedules x WHERE x.post = i.owner AND x.effective_from = i.effective_from AND x.windows = i.windows))
    RETURNING (xmax = 0) AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up`

const postSchedulesUpsert = `INSERT INTO schedules AS x (post, effective_from, windows)
SELECT owner, effective_from, windows FROM import_schedules
ON CONFLICT (post, effective_from) WHERE post IS NOT NULL
DO UPDATE SET windows = excluded.windows, created_at = now() WHERE x.windows IS DISTINCT FROM excluded.windows`

// ImportPeople creates or updates people by external_id, with their
// schedule overrides, in one transaction. A supervisor may be anyone already
// stored or anyone in the same file, before or after; cycles are refused.
func (s *Store) ImportPeople(ctx context.Context, rows []PersonRow, dryRun bool) (ImportResult, error) {
	job := importJob{
		what: "people", noun: domain.T("people"),
		ddl:     []string{peopleDDL, scheduleDDL},
		table:   "import_people",
		columns: []string{"line", "external_id", "full_name", "email", "post", "time_zone", "supervisor", "exception", "keep"},
		rows:    len(rows),
		fill:    []string{peopleKeep},
		checks: []rowCheck{importDuplicateCheck("import_people", "external_id"), importZoneCheck("import_people"),
			peoplePostCheck, peopleSupervisorCheck, peopleCycleCheck},
		upserts: []string{peopleUpsert},
		after:   []string{personSchedulesUpsert},
		invalid: anyInvalidRow(rows, func(r PersonRow) bool { return r.Invalid }),
	}
	job.schedules = [][]any{}
	job.row = func(i int) ([]any, error) {
		r, p := rows[i], rows[i].Person
		return []any{int32(r.Line), importNullText(p.ExternalID), importNullText(p.FullName), importNullText(p.Email),
			importNullText(p.Post), importNullText(p.TimeZone), importNullText(p.Supervisor), importNullText(string(p.Exception)), importKeep(r.Keep)}, nil
	}
	for _, r := range rows {
		p := r.Person
		var err error
		if p.ExternalID != "" {
			if job.schedules, err = importScheduleRows(job.schedules, r.Line, p.ExternalID, p.Schedules); err != nil {
				return ImportResult{}, err
			}
		}
	}
	return s.runImport(ctx, job, dryRun)
}

const peopleDDL = `CREATE TEMP TABLE import_people (
    line int NOT NULL, external_id text, full_name text, email text, post text, time_zone text, supervisor text, exception text, keep text[]
) ON COMMIT DROP`

// peopleKeep fills the columns a row does not give from the stored person,
// before the checks, so that they (cycles above all) see the people as they
// will be.
const peopleKeep = `UPDATE import_people s SET
    time_zone = CASE WHEN 'time_zone' = ANY (s.keep) THEN p.time_zone ELSE s.time_zone END,
    supervisor = CASE WHEN 'supervisor' = ANY (s.keep) THEN p.supervisor ELSE s.supervisor END,
    exception = CASE WHEN 'exception' = ANY (s.keep) THEN p.exception ELSE s.exception END
FROM people p WHERE p.external_id = s.external_id AND cardinality(s.keep) > 0`

var peoplePostCheck = rowCheck{format: `no post has the code "%s"`, query: `SELECT s.line, 'post', ARRAY[s.post]
FROM import_people s WHERE s.post IS NOT NULL AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.code = s.post)`}

// peopleSupervisorCheck accepts a supervisor stored already or named
// anywhere in the file (even on a row with other errors).
var peopleSupervisorCheck = rowCheck{format: `no person has the external_id "%s", neither stored nor in this file`, query: `SELECT s.line, 'supervisor', ARRAY[s.supervisor]
FROM import_people s
WHERE s.supervisor IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM people p WHERE p.external_id = s.supervisor)
  AND NOT EXISTS (SELECT 1 FROM import_people o WHERE o.external_id = s.supervisor)`}

// peopleCycleCheck reports each staged person whose supervisor chain, in
// the graph as it would be after the import (staged rows replace stored
// ones), comes back to them. It runs in Go, linear in the people: every
// person has at most one supervisor, so one walk per unvisited person,
// marking what it passes, finds every cycle once (a recursive query over
// every (start, current) pair was quadratic in a long chain: 4,000 people
// each reporting to the previous one took ~20 s and ~1 GB of database
// memory). It holds the lock the cycle trigger takes until commit, so no
// other transaction can close a cycle meanwhile, and tells the trigger
// (franja.cycles_checked) that this transaction's rows are checked.
var peopleCycleCheck = rowCheck{format: `"%s" reports, through "%s", back to themself: supervisors may not form a cycle`, run: peopleCycles}

const peopleGraph = `SELECT s.line, s.external_id, s.supervisor FROM import_people s
WHERE s.external_id IS NOT NULL AND s.supervisor IS NOT NULL
UNION ALL
SELECT 0, p.external_id, p.supervisor FROM people p
WHERE p.supervisor IS NOT NULL AND NOT EXISTS (SELECT 1 FROM import_people s WHERE s.external_id = p.external_id)`

func peopleCycles(ctx context.Context, tx pgx.Tx, format string) ([]domain.FieldError, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('franja.people_supervisor_cycle'))`); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `SET LOCAL franja.cycles_checked = 'on'`); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, peopleGraph)
	if err != nil {
		return nil, err
	}
	type edge struct {
		line int
		id   string
		sup  string
	}
	edges, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (edge, error) {
		var e edge
		return e, r.Scan(&e.line, &e.id, &e.sup)
	})
	if err != nil {
		return nil, err
	}
	up := make(map[string]string, len(edges))
	for _, e := range edges {
		if _, dup := up[e.id]; !dup { // a repeated row is reported as a duplicate
			up[e.id] = e.sup
		}
	}
	onCycle := cycleMembers(up)
	var out []domain.FieldError
	for _, e := range edges {
		if e.line > 0 && onCycle[e.id] {
			out = append(out, domain.FieldError{Line: e.line, Field: "supervisor", Message: format, Args: []any{e.id, e.sup}})
		}
	}
	SortFieldErrors(out)
	return out, nil
}

// cycleMembers returns the ids on a cycle of the graph up (each id to its
// one supervisor), in time linear in its size: a walk stops at the first
// id it has seen, and an id seen on the same walk closes a cycle.
func cycleMembers(up map[string]string) map[string]bool {
	const (
		walking = 1
		done    = 2
	)
	state := make(map[string]uint8, len(up))
	on := map[string]bool{}
	var path []string
	for start := range up {
		path = path[:0]
		id, cycle := start, false
		for {
			if st := state[id]; st != 0 {
				cycle = st == walking // the walk came back to id: a cycle from there
				break
			}
			state[id] = walking
			path = append(path, id)
			next, ok := up[id]
			if !ok {
				break
			}
			id = next
		}
		if cycle {
			for i := len(path) - 1; i >= 0; i-- {
				on[path[i]] = true
				if path[i] == id {
					break
				}
			}
		}
		for _, p := range path {
			state[p] = done
		}
	}
	return on
}

const peopleUpsert = `WITH up AS (
    INSERT INTO people AS p (external_id, full_name, email, post, time_zone, supervisor, exception)
    SELECT external_id, full_name, email, post, time_zone, supervisor, coalesce(exception, 'none') FROM import_people
    ON CONFLICT (external_id) DO UPDATE SET
        full_name = excluded.full_name, email = excluded.email, post = excluded.post,
        time_zone = excluded.time_zone, supervisor = excluded.supervisor, exception = excluded.exception,
        version = p.version + 1, updated_at = now()
    WHERE (p.full_name, p.email, p.post, p.time_zone, p.supervisor, p.exception)
              IS DISTINCT FROM (excluded.full_name, excluded.email, excluded.post, excluded.time_zone, excluded.supervisor, excluded.exception)
       OR EXISTS (SELECT 1 FROM import_schedules i WHERE i.owner = excluded.external_id AND NOT EXISTS (
              SELECT 1 FROM schedules x WHERE x.person = i.owner AND x.effective_from = i.effective_from AND x.windows = i.windows))
    RETURNING (xmax = 0) AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up`

const personSchedulesUpsert = `INSERT INTO schedules AS x (person, effective_from, windows)
SELECT owner, effective_from, windows FROM import_schedules
ON CONFLICT (person, effective_from) WHERE person IS NOT NULL
DO UPDATE SET windows = excluded.windows, created_at = now() WHERE x.windows IS DISTINCT FROM excluded.windows`

// ImportLeaves creates or updates leave by external_ref in one transaction.
// The person and the delegate must be stored already.
func (s *Store) ImportLeaves(ctx context.Context, rows []LeaveRow, dryRun bool) (ImportResult, error) {
	job := importJob{
		what: "leaves", noun: domain.T("leaves"),
		ddl:   []string{leavesDDL},
		table: "import_leaves",
		columns: []string{"line", "person", "kind", "external_ref", "start_date", "end_date",
			"starts_at", "ends_at", "delegate", "time_zone"},
		rows: len(rows),
		checks: []rowCheck{importDuplicateCheck("import_leaves", "external_ref"), importZoneCheck("import_leaves"),
			leavesPersonCheck("person"), leavesPersonCheck("delegate"), leavesOwnerCheck},
		upserts: []string{leavesUpdate, leavesInsert},
		invalid: anyInvalidRow(rows, func(r LeaveRow) bool { return r.Invalid }),
	}
	job.row = func(i int) ([]any, error) {
		r, l := rows[i], rows[i].Leave
		return []any{int32(r.Line), importNullText(l.Person), importNullText(string(l.Kind)), importNullText(l.ExternalRef),
			importNullDate(l.StartDate), importNullDate(l.EndDate), importNullTime(l.StartsAt), importNullTime(l.EndsAt),
			importNullText(l.Delegate), importNullText(l.TimeZone)}, nil
	}
	return s.runImport(ctx, job, dryRun)
}

const leavesDDL = `CREATE TEMP TABLE import_leaves (
    line int NOT NULL, person text, kind text, external_ref text, start_date date, end_date date,
    starts_at timestamptz, ends_at timestamptz, delegate text, time_zone text
) ON COMMIT DROP`

// leavesOwnerCheck refuses to move a leave to another person: an
// external_ref names one person's leave, as the single-record API holds. A
// typo in the person column would otherwise take the leave off its owner.
var leavesOwnerCheck = rowCheck{format: `"%s" is the leave of "%s", not of "%s": a leave cannot move to another person; delete it and import a new one`,
	query: `SELECT s.line, 'external_ref', ARRAY[s.external_ref, l.person, s.person]
FROM import_leaves s JOIN leaves l ON l.external_ref = s.external_ref
WHERE s.person IS NOT NULL AND l.person <> s.person
  AND EXISTS (SELECT 1 FROM people p WHERE p.external_id = s.person) -- else the person check says it`}

// leavesPersonCheck reports rows whose column (person or delegate) names
// nobody stored.
func leavesPersonCheck(col string) rowCheck {
	return rowCheck{format: `no person has the external_id "%s"`, query: `SELECT s.line, '` + col + `', ARRAY[s.` + col + `]
FROM import_leaves s WHERE s.` + col + ` IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM people p WHERE p.external_id = s.` + col + `)`}
}

// leavesUpdate writes the staged leave whose external_ref is stored
// already and whose columns differ: version and updated_at move only for
// them. Why the EXISTS when ON CONFLICT … WHERE skips unchanged rows anyway:
// ON CONFLICT DO UPDATE locks every conflicting row even when its WHERE is
// false, which dirties every page; filtering first made re-sending an
// unchanged 200,000-row file several times cheaper. A row deleted meanwhile
// is inserted again (and counted created).
const leavesUpdate = `WITH up AS (
    INSERT INTO leaves AS l (person, kind, external_ref, start_date, end_date, starts_at, ends_at, delegate, time_zone)
    SELECT person, kind, external_ref, start_date, end_date, starts_at, ends_at, delegate, time_zone FROM import_leaves s
    WHERE EXISTS (SELECT 1 FROM leaves o WHERE o.external_ref = s.external_ref
        AND (o.person, o.kind, o.start_date, o.end_date, o.starts_at, o.ends_at, o.delegate, o.time_zone)
            IS DISTINCT FROM (s.person, s.kind, s.start_date, s.end_date, s.starts_at, s.ends_at, s.delegate, s.time_zone))
    ON CONFLICT (external_ref) DO UPDATE SET
        person = excluded.person, kind = excluded.kind, start_date = excluded.start_date, end_date = excluded.end_date,
        starts_at = excluded.starts_at, ends_at = excluded.ends_at, delegate = excluded.delegate,
        time_zone = excluded.time_zone, version = l.version + 1, updated_at = now()
    WHERE (l.person, l.kind, l.start_date, l.end_date, l.starts_at, l.ends_at, l.delegate, l.time_zone)
              IS DISTINCT FROM (excluded.person, excluded.kind, excluded.start_date, excluded.end_date,
                                excluded.starts_at, excluded.ends_at, excluded.delegate, excluded.time_zone)
    RETURNING (xmax = 0) AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up`

// leavesInsert inserts the staged leave whose external_ref is not stored.
// A plain INSERT, not ON CONFLICT: speculative insertion cost ~0.35 s of
// 200,000 new rows. If another transaction inserts one of these keys
// meanwhile, the unique violation aborts this attempt and runImport tries
// once more, when leavesUpdate sees the row.
const leavesInsert = `WITH ins AS (
    INSERT INTO leaves (person, kind, external_ref, start_date, end_date, starts_at, ends_at, delegate, time_zone)
    SELECT person, kind, external_ref, start_date, end_date, starts_at, ends_at, delegate, time_zone FROM import_leaves s
    WHERE NOT EXISTS (SELECT 1 FROM leaves o WHERE o.external_ref = s.external_ref)
    RETURNING 1
)
SELECT count(*), 0 FROM ins`
