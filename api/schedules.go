package api

import (
	"context"
	"encoding/json"
	"net/http"

	"franja/domain"
)

// scheduleOwner is what the schedule-version endpoints need of a post or a
// person, the two things that carry effective-dated schedules.
type scheduleOwner struct {
	// key reads the owner's key from the path.
	key func(*http.Request) (string, error)
	// path is the owner's URL prefix ("/v1/posts/").
	path string
	list func(ctx context.Context, key string) ([]domain.ScheduleVersion, error)
	// current reads the owner's versions and zone, for a version sent
	// without a date (it takes effect today in that zone).
	current func(r *http.Request, key string) func() ([]domain.ScheduleVersion, string, error)
	// version reads the owner's version, for If-Match.
	version func(r *http.Request, key string) func() (int64, error)
	// add adds or replaces sv, returning the owner's new version.
	add func(ctx context.Context, key string, sv domain.ScheduleVersion, ifVersion int64) (int64, bool, error)
}

func (s *Server) postScheduleOwner() scheduleOwner {
	find := func(r *http.Request, code string) (domain.Post, error) {
		return s.store.FindPostByCode(r.Context(), code)
	}
	return scheduleOwner{
		key:  postCode,
		path: "/v1/posts/",
		list: s.store.ListPostSchedules,
		current: func(r *http.Request, code string) func() ([]domain.ScheduleVersion, string, error) {
			return func() ([]domain.ScheduleVersion, string, error) {
				p, err := find(r, code)
				return p.Schedules, p.TimeZone, err
			}
		},
		version: func(r *http.Request, code string) func() (int64, error) {
			return func() (int64, error) { p, err := find(r, code); return p.Version, err }
		},
		add: func(ctx context.Context, code string, sv domain.ScheduleVersion, ifVersion int64) (int64, bool, error) {
			p, created, err := s.store.AddPostSchedule(ctx, code, sv, ifVersion)
			return p.Version, created, err
		},
	}
}

func (s *Server) personScheduleOwner() scheduleOwner {
	return scheduleOwner{
		key:     personID,
		path:    "/v1/people/",
		list:    s.store.ListPersonSchedules,
		current: s.personSchedules,
		version: s.personVersion,
		add: func(ctx context.Context, id string, sv domain.ScheduleVersion, ifVersion int64) (int64, bool, error) {
			p, created, err := s.store.AddPersonSchedule(ctx, id, sv, ifVersion)
			return p.Version, created, err
		},
	}
}

// listSchedules answers GET …/schedules: every version of o's schedule.
func (s *Server) listSchedules(o scheduleOwner) http.HandlerFunc {
	return handle(func(w http.ResponseWriter, r *http.Request) error {
		key, err := o.key(r)
		var vs []domain.ScheduleVersion
		if err == nil {
			vs, err = o.list(r.Context(), key)
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, listOf[versionJSON]{Items: versionsJSON(vs)})
		return nil
	})
}

// addSchedule answers POST …/schedules: a version from a date, added or
// replacing the one from the same date, under If-Match.
func (s *Server) addSchedule(o scheduleOwner) http.HandlerFunc {
	return handle(func(w http.ResponseWriter, r *http.Request) error {
		key, sv, ownerVersion, created, err := s.addVersion(o, r)
		if err != nil {
			return err
		}
		writeVersion(w, o.path+key+"/schedules", ownerVersion, sv, created)
		return nil
	})
}

func (s *Server) addVersion(o scheduleOwner, r *http.Request) (string, domain.ScheduleVersion, int64, bool, error) {
	var sv domain.ScheduleVersion
	key, err := o.key(r)
	if err != nil {
		return "", sv, 0, false, err
	}
	pc, err := parseIfMatch(r)
	if err != nil {
		return "", sv, 0, false, err
	}
	var in versionIn
	if err := decodeJSON(r, &in); err != nil {
		return "", sv, 0, false, err
	}
	if sv, err = in.version(o.current(r, key)); err != nil {
		return "", sv, 0, false, err
	}
	version, err := pc.version(o.version(r, key))
	if err != nil {
		return "", sv, 0, false, err
	}
	ownerVersion, created, err := o.add(r.Context(), key, sv, version)
	return key, sv, ownerVersion, created, err
}

// versionIn is the body of POST …/schedules: a schedule and the local date
// it takes effect (absent: today in the zone; null: since always, which
// replaces the "since always" version).
type versionIn struct {
	EffectiveFrom optional[string] `json:"effective_from"`
	Schedule      json.RawMessage  `json:"schedule"`
}

// version parses the body; existing and zone are read only when the date is
// absent.
func (in versionIn) version(current func() ([]domain.ScheduleVersion, string, error)) (domain.ScheduleVersion, error) {
	var v domain.Validator
	from := dateIn(&v, "effective_from", in.EffectiveFrom.value())
	sched := scheduleIn(&v, "schedule", in.Schedule)
	if sched == nil && len(v.Fields) == 0 {
		v.Add("schedule", `is required: an object of weekdays, e.g. {"mon":["08:00-12:00","13:00-17:00"],"sat":[]}`)
	}
	if err := invalidFields(&v, domain.T("schedule version")); err != nil {
		return domain.ScheduleVersion{}, err
	}
	sv := domain.ScheduleVersion{Schedule: *sched}
	switch {
	case from != nil:
		sv.From = *from
	case !in.EffectiveFrom.Set:
		existing, zone, err := current()
		if err != nil {
			return domain.ScheduleVersion{}, err
		}
		sv.From = newVersionFrom(existing, zone)
	}
	return sv, nil
}

// writeVersion answers an added (201) or replaced (200) schedule version.
// The ETag is the owner's new one: adding a version changes the post or
// person, so a client can PATCH it next without reading it again.
func writeVersion(w http.ResponseWriter, location string, ownerVersion int64, sv domain.ScheduleVersion, created bool) {
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", location)
	w.Header().Set("ETag", etag(ownerVersion))
	writeJSON(w, status, versionsJSON([]domain.ScheduleVersion{sv})[0])
}
