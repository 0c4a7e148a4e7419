package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/domain"
	"franja/postgres"
)

// leaveJSON is a leave as hr and admin see it, kind included. Instants are
// also given in the person's zone (local_starts_at, local_ends_at).
type leaveJSON struct {
	ID            int64            `json:"id"`
	Person        string           `json:"person"`
	Kind          domain.LeaveKind `json:"kind"`
	ExternalRef   *string          `json:"external_ref"`
	StartDate     *domain.Date     `json:"start_date"`
	EndDate       *domain.Date     `json:"end_date"`
	StartsAt      *time.Time       `json:"starts_at"`
	EndsAt        *time.Time       `json:"ends_at"`
	LocalStartsAt *time.Time       `json:"local_starts_at"`
	LocalEndsAt   *time.Time       `json:"local_ends_at"`
	Delegate      *string          `json:"delegate"`
	TimeZone      *string          `json:"time_zone"`
	UpdatedAt     time.Time        `json:"updated_at"`
}

func leaveOut(l domain.Leave, loc *time.Location) leaveJSON {
	out := leaveJSON{ID: l.ID, Person: l.Person, Kind: l.Kind, ExternalRef: nullString(l.ExternalRef),
		StartDate: l.StartDate, EndDate: l.EndDate, StartsAt: asUTC(l.StartsAt), EndsAt: asUTC(l.EndsAt),
		LocalStartsAt: inZone(l.StartsAt, loc), LocalEndsAt: inZone(l.EndsAt, loc),
		Delegate: nullString(l.Delegate), TimeZone: nullString(l.TimeZone), UpdatedAt: l.UpdatedAt}
	return out
}

func asUTC(t *time.Time) *time.Time { return inZone(t, time.UTC) }

func inZone(t *time.Time, loc *time.Location) *time.Time {
	if t == nil {
		return nil
	}
	v := t.In(loc)
	return &v
}

// leaveIn is the body of POST /v1/people/{external_id}/leaves: either whole
// days (start_date and end_date, inclusive, in the person's zone) or part of
// a day (starts_at and ends_at, instants with offset).
type leaveIn struct {
	Kind        string  `json:"kind"`
	ExternalRef *string `json:"external_ref"`
	StartDate   *string `json:"start_date"`
	EndDate     *string `json:"end_date"`
	StartsAt    *string `json:"starts_at"`
	EndsAt      *string `json:"ends_at"`
	Delegate    *string `json:"delegate"`
	TimeZone    *string `json:"time_zone"`
}

func (in leaveIn) leave(person string) (domain.Leave, error) {
	var v domain.Validator
	l := domain.Leave{Person: person, Kind: domain.LeaveKind(in.Kind)}
	setFrom(&l.ExternalRef, in.ExternalRef)
	setFrom(&l.Delegate, in.Delegate)
	setFrom(&l.TimeZone, in.TimeZone)
	l.StartDate = dateIn(&v, "start_date", in.StartDate)
	l.EndDate = dateIn(&v, "end_date", in.EndDate)
	l.StartsAt = instantIn(&v, "starts_at", in.StartsAt)
	l.EndsAt = instantIn(&v, "ends_at", in.EndsAt)
	parsed := len(v.Fields)
	postgres.ValidateLeave(&v, l)
	if parsed > 0 {
		// A date or instant that did not parse is nil, and would be
		// reported a second time as missing: keep the first report only.
		rest := slices.DeleteFunc(v.Fields[parsed:], func(f domain.FieldError) bool { return spanFields[f.Field] })
		v.Fields = append(v.Fields[:parsed], rest...)
	}
	return l, invalidFields(&v, domain.T("leave"))
}

var spanFields = map[string]bool{"start_date": true, "end_date": true, "starts_at": true, "ends_at": true}

// instantIn parses an RFC 3339 instant with offset sent as field.
func instantIn(v *domain.Validator, field string, s *string) *time.Time {
	if s == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		v.Add(field, "%q is not an instant: write it in RFC 3339 with an offset, e.g. 2026-12-01T14:00:00-05:00", clip(*s, 40))
		return nil
	}
	return &t
}

func (s *Server) createLeave(w http.ResponseWriter, r *http.Request) error {
	l, created, loc, err := s.putLeave(r)
	if err != nil {
		return err
	}
	status := http.StatusOK // re-sent external_ref: updated (or unchanged)
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", fmt.Sprintf("/v1/people/%s/leaves/%d", l.Person, l.ID))
	w.Header().Set("ETag", etag(l.Version))
	writeJSON(w, status, leaveOut(l, loc))
	return nil
}

func (s *Server) putLeave(r *http.Request) (domain.Leave, bool, *time.Location, error) {
	id, err := personID(r)
	if err != nil {
		return domain.Leave{}, false, nil, err
	}
	var in leaveIn
	if err := decodeJSON(r, &in); err != nil {
		return domain.Leave{}, false, nil, err
	}
	l, err := in.leave(id)
	if err != nil {
		return domain.Leave{}, false, nil, err
	}
	// The zone is read before the write: read after the commit, a failure
	// would turn a committed write into an error. A person missing now is
	// reported by CreateLeave.
	loc, zerr := s.personLoc(r, id)
	l, created, err := s.store.CreateLeave(r.Context(), l)
	if err != nil {
		return domain.Leave{}, false, nil, err
	}
	if zerr != nil { // created meanwhile: rare enough to read again
		loc, err = s.personLoc(r, id)
	}
	return l, created, loc, err
}

// personLoc loads the person's effective zone.
func (s *Server) personLoc(r *http.Request, id string) (*time.Location, error) {
	zone, err := s.store.PersonZone(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if loc, ok := domain.LoadZone(zone); ok {
		return loc, nil
	}
	return time.UTC, nil
}

// leaveID returns the {id} path parameter, or not_found when it cannot be one.
func leaveID(r *http.Request) (string, int64, error) {
	person, err := personID(r)
	if err != nil {
		return "", 0, err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return "", 0, domain.Errorf(domain.ENotFound, "leave %q not found: leave ids are positive numbers", clip(chi.URLParam(r, "id"), 40))
	}
	return person, id, nil
}

func (s *Server) getLeave(w http.ResponseWriter, r *http.Request) error {
	person, id, err := leaveID(r)
	var l domain.Leave
	if err == nil {
		l, err = s.store.FindLeave(r.Context(), person, id)
	}
	var loc *time.Location
	if err == nil {
		loc, err = s.personLoc(r, person)
	}
	if err != nil {
		return err
	}
	s.recordAccess(r, principalOf(r.Context()), "leave_kind", person)
	w.Header().Set("ETag", etag(l.Version))
	writeJSON(w, http.StatusOK, leaveOut(l, loc))
	return nil
}

// listLeaves shows a person's leave, kinds included: hr's own work, and
// still personal (some of it health) data, so the access is logged.
func (s *Server) listLeaves(w http.ResponseWriter, r *http.Request) error {
	out, err := s.leavesPage(r)
	if err != nil {
		return err
	}
	if len(out.Items) > 0 {
		s.recordAccess(r, principalOf(r.Context()), "leave_kind", chi.URLParam(r, "external_id"))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) leavesPage(r *http.Request) (listOf[leaveJSON], error) {
	var out listOf[leaveJSON]
	person, err := personID(r)
	if err != nil {
		return out, err
	}
	pages := newPager(cursorLeaves, person)
	after, limit, err := pages.params(r, func(k string) bool {
		n, err := strconv.ParseInt(k, 10, 64)
		return err == nil && n > 0
	})
	if err != nil {
		return out, err
	}
	afterID, _ := strconv.ParseInt(after, 10, 64)
	leaves, next, err := s.store.ListLeaves(r.Context(), person, afterID, limit)
	if err != nil {
		return out, err
	}
	loc, err := s.personLoc(r, person)
	if err != nil {
		return out, err
	}
	out.Items = make([]leaveJSON, len(leaves))
	for i, l := range leaves {
		out.Items[i] = leaveOut(l, loc)
	}
	if next != 0 {
		out.NextCursor = pages.cursor(strconv.FormatInt(next, 10))
	}
	return out, nil
}

func (s *Server) deleteLeave(w http.ResponseWriter, r *http.Request) error {
	person, id, err := leaveID(r)
	if err != nil {
		return err
	}
	current := func() (int64, error) {
		l, err := s.store.FindLeave(r.Context(), person, id)
		return l.Version, err
	}
	return deleteIfMatch(w, r, current, func(v int64) error { return s.store.DeleteLeave(r.Context(), person, id, v) })
}
