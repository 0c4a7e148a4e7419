package api

// Row checks of the bulk import (imports.go): every field of every row is
// checked here, in Go, before the store sees the rows; each problem is
// recorded with its line, and a field that fails is left empty.

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"franja/calendars"
	"franja/domain"
	"franja/postgres"
)

// batchOf is the importBatch of one kind: build checks a raw row into the
// store's row T, invalid marks a T whose row had problems, and store writes
// the rows.
type batchOf[T any] struct {
	k       *importKind
	build   func(*rawRow, *importKind, func(string) bool) T
	invalid func(*T, int)
	store   func(*postgres.Store, context.Context, []T, bool) (postgres.ImportResult, error)
	ids     func(string) bool // domain.ValidExternalID, memoized for this import
	rows    []T
	dropped bool
}

func (b *batchOf[T]) add(row *rawRow) {
	var out T
	// A row whose shape is wrong (ragged, not an object) is not read
	// field by field: its cells are in no known place.
	if !row.broken {
		out = b.build(row, b.k, b.ids)
	}
	if len(row.errs) > 0 {
		b.invalid(&out, row.line)
	}
	if !b.dropped {
		b.rows = append(b.rows, out)
	}
}

func (b *batchOf[T]) drop() { b.rows, b.dropped = nil, true }

func (b *batchOf[T]) apply(ctx context.Context, st *postgres.Store, dryRun bool) (postgres.ImportResult, error) {
	return b.store(st, ctx, b.rows, dryRun)
}

func postsBatch(k *importKind) importBatch {
	return &batchOf[postgres.PostRow]{k: k, build: postRow, ids: memo(domain.ValidExternalID), store: (*postgres.Store).ImportPosts,
		invalid: func(r *postgres.PostRow, line int) { r.Invalid, r.Line = true, line }}
}

func peopleBatch(k *importKind) importBatch {
	return &batchOf[postgres.PersonRow]{k: k, build: personRow, ids: memo(domain.ValidExternalID), store: (*postgres.Store).ImportPeople,
		invalid: func(r *postgres.PersonRow, line int) { r.Invalid, r.Line = true, line }}
}

func leavesBatch(k *importKind) importBatch {
	return &batchOf[postgres.LeaveRow]{k: k, build: leaveRow, ids: memo(domain.ValidExternalID), store: (*postgres.Store).ImportLeaves,
		invalid: func(r *postgres.LeaveRow, line int) { r.Invalid, r.Line = true, line }}
}

func turnsBatch(k *importKind) importBatch {
	return &batchOf[postgres.TurnRow]{k: k, build: turnRow, ids: memo(domain.ValidExternalID), store: (*postgres.Store).ImportTurns,
		invalid: func(r *postgres.TurnRow, line int) { r.Invalid, r.Line = true, line }}
}

// postRow checks one posts row. A field that fails is left empty, so that
// the database checks do not report it a second time.
func postRow(row *rawRow, k *importKind, ids func(string) bool) postgres.PostRow {
	c := fieldCheck{row, k, ids}
	p := domain.Post{
		Code:     c.match("code", domain.ValidCode, "%q is not a post code: use 1 to 32 upper-case letters, digits, '-' or '_'"),
		Name:     c.text("name", 200),
		Kind:     domain.PostKind(c.enum("kind", domain.T("post kind"), postKindNames)),
		Country:  c.match("country", domain.ValidCountry, "%q is not an ISO 3166-1 alpha-2 country code (two upper-case letters, e.g. CO)"),
		City:     c.text("city", 200),
		TimeZone: c.zone("time_zone"),
	}
	p.Calendars = c.calendars("calendars")
	p.HolidayPicks = c.picks("holiday_picks", p.Calendars)
	p.HolidaysBeyondData = domain.BeyondData(c.enum("holidays_beyond_data", domain.T("choice for holidays_beyond_data"), beyondDataNames))
	p.Schedules = rowSchedule(row, k)
	return postgres.PostRow{Line: row.line, Post: p, Keep: notGiven(row, k, "city", "calendars", "holiday_picks", "holidays_beyond_data")}
}

// notGiven lists the optional fields among names that row does not give at
// all: the store keeps their stored values instead of clearing them, so a
// file that leaves out a column changes nothing in it.
func notGiven(row *rawRow, k *importKind, names ...string) []string {
	var out []string
	for _, n := range names {
		if !row.given[k.index[n]] {
			out = append(out, n)
		}
	}
	return out
}

// personRow checks one people row.
func personRow(row *rawRow, k *importKind, ids func(string) bool) postgres.PersonRow {
	c := fieldCheck{row, k, ids}
	p := domain.Person{
		ExternalID: c.match("external_id", c.id, "%q is not an external_id: use 1 to 64 letters, digits, '.', '_' or '-'"),
		FullName:   c.text("full_name", 200),
		Email:      c.match("email", validEmail, "%q is not an email address"),
		Post:       c.match("post", domain.ValidCode, "%q is not a post code"),
		TimeZone:   c.zone("time_zone"),
		Supervisor: c.match("supervisor", c.id, "%q is not an external_id"),
		Exception:  domain.Exception(c.enum("exception", domain.T("exception category"), exceptionNames)),
	}
	if p.Exception == "" {
		p.Exception = domain.ExceptionNone
	}
	if p.Supervisor != "" && p.Supervisor == p.ExternalID {
		row.fail("supervisor", "a person cannot be their own supervisor")
		p.Supervisor = ""
	}
	p.Schedules = rowSchedule(row, k)
	return postgres.PersonRow{Line: row.line, Person: p, Keep: notGiven(row, k, "time_zone", "supervisor", "exception")}
}

// leaveRow checks one leaves row: all-day dates or instants, never both.
func leaveRow(row *rawRow, k *importKind, ids func(string) bool) postgres.LeaveRow {
	c := fieldCheck{row, k, ids}
	l := domain.Leave{
		Person:      c.match("person", c.id, "%q is not an external_id"),
		Kind:        domain.LeaveKind(c.enum("kind", domain.T("leave kind"), leaveKindNames)),
		ExternalRef: c.match("external_ref", validRef, "%q is not an external_ref: use 1 to 128 letters, digits, '.', '_', ':', '/' or '-'"),
		Delegate:    c.match("delegate", c.id, "%q is not an external_id"),
		TimeZone:    c.zone("time_zone"),
	}
	if l.Delegate != "" && l.Delegate == l.Person {
		row.fail("delegate", "a person cannot be their own delegate")
	}
	if l.TimeZone != "" && l.Kind != "" && l.Kind != domain.LeaveServiceCommission {
		row.fail("time_zone", "only a service_commission has a time_zone (where it is carried out)")
	}
	c.span(&l)
	return postgres.LeaveRow{Line: row.line, Leave: l}
}

// turnRow checks one on-call turns row.
func turnRow(row *rawRow, k *importKind, ids func(string) bool) postgres.TurnRow {
	c := fieldCheck{row, k, ids}
	t := domain.OnCallTurn{
		Post:        c.match("post", domain.ValidCode, "is not a post code"),
		Person:      c.match("person", c.id, "is not an external_id"),
		Backup:      c.match("backup", c.id, "is not an external_id"),
		ExternalRef: c.match("external_ref", validRef, "is not an external_ref: use 1 to 128 letters, digits, '.', '_', ':', '/' or '-'"),
	}
	if t.Backup != "" && t.Backup == t.Person {
		row.fail("backup", "the backup must be someone other than the person on call")
	}
	for _, f := range [2]struct {
		name string
		dst  *time.Time
	}{{"starts_at", &t.StartsAt}, {"ends_at", &t.EndsAt}} {
		if v := c.get(f.name); v != "" {
			if p := c.instant(f.name, v); p != nil {
				*f.dst = *p
			}
		}
	}
	switch {
	case t.StartsAt.IsZero() || t.EndsAt.IsZero():
	case !t.EndsAt.After(t.StartsAt):
		row.fail("ends_at", "must be after starts_at (ends_at is exclusive)")
	case t.EndsAt.Sub(t.StartsAt) > domain.MaxOnCallTurn:
		row.fail("ends_at", "a turn lasts at most 31 days; split a longer rota into turns")
	}
	return postgres.TurnRow{Line: row.line, Turn: t}
}

// fieldCheck checks the fields of one row, recording every problem.
type fieldCheck struct {
	row *rawRow
	k   *importKind
	id  func(string) bool // domain.ValidExternalID, memoized per import
}

// get returns the field's text, recording a problem when a required field
// is empty.
func (c fieldCheck) get(name string) string {
	v := c.row.val(c.k, name)
	if v == "" && slices.Contains(c.k.required, name) {
		c.row.fail(name, "is required")
	}
	return v
}

func (c fieldCheck) text(name string, max int) string {
	v := c.get(name)
	if n := utf8.RuneCountInString(v); n > max {
		c.row.fail(name, "is %d characters long; at most %d", n, max)
		return ""
	}
	return v
}

// match checks the field with ok; format says what is wrong with %q, the
// value, when it is not.
func (c fieldCheck) match(name string, ok func(string) bool, format string) string {
	v := c.get(name)
	if v != "" && !ok(v) {
		c.row.fail(name, format, v)
		return ""
	}
	return v
}

func (c fieldCheck) enum(name string, what domain.Text, all []string) string {
	v := c.get(name)
	if v != "" && !slices.Contains(all, v) {
		c.row.fail(name, "%q is not a valid %s; use one of %s", v, what, strings.Join(all, ", "))
		return ""
	}
	return v
}

func (c fieldCheck) zone(name string) string {
	v := c.get(name)
	if _, ok := domain.LoadZone(v); v != "" && !ok {
		c.row.fail(name, "%q is not an IANA time zone name, e.g. America/Bogota or Asia/Tokyo", v)
		return ""
	}
	return v
}

// calendars splits "JP|CO" (or "JP,CO") and checks each code.
func (c fieldCheck) calendars(name string) []string {
	out := []string{}
	for _, code := range strings.FieldsFunc(c.get(name), func(r rune) bool { return r == '|' || r == ',' }) {
		code = strings.TrimSpace(code)
		info, ok := calendars.Lookup(code)
		switch {
		case !ok:
			c.row.fail(name, "%q is not a base calendar code (see GET /v1/calendars)", code)
		case slices.Contains(out, info.Code):
			c.row.fail(name, "%q is listed twice", info.Code)
		default:
			out = append(out, info.Code)
		}
	}
	return out
}

// picks reads a post's picked days from one cell, "CO:Independencia|CO:Batalla
// de Boyacá" (the calendar, a colon, and the holiday's name or a date it
// falls on, such as CO:2026-07-20), and checks them against the calendars
// the post takes whole.
func (c fieldCheck) picks(name string, whole []string) []domain.HolidayPick {
	var in []pickIn
	for _, part := range strings.Split(c.get(name), "|") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		code, what, ok := strings.Cut(part, ":")
		if !ok {
			c.row.fail(name, "%q: write each day as CALENDAR:holiday, e.g. CO:Independencia or CO:2026-07-20", part)
			continue
		}
		p := pickIn{Calendar: strings.TrimSpace(code)}
		if _, err := domain.ParseDate(strings.TrimSpace(what)); err == nil {
			p.Date = strings.TrimSpace(what)
		} else {
			p.Holiday = strings.TrimSpace(what)
		}
		in = append(in, p)
	}
	var v domain.Validator
	out := picksIn(&v, name, in)
	postgres.CheckPicks(&v, out, whole)
	for _, f := range v.Fields {
		c.row.fail(name, "%s", f.Text())
	}
	if len(v.Fields) > 0 {
		return []domain.HolidayPick{}
	}
	return out
}

// pickCell writes picks in the one-cell form picks reads.
func pickCell(picks []pickIn) string {
	parts := make([]string, len(picks))
	for i, p := range picks {
		what := p.Holiday
		if p.Date != "" {
			what = p.Date
		}
		parts[i] = p.Calendar + ":" + what
	}
	return strings.Join(parts, "|")
}

// span reads a leave's dates or instants into l.
func (c fieldCheck) span(l *domain.Leave) {
	sd, ed, sa, ea := c.get("start_date"), c.get("end_date"), c.get("starts_at"), c.get("ends_at")
	switch {
	case (sd != "" || ed != "") && (sa != "" || ea != ""):
		c.row.fail("start_date", "give either start_date and end_date (all-day leave) or starts_at and ends_at (part of a day), not both")
	case sd != "" || ed != "":
		l.StartDate, l.EndDate = c.date("start_date", sd), c.date("end_date", ed)
		if l.StartDate != nil && l.EndDate != nil && l.EndDate.Before(*l.StartDate) {
			c.row.fail("end_date", "%s is before start_date %s (end_date is inclusive)", l.EndDate, l.StartDate)
		}
	case sa != "" || ea != "":
		l.StartsAt, l.EndsAt = c.instant("starts_at", sa), c.instant("ends_at", ea)
		if l.StartsAt != nil && l.EndsAt != nil && !l.EndsAt.After(*l.StartsAt) {
			c.row.fail("ends_at", "must be after starts_at (ends_at is exclusive)")
		}
	default:
		c.row.fail("start_date", "give start_date and end_date (all-day leave) or starts_at and ends_at (part of a day)")
	}
}

func (c fieldCheck) date(name, v string) *domain.Date {
	if v == "" {
		c.row.fail(name, "is required with the other date")
		return nil
	}
	d, err := domain.ParseDate(v)
	switch {
	case err != nil:
		c.row.fail(name, "%s", err)
		return nil
	case d.Year < 1901 || d.Year > 2199:
		c.row.fail(name, "%s is out of range: years 1901 to 2199", d)
		return nil
	}
	return &d
}

func (c fieldCheck) instant(name, v string) *time.Time {
	if v == "" {
		c.row.fail(name, "is required with the other instant")
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	switch {
	case err != nil:
		c.row.fail(name, "%q is not an RFC 3339 instant with offset, e.g. 2026-03-02T14:00:00-05:00", v)
		return nil
	case t.UTC().Year() < 1901 || t.UTC().Year() > 2199:
		c.row.fail(name, "%s is out of range: years 1901 to 2199", v)
		return nil
	}
	return &t
}

// validRef mirrors the database's rule for external_ref,
// ^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$, which also allows ':' and '/' (HR
// numbers such as "LV/2026:0001"). Written out because it runs once per row
// of files of 200,000 rows, where a regexp showed in profiles.
func validRef(s string) bool {
	if len(s) == 0 || len(s) > 128 || !alnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !alnum(c) && !strings.ContainsRune("._:/-", rune(c)) {
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// memo remembers a validator's answers within one import: the same few
// thousand people are named on 200,000 leave rows.
func memo(valid func(string) bool) func(string) bool {
	seen := map[string]bool{}
	return func(s string) bool {
		ok, found := seen[s]
		if !found {
			ok = valid(s)
			if len(seen) < 1<<16 { // bounded: a file of distinct names gains nothing
				seen[s] = ok
			}
		}
		return ok
	}
}

// validEmail checks an address's shape: one '@', something on each side, a
// dot in the domain, no spaces, at most 254 bytes.
func validEmail(s string) bool {
	local, host, ok := strings.Cut(s, "@")
	return ok && local != "" && host != "" && len(s) <= 254 && strings.Contains(host, ".") &&
		!strings.Contains(host, "@") && !strings.ContainsFunc(s, unicode.IsSpace)
}

// The valid values of each enumeration, for messages and checks.
var (
	postKindNames   = names(domain.PostKinds)
	leaveKindNames  = names(domain.LeaveKinds)
	exceptionNames  = names(domain.Exceptions)
	beyondDataNames = names(domain.BeyondDataChoices)
)

func names[T ~string](all []T) []string {
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = string(v)
	}
	return out
}
