package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/domain"
	"franja/postgres"
)

// personJSON is a person as the API shows it. time_zone, schedule and
// schedules are the person's own overrides (null and [] when they follow
// their post's); schedule is the override version in force on the request's
// date in the person's zone.
type personJSON struct {
	ExternalID string           `json:"external_id"`
	FullName   string           `json:"full_name"`
	Email      string           `json:"email"`
	Post       string           `json:"post"`
	TimeZone   *string          `json:"time_zone"`
	Supervisor *string          `json:"supervisor"`
	Exception  domain.Exception `json:"exception"`
	Schedule   *domain.Schedule `json:"schedule"`
	Schedules  []versionJSON    `json:"schedules"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

func personOut(p domain.Person, on domain.Date) personJSON {
	out := personJSON{ExternalID: p.ExternalID, FullName: p.FullName, Email: p.Email, Post: p.Post,
		TimeZone: nullString(p.TimeZone), Supervisor: nullString(p.Supervisor), Exception: p.Exception,
		Schedules: versionsJSON(p.Schedules), UpdatedAt: p.UpdatedAt}
	if sched, ok := postgres.ScheduleOn(p.Schedules, on); ok {
		out.Schedule = &sched
	}
	return out
}

// nullString is nil for "", for fields that are null when unset.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// personIn is the body of POST /v1/people. A schedule becomes the person's
// "since always" override version.
type personIn struct {
	ExternalID string          `json:"external_id"`
	FullName   string          `json:"full_name"`
	Email      string          `json:"email"`
	Post       string          `json:"post"`
	TimeZone   *string         `json:"time_zone"`
	Supervisor *string         `json:"supervisor"`
	Exception  string          `json:"exception"`
	Schedule   json.RawMessage `json:"schedule"`
}

func (in personIn) person() (domain.Person, error) {
	p := domain.Person{ExternalID: in.ExternalID, FullName: in.FullName, Email: in.Email, Post: in.Post,
		Exception: domain.Exception(in.Exception)}
	setFrom(&p.TimeZone, in.TimeZone)
	setFrom(&p.Supervisor, in.Supervisor)
	if p.Exception == "" {
		p.Exception = domain.ExceptionNone
	}
	var v domain.Validator
	postgres.ValidatePerson(&v, p)
	if sched := scheduleIn(&v, "schedule", in.Schedule); sched != nil {
		p.Schedules = []domain.ScheduleVersion{{Schedule: *sched}}
	}
	return p, invalidFields(&v, domain.T("person"))
}

// setFrom sets *dst to *v when v is not nil.
func setFrom[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (s *Server) createPerson(w http.ResponseWriter, r *http.Request) error {
	var in personIn
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := in.person()
	if err == nil {
		p, err = s.store.CreatePerson(r.Context(), p)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/people/"+p.ExternalID)
	return s.writePerson(w, r, http.StatusCreated, p)
}

// writePerson answers with the person and their ETag.
func (s *Server) writePerson(w http.ResponseWriter, r *http.Request, status int, p domain.Person) error {
	zone, err := p.Zone, error(nil)
	if zone == "" {
		zone, err = s.store.PersonZone(r.Context(), p.ExternalID)
	}
	var on domain.Date
	if err == nil {
		on, err = onDate(r, zone)
	}
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, status, personOut(p, on))
	return nil
}

// personID returns the {external_id} path parameter, or a not_found error
// when it cannot be one.
func personID(r *http.Request) (string, error) {
	id := chi.URLParam(r, "external_id")
	if !domain.ValidExternalID(id) {
		return "", domain.Errorf(domain.ENotFound, "person %q not found", clip(id, 64))
	}
	return id, nil
}

func (s *Server) getPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	var p domain.Person
	if err == nil {
		p, err = s.store.FindPersonByExternalID(r.Context(), id)
	}
	if err != nil {
		return err
	}
	return s.writePerson(w, r, http.StatusOK, p)
}

func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) error {
	out, err := s.peoplePage(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) peoplePage(r *http.Request) (listOf[personJSON], error) {
	var out listOf[personJSON]
	q := r.URL.Query()
	pages := newPager(cursorPeople, q.Get("post"), q.Get("supervisor"))
	after, limit, err := pages.params(r, domain.ValidExternalID)
	if err != nil {
		return out, err
	}
	f := postgres.PeopleFilter{Post: q.Get("post"), Supervisor: q.Get("supervisor"), Page: postgres.Page{After: after, Limit: limit}}
	if f.Post != "" && !domain.ValidCode(f.Post) {
		return out, badParam("post", "%q is not a post code; codes are upper-case, e.g. BOG", clip(f.Post, 40))
	}
	if f.Supervisor != "" && !domain.ValidExternalID(f.Supervisor) {
		return out, badParam("supervisor", "%q is not an external_id", clip(f.Supervisor, 64))
	}
	people, next, err := s.store.ListPeople(r.Context(), f)
	if err != nil {
		return out, err
	}
	zones, err := s.peopleZones(r, people)
	if err != nil {
		return out, err
	}
	out = listOf[personJSON]{Items: make([]personJSON, len(people)), NextCursor: pages.cursor(next)}
	for i, p := range people {
		on, err := onDate(r, zones[i])
		if err != nil {
			return out, err
		}
		out.Items[i] = personOut(p, on)
	}
	return out, nil
}

// peopleZones returns each person's effective zone, reading their posts'
// zones in one query.
func (s *Server) peopleZones(r *http.Request, people []domain.Person) ([]string, error) {
	codes := make([]string, 0, len(people))
	for _, p := range people {
		codes = append(codes, p.Post)
	}
	postZones, err := s.store.PostZones(r.Context(), codes)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(people))
	for i, p := range people {
		out[i] = p.TimeZone
		if out[i] == "" {
			out[i] = postZones[p.Post]
		}
	}
	return out, nil
}

// personPatchIn is the body of PATCH /v1/people/{external_id}, a JSON merge
// patch: absent fields stay; null clears time_zone and supervisor, and for
// schedule removes every override version (the post's schedule applies
// again). A schedule adds the override version in force from
// schedule_effective_from (default: today in the person's zone).
type personPatchIn struct {
	ExternalID            optional[string]           `json:"external_id"`
	FullName              optional[string]           `json:"full_name"`
	Email                 optional[string]           `json:"email"`
	Post                  optional[string]           `json:"post"`
	TimeZone              optional[string]           `json:"time_zone"`
	Supervisor            optional[string]           `json:"supervisor"`
	Exception             optional[domain.Exception] `json:"exception"`
	Schedule              optional[json.RawMessage]  `json:"schedule"`
	ScheduleEffectiveFrom optional[string]           `json:"schedule_effective_from"`
}

// patch turns the body into a store patch; current is read only when a
// schedule comes without a date.
func (in personPatchIn) patch(id string, current func() ([]domain.ScheduleVersion, string, error)) (postgres.PersonPatch, error) {
	var v domain.Validator
	if in.ExternalID.Set && (in.ExternalID.Null || in.ExternalID.Value != id) {
		v.Add("external_id", "a person's external_id cannot change; create a new person instead")
	}
	p := postgres.PersonPatch{FullName: in.FullName.required(&v, "full_name"), Email: in.Email.required(&v, "email"),
		Post: in.Post.required(&v, "post"), Exception: in.Exception.required(&v, "exception"),
		ClearSchedules: in.Schedule.Null}
	if in.TimeZone.Set {
		p.TimeZone = &in.TimeZone.Value // null clears it to ""
	}
	if in.Supervisor.Set {
		p.Supervisor = &in.Supervisor.Value
	}
	sched := scheduleIn(&v, "schedule", in.Schedule.Value)
	from := dateIn(&v, "schedule_effective_from", in.ScheduleEffectiveFrom.value())
	if in.ScheduleEffectiveFrom.Set && sched == nil && len(v.Fields) == 0 {
		v.Add("schedule_effective_from", "only applies together with a schedule")
	}
	if err := invalidFields(&v, domain.T("change")); err != nil || sched == nil {
		return p, err
	}
	sv := domain.ScheduleVersion{Schedule: *sched}
	switch {
	case from != nil:
		sv.From = *from
	case !in.ScheduleEffectiveFrom.Set:
		existing, zone, err := current()
		if err != nil {
			return p, err
		}
		if p.TimeZone != nil && *p.TimeZone != "" {
			zone = *p.TimeZone
		}
		sv.From = newVersionFrom(existing, zone)
	}
	p.Schedule = &sv
	return p, nil
}

func (s *Server) patchPerson(w http.ResponseWriter, r *http.Request) error {
	p, err := s.updatePerson(r)
	if err != nil {
		return err
	}
	return s.writePerson(w, r, http.StatusOK, p)
}

func (s *Server) updatePerson(r *http.Request) (domain.Person, error) {
	id, err := personID(r)
	if err != nil {
		return domain.Person{}, err
	}
	pc, err := parseIfMatch(r)
	if err != nil {
		return domain.Person{}, err
	}
	if !pc.present {
		return domain.Person{}, requirePrecondition(domain.T("the person"), "/v1/people/"+id)
	}
	var in personPatchIn
	if err := decodeJSON(r, &in); err != nil {
		return domain.Person{}, err
	}
	patch, err := in.patch(id, s.personSchedules(r, id))
	if err != nil {
		return domain.Person{}, err
	}
	version, err := pc.version(s.personVersion(r, id))
	if err != nil {
		return domain.Person{}, err
	}
	return s.store.UpdatePerson(r.Context(), id, patch, version)
}

// personSchedules reads a person's override versions and effective zone.
func (s *Server) personSchedules(r *http.Request, id string) func() ([]domain.ScheduleVersion, string, error) {
	return func() ([]domain.ScheduleVersion, string, error) {
		p, err := s.store.FindPersonByExternalID(r.Context(), id)
		if err != nil {
			return nil, "", err
		}
		zone, err := s.store.PersonZone(r.Context(), id)
		return p.Schedules, zone, err
	}
}

func (s *Server) personVersion(r *http.Request, id string) func() (int64, error) {
	return func() (int64, error) {
		p, err := s.store.FindPersonByExternalID(r.Context(), id)
		return p.Version, err
	}
}

func (s *Server) deletePerson(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	return deleteIfMatch(w, r, s.personVersion(r, id), func(v int64) error { return s.store.DeletePerson(r.Context(), id, v) })
}
