package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"franja/domain"
)

// turnColumns are the columns scanTurn reads, in order.
const turnColumns = `id, post, person, COALESCE(backup, ''), starts_at, ends_at, COALESCE(external_ref, ''), version, updated_at`

// CreateTurn stores an on-call turn at t.Post. When t.ExternalRef names a
// turn already stored it is updated instead (re-sending the rota never
// duplicates it); created says which happened. The post must exist (not
// found otherwise: it is in the path), and the person and the backup too;
// a turn that overlaps another of the same post is a conflict naming it.
func (s *Store) CreateTurn(ctx context.Context, t domain.OnCallTurn) (domain.OnCallTurn, bool, error) {
	var v domain.Validator
	ValidateTurn(&v, t)
	if err := v.Err("the on-call turn is not valid"); err != nil {
		return domain.OnCallTurn{}, false, err
	}
	const q = `INSERT INTO on_call_turns (post, person, backup, starts_at, ends_at, external_ref)
		VALUES ($1, $2, NULLIF($3, ''), $4, $5, NULLIF($6, ''))
		ON CONFLICT (external_ref) DO UPDATE SET person = EXCLUDED.person, backup = EXCLUDED.backup,
			starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, version = on_call_turns.version + 1, updated_at = now()
		WHERE on_call_turns.post = EXCLUDED.post
			AND (on_call_turns.person, on_call_turns.backup, on_call_turns.starts_at, on_call_turns.ends_at)
			IS DISTINCT FROM (EXCLUDED.person, EXCLUDED.backup, EXCLUDED.starts_at, EXCLUDED.ends_at)
		RETURNING ` + turnColumns + `, (xmax = 0)`
	var out domain.OnCallTurn
	var created bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkTurnRefs(ctx, tx, t); err != nil {
			return err
		}
		var err error
		out, err = scanTurn(tx.QueryRow(ctx, q, t.Post, t.Person, t.Backup, t.StartsAt, t.EndsAt, t.ExternalRef), &created)
		if errors.Is(err, pgx.ErrNoRows) {
			out, err = sameTurnRef(ctx, tx, t)
		}
		if err != nil {
			return translateTurn(err)
		}
		return nil
	})
	return out, created, err
}

// sameTurnRef returns the stored turn with t's external_ref when it is at
// t's post (it was re-sent unchanged), else a conflict.
func sameTurnRef(ctx context.Context, tx pgx.Tx, t domain.OnCallTurn) (domain.OnCallTurn, error) {
	got, err := scanTurn(tx.QueryRow(ctx, `SELECT `+turnColumns+` FROM on_call_turns WHERE external_ref = $1`, t.ExternalRef), nil)
	if err != nil {
		return domain.OnCallTurn{}, err
	}
	if got.Post != t.Post {
		return domain.OnCallTurn{}, &domain.Error{Code: domain.EConflict,
			Message: "external_ref %s already belongs to an on-call turn at %s; a rota's reference names one turn of one post", Args: []any{t.ExternalRef, got.Post},
			Fields: []domain.FieldError{{Field: "external_ref", Message: "already used for a turn at another post"}}}
	}
	return got, nil
}

// checkTurnRefs checks, inside the writing transaction, that the post
// exists (not found otherwise), that the person and the backup do, and that
// no other turn of the post overlaps (each an invalid field or a conflict
// that says what to change).
func checkTurnRefs(ctx context.Context, tx pgx.Tx, t domain.OnCallTurn) error {
	const qPost = `SELECT EXISTS (SELECT 1 FROM posts WHERE code = $1)`
	const qPerson = `SELECT EXISTS (SELECT 1 FROM people WHERE external_id = $1)`
	const qOverlap = `SELECT id, person, starts_at, ends_at FROM on_call_turns
		WHERE post = $1 AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)
		  AND ($4 = '' OR external_ref IS DISTINCT FROM $4)
		ORDER BY starts_at LIMIT 1`
	var ok bool
	if err := tx.QueryRow(ctx, qPost, t.Post).Scan(&ok); err != nil {
		return translate(err, "post")
	}
	if !ok {
		return domain.Errorf(domain.ENotFound, "post %s not found", quote(t.Post))
	}
	var v domain.Validator
	for _, f := range [2][2]string{{"person", t.Person}, {"backup", t.Backup}} {
		if f[1] == "" {
			continue
		}
		if err := tx.QueryRow(ctx, qPerson, f[1]).Scan(&ok); err != nil {
			return translate(err, "%s", f[0])
		}
		v.Check(ok, f[0], "no person has the external_id %s", quote(f[1]))
	}
	if err := v.Err("the on-call turn is not valid"); err != nil {
		return err
	}
	var other domain.OnCallTurn
	err := tx.QueryRow(ctx, qOverlap, t.Post, t.StartsAt, t.EndsAt, t.ExternalRef).Scan(&other.ID, &other.Person, &other.StartsAt, &other.EndsAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return translate(err, "on-call turns")
	}
	return overlapError(t.Post, other)
}

// overlapError is the conflict of a turn that overlaps other at post.
func overlapError(post string, other domain.OnCallTurn) error {
	return &domain.Error{Code: domain.EConflict,
		Message: "the turn overlaps turn %d of %s at %s (%s to %s): at any instant one turn keeps a post's line; move or delete that turn first",
		Args:    []any{other.ID, other.Person, post, other.StartsAt.UTC().Format(time.RFC3339), other.EndsAt.UTC().Format(time.RFC3339)},
		Fields:  []domain.FieldError{{Field: "starts_at", Message: "overlaps another turn of the post"}}}
}

// translateTurn translates a write error: the deferred overlap constraint
// (a turn written meanwhile) is a conflict.
func translateTurn(err error) error {
	if pgCode(err) == "23P01" {
		return domain.Errorf(domain.EConflict, "the turn overlaps another of the same post written meanwhile; read the post's turns again")
	}
	return translateWrite(err, "on-call turn")
}

// scanTurn scans a turn row; when created is not nil the row ends with the
// "was inserted" flag.
func scanTurn(row pgx.Row, created *bool) (domain.OnCallTurn, error) {
	var t domain.OnCallTurn
	dest := []any{&t.ID, &t.Post, &t.Person, &t.Backup, &t.StartsAt, &t.EndsAt, &t.ExternalRef, &t.Version, &t.UpdatedAt}
	if created != nil {
		dest = append(dest, created)
	}
	err := row.Scan(dest...)
	return t, err
}

// FindTurn returns the turn with id, provided it is post's.
func (s *Store) FindTurn(ctx context.Context, post string, id int64) (domain.OnCallTurn, error) {
	t, err := scanTurn(s.pool.QueryRow(ctx, `SELECT `+turnColumns+` FROM on_call_turns WHERE post = $1 AND id = $2`, post, id), nil)
	return t, translate(err, "on-call turn %d of %s", id, quote(post))
}

// ListTurns returns post's turns that overlap [from, to), by start. A post
// that does not exist is not_found.
func (s *Store) ListTurns(ctx context.Context, post string, from, to time.Time) ([]domain.OnCallTurn, error) {
	const qPost = `SELECT EXISTS (SELECT 1 FROM posts WHERE code = $1)`
	const q = `SELECT ` + turnColumns + ` FROM on_call_turns
		WHERE post = $1 AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at, id`
	var ok bool
	if err := s.pool.QueryRow(ctx, qPost, post).Scan(&ok); err != nil {
		return nil, translate(err, "post")
	}
	if !ok {
		return nil, domain.Errorf(domain.ENotFound, "post %s not found", quote(post))
	}
	rows, _ := s.pool.Query(ctx, q, post, from, to)
	turns, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.OnCallTurn, error) { return scanTurn(r, nil) })
	return turns, translate(err, "on-call turns")
}

// DeleteTurn deletes post's turn with id, provided its version is still
// ifVersion (AnyVersion: whatever it is).
func (s *Store) DeleteTurn(ctx context.Context, post string, id int64, ifVersion int64) error {
	const qLock = `SELECT version FROM on_call_turns WHERE post = $1 AND id = $2 FOR UPDATE`
	const q = `DELETE FROM on_call_turns WHERE post = $1 AND id = $2 AND version = $3`
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var version int64
		if err := tx.QueryRow(ctx, qLock, post, id).Scan(&version); err != nil {
			return translate(err, "on-call turn %d of %s", id, quote(post))
		}
		if ifVersion != AnyVersion && version != ifVersion {
			return staleError("on-call turn %d", id)
		}
		if _, err := tx.Exec(ctx, q, post, id, version); err != nil {
			return translate(err, "on-call turn")
		}
		return nil
	})
}

// ValidateTurn records every problem with t's own fields in v: person and
// backup (valid external_ids, not the same), the span (in order, at most 31
// days, in range) and external_ref. It reads nothing: that the people
// exist, and that no turn overlaps, is checked when writing.
func ValidateTurn(v *domain.Validator, t domain.OnCallTurn) {
	CheckExternalID(v, "person", t.Person, true)
	if t.Backup != "" {
		CheckExternalID(v, "backup", t.Backup, true)
		v.Check(t.Backup != t.Person, "backup", "the backup must be someone other than the person on call")
	}
	switch {
	case t.StartsAt.IsZero():
		v.Add("starts_at", "is required: the instant the turn starts, e.g. 2026-11-02T17:00:00-05:00")
	case t.EndsAt.IsZero():
		v.Add("ends_at", "is required: the instant the turn ends (exclusive)")
	case !t.EndsAt.After(t.StartsAt):
		v.Add("ends_at", "must be after starts_at")
	case t.EndsAt.Sub(t.StartsAt) > domain.MaxOnCallTurn:
		v.Add("ends_at", "a turn lasts at most 31 days; split a longer rota into turns")
	default:
		checkInstant(v, "starts_at", t.StartsAt)
		checkInstant(v, "ends_at", t.EndsAt)
	}
	if t.ExternalRef != "" && !externalRefRe.MatchString(t.ExternalRef) {
		v.Add("external_ref", "%s is not a valid reference: use 1 to 128 letters, digits, '.', '_', ':', '/' or '-', starting with a letter or digit", quote(t.ExternalRef))
	}
}

// TurnRow is one row of an on-call import, keyed by Turn.ExternalRef (which
// an import requires). Turn.ID is ignored.
type TurnRow struct {
	Line    int
	Invalid bool
	Turn    domain.OnCallTurn
}

// ImportTurns creates or updates on-call turns by external_ref in one
// transaction: the posts and people must be stored already, and no two
// turns of a post may overlap once the file is applied (in the file, or
// with a stored turn the file does not move).
func (s *Store) ImportTurns(ctx context.Context, rows []TurnRow, dryRun bool) (ImportResult, error) {
	job := importJob{
		what: "on-call turns", noun: domain.T("on-call turns"),
		ddl:     []string{turnsDDL},
		table:   "import_turns",
		columns: []string{"line", "post", "person", "backup", "starts_at", "ends_at", "external_ref"},
		rows:    len(rows),
		checks: []rowCheck{importDuplicateCheck("import_turns", "external_ref"), turnsPostCheck,
			turnsPersonCheck("person"), turnsPersonCheck("backup"), turnsOwnerCheck, turnsOverlapInFile, turnsOverlapStored},
		upserts: []string{turnsUpsert},
		invalid: anyInvalidRow(rows, func(r TurnRow) bool { return r.Invalid }),
	}
	job.row = func(i int) ([]any, error) {
		r, t := rows[i], rows[i].Turn
		return []any{int32(r.Line), importNullText(t.Post), importNullText(t.Person), importNullText(t.Backup),
			importNullTime(nonZero(t.StartsAt)), importNullTime(nonZero(t.EndsAt)), importNullText(t.ExternalRef)}, nil
	}
	return s.runImport(ctx, job, dryRun)
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

const turnsDDL = `CREATE TEMP TABLE import_turns (
    line int NOT NULL, post text, person text, backup text, starts_at timestamptz, ends_at timestamptz, external_ref text
) ON COMMIT DROP`

var turnsPostCheck = rowCheck{format: `no post has the code "%s"`, query: `SELECT s.line, 'post', ARRAY[s.post]
FROM import_turns s WHERE s.post IS NOT NULL AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.code = s.post)`}

// turnsPersonCheck reports rows whose column (person or backup) names
// nobody stored.
func turnsPersonCheck(col string) rowCheck {
	return rowCheck{format: `no person has the external_id "%s"`, query: `SELECT s.line, '` + col + `', ARRAY[s.` + col + `]
FROM import_turns s WHERE s.` + col + ` IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM people p WHERE p.external_id = s.` + col + `)`}
}

// turnsOwnerCheck refuses to move a turn to another post.
var turnsOwnerCheck = rowCheck{format: `"%s" is a turn at %s, not at %s: a turn cannot move to another post; delete it and import a new one`,
	query: `SELECT s.line, 'external_ref', ARRAY[s.external_ref, t.post, s.post]
FROM import_turns s JOIN on_call_turns t ON t.external_ref = s.external_ref
WHERE s.post IS NOT NULL AND t.post <> s.post`}

// turnsOverlapInFile reports each row that overlaps an earlier row of the
// same post in the file.
var turnsOverlapInFile = rowCheck{format: `overlaps line %s, another turn of %s: at any instant one turn keeps a post's line`,
	query: `SELECT b.line, 'starts_at', ARRAY[min(a.line)::text, b.post]
FROM import_turns a JOIN import_turns b ON a.post = b.post AND a.line < b.line
  AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
WHERE a.starts_at < a.ends_at AND b.starts_at < b.ends_at
GROUP BY b.line, b.post`}

// turnsOverlapStored reports each row that overlaps a stored turn of its
// post that the file does not rewrite.
var turnsOverlapStored = rowCheck{format: `overlaps turn %s (%s) of %s, stored and not in the file: move or delete it first`,
	query: `SELECT s.line, 'starts_at', ARRAY[min(t.id)::text, coalesce(min(t.external_ref), ''), s.post]
FROM import_turns s JOIN on_call_turns t ON t.post = s.post
  AND tstzrange(t.starts_at, t.ends_at) && tstzrange(s.starts_at, s.ends_at)
WHERE s.starts_at < s.ends_at
  AND NOT EXISTS (SELECT 1 FROM import_turns f WHERE f.external_ref = t.external_ref)
GROUP BY s.line, s.post`}

// turnsUpsert writes every staged turn; a turn counts as updated only when
// a column differs.
const turnsUpsert = `WITH up AS (
    INSERT INTO on_call_turns AS t (post, person, backup, starts_at, ends_at, external_ref)
    SELECT post, person, backup, starts_at, ends_at, external_ref FROM import_turns
    ON CONFLICT (external_ref) DO UPDATE SET
        person = excluded.person, backup = excluded.backup, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
        version = t.version + 1, updated_at = now()
    WHERE (t.person, t.backup, t.starts_at, t.ends_at) IS DISTINCT FROM (excluded.person, excluded.backup, excluded.starts_at, excluded.ends_at)
    RETURNING (xmax = 0) AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up`
