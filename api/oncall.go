package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/decide"
	"franja/domain"
	"franja/postgres"
	"franja/view"
)

// On-call turns (API.md, On-call turns): hr keeps each post's rota; a
// supervisor reads the turns of their line; every role but supervisors'
// unscoped ask may ask who is on call (GET /v1/posts/{code}/on-call), a
// supervisor only when that person is in their line.

// onCallRoutes mounts the rota: writes for hr, reads for hr and supervisors.
func (s *Server) onCallRoutes(r chi.Router) {
	r.With(allow(RoleHR)).Post("/posts/{code}/on-call-turns", s.createTurn)
	r.With(allow(RoleHR, RoleSupervisor)).Get("/posts/{code}/on-call-turns", s.listTurns)
	r.With(allow(RoleHR)).Delete("/posts/{code}/on-call-turns/{id}", handle(s.deleteTurn))
}

// Limits of a turn list.
const (
	defaultTurnRange = 92 * 24 * time.Hour
	maxTurnRange     = 366 * 24 * time.Hour
)

// turnJSON is an on-call turn; instants are also given in the post's zone.
type turnJSON struct {
	onCallTurnJSON
	Post        string    `json:"post"`
	ExternalRef *string   `json:"external_ref"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// onCallTurnJSON is what an on-call answer shows of its turn.
type onCallTurnJSON struct {
	ID            int64     `json:"id"`
	Person        string    `json:"person"`
	Backup        *string   `json:"backup"`
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
	LocalStartsAt time.Time `json:"local_starts_at"`
	LocalEndsAt   time.Time `json:"local_ends_at"`
}

func onCallTurnOut(id int64, person, backup string, start, end time.Time, loc *time.Location) onCallTurnJSON {
	return onCallTurnJSON{ID: id, Person: person, Backup: nullString(backup), StartsAt: start.UTC(), EndsAt: end.UTC(),
		LocalStartsAt: start.In(loc), LocalEndsAt: end.In(loc)}
}

func turnOut(t domain.OnCallTurn, loc *time.Location) turnJSON {
	return turnJSON{onCallTurnJSON: onCallTurnOut(t.ID, t.Person, t.Backup, t.StartsAt, t.EndsAt, loc),
		Post: t.Post, ExternalRef: nullString(t.ExternalRef), UpdatedAt: t.UpdatedAt}
}

// postLoc is the zone of post code as the view knows it (UTC when it does
// not: the post was just deleted).
func (s *Server) postLoc(code string) *time.Location {
	if snap, err := s.snapshot(); err == nil {
		if p := snap.Post(code); p != nil && p.Zone != nil {
			return p.Zone
		}
	}
	return time.UTC
}

// turnIn is the body of POST /v1/posts/{code}/on-call-turns.
type turnIn struct {
	Person      string  `json:"person"`
	Backup      *string `json:"backup"`
	StartsAt    *string `json:"starts_at"`
	EndsAt      *string `json:"ends_at"`
	ExternalRef *string `json:"external_ref"`
}

func (in turnIn) turn(post string) (domain.OnCallTurn, error) {
	var v domain.Validator
	t := domain.OnCallTurn{Post: post, Person: in.Person}
	setFrom(&t.Backup, in.Backup)
	setFrom(&t.ExternalRef, in.ExternalRef)
	if p := instantIn(&v, "starts_at", in.StartsAt); p != nil {
		t.StartsAt = *p
	}
	if p := instantIn(&v, "ends_at", in.EndsAt); p != nil {
		t.EndsAt = *p
	}
	if len(v.Fields) == 0 {
		postgres.ValidateTurn(&v, t)
	}
	return t, invalidFields(&v, domain.T("on-call turn"))
}

func (s *Server) createTurn(w http.ResponseWriter, r *http.Request) {
	t, created, err := s.putTurn(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/v1/posts/%s/on-call-turns/%d", t.Post, t.ID))
	w.Header().Set("ETag", etag(t.Version))
	writeJSON(w, createdStatus(created), turnOut(t, s.postLoc(t.Post)))
}

func (s *Server) putTurn(r *http.Request) (domain.OnCallTurn, bool, error) {
	code, err := postCode(r)
	if err != nil {
		return domain.OnCallTurn{}, false, err
	}
	var in turnIn
	if err := decodeJSON(r, &in); err != nil {
		return domain.OnCallTurn{}, false, err
	}
	t, err := in.turn(code)
	if err != nil {
		return domain.OnCallTurn{}, false, err
	}
	return s.store.CreateTurn(r.Context(), t)
}

// listTurns answers GET /v1/posts/{code}/on-call-turns: the post's turns
// that overlap [from, to) (default: the next 92 days), by start; for a
// supervisor, only those whose person or backup is in their line (or is
// them).
func (s *Server) listTurns(w http.ResponseWriter, r *http.Request) {
	out, err := s.turnsPage(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) turnsPage(r *http.Request) (map[string]any, error) {
	code, err := postCode(r)
	if err != nil {
		return nil, err
	}
	q := newQuery(r)
	from := q.instant("from", s.now())
	to := q.instant("to", from.Add(defaultTurnRange))
	checkRange(&q.v, from, to, maxTurnRange)
	if err := q.err(); err != nil {
		return nil, err
	}
	turns, err := s.store.ListTurns(r.Context(), code, from, to)
	if err != nil {
		return nil, err
	}
	p := principalOf(r.Context())
	var snap *view.Snapshot
	if p.Role == RoleSupervisor {
		if snap, err = s.snapshot(); err != nil {
			return nil, err
		}
	}
	loc := s.postLoc(code)
	items := make([]turnJSON, 0, len(turns))
	for _, t := range turns {
		if snap != nil && !inLine(snap, p, t.Person) && !inLine(snap, p, t.Backup) {
			continue
		}
		items = append(items, turnOut(t, loc))
	}
	return map[string]any{"post": code, "from": utc(from), "to": utc(to), "items": items}, nil
}

// inLine reports whether id is the supervisor p or in their reporting line.
func inLine(snap *view.Snapshot, p *Principal, id string) bool {
	return id != "" && (id == p.Person || snap.Reports(p.Person, id))
}

// turnID returns the {id} path parameter, or not_found when it cannot be one.
func turnID(r *http.Request) (string, int64, error) {
	code, err := postCode(r)
	if err != nil {
		return "", 0, err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return "", 0, domain.Errorf(domain.ENotFound, "on-call turn %q not found: turn ids are positive numbers", clip(chi.URLParam(r, "id"), 40))
	}
	return code, id, nil
}

func (s *Server) deleteTurn(w http.ResponseWriter, r *http.Request) error {
	code, id, err := turnID(r)
	if err != nil {
		return err
	}
	current := func() (int64, error) {
		t, err := s.store.FindTurn(r.Context(), code, id)
		return t.Version, err
	}
	return deleteIfMatch(w, r, current, func(v int64) error { return s.store.DeleteTurn(r.Context(), code, id, v) })
}

// onCallJSON answers who is on call at a post.
type onCallJSON struct {
	Post     string `json:"post"`
	At       string `json:"at"`
	LocalAt  string `json:"local_at"`
	TimeZone string `json:"time_zone"`
	// Turn is the turn at at (null: none).
	Turn *onCallTurnJSON `json:"turn"`
	// OnCall is who keeps the line, with their answer for an urgent phone
	// call (null when there is no turn).
	OnCall      *onCallPersonJSON `json:"on_call"`
	PrimaryAway bool              `json:"primary_away"`
	Audited     bool              `json:"audited"`
}

type onCallPersonJSON struct {
	Person   string       `json:"person"`
	FullName string       `json:"full_name"`
	Role     string       `json:"role"`
	Decision decisionJSON `json:"decision"`
}

// onCall answers GET /v1/posts/{code}/on-call?at=: who keeps the post's
// emergency line then (the turn's person, or its backup while the person
// is away) and their answer for an urgent phone call. With requester and
// justification the answer is an audited urgent check, as contactability's;
// without, it says what such a call would get and nothing is recorded.
func (s *Server) onCall(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	in := decide.OnCallQuestion{Post: chi.URLParam(r, "code"), At: q.instant("at", s.now()),
		Requester: q.str("requester"), Justification: q.str("justification")}
	a, err := s.decide.OnCallAt(r.Context(), principalOf(r.Context()), requestID(r.Context()), in, q.v.Fields...)
	if err != nil {
		writeError(w, r, err)
		return
	}
	loc := a.Post.Zone
	if loc == nil {
		loc = time.UTC
	}
	out := onCallJSON{Post: a.Post.Code, At: utc(a.At), LocalAt: local(a.At, loc), TimeZone: a.Post.ZoneName,
		PrimaryAway: a.PrimaryAway, Audited: a.Audited}
	if t := a.Turn; t != nil {
		tj := onCallTurnOut(t.ID, t.Person, t.Backup, t.Start, t.End, loc)
		out.Turn = &tj
	}
	if a.Answer != nil {
		role := "primary"
		if a.Backup {
			role = "backup"
		}
		out.OnCall = &onCallPersonJSON{Person: a.Answer.Person.ExternalID, FullName: a.Answer.Person.FullName, Role: role,
			Decision: renderAnswer(a.Answer, policyLang(r), s.disclosureFor(principalOf(r.Context()), a.At))}
	}
	writeJSON(w, http.StatusOK, out)
}
