package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/calendars"
	"franja/domain"
	"franja/postgres"
)

// staffRoutes serves staff data: posts, people, their schedule versions and
// leave; hr and admin only (leave kinds are shown here).
func (s *Server) staffRoutes(r chi.Router) {
	hr := r.With(allow(RoleHR))
	hr.Post("/posts", handle(s.createPost))
	hr.Get("/posts", handle(s.listPosts))
	hr.Get("/posts/{code}", handle(s.getPost))
	hr.Patch("/posts/{code}", handle(s.patchPost))
	hr.Delete("/posts/{code}", handle(s.deletePost))
	hr.Get("/posts/{code}/schedules", s.listSchedules(s.postScheduleOwner()))
	hr.Post("/posts/{code}/schedules", s.addSchedule(s.postScheduleOwner()))

	hr.Post("/people", handle(s.createPerson))
	hr.Get("/people", handle(s.listPeople))
	hr.Get("/people/{external_id}", handle(s.getPerson))
	hr.Patch("/people/{external_id}", handle(s.patchPerson))
	hr.Delete("/people/{external_id}", handle(s.deletePerson))
	hr.Get("/people/{external_id}/schedules", s.listSchedules(s.personScheduleOwner()))
	hr.Post("/people/{external_id}/schedules", s.addSchedule(s.personScheduleOwner()))

	hr.Post("/people/{external_id}/leaves", handle(s.createLeave))
	hr.Get("/people/{external_id}/leaves", handle(s.listLeaves))
	hr.Get("/people/{external_id}/leaves/{id}", handle(s.getLeave))
	hr.Delete("/people/{external_id}/leaves/{id}", handle(s.deleteLeave))
}

// optional is a JSON merge-patch field: absent (Set false), null (Null) or a
// value. encoding/json calls UnmarshalJSON only for keys that are present,
// null included, which is what tells absent from null.
type optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON records that the field was sent, and whether as null.
func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// required returns the new value of a field that cannot be removed: nil when
// absent, and a problem when null.
func (o optional[T]) required(v *domain.Validator, field string) *T {
	if !o.Set {
		return nil
	}
	if o.Null {
		v.Add(field, "cannot be removed (null); send a new value or leave the field out")
		return nil
	}
	return &o.Value
}

// value returns the value sent, or nil when absent or null.
func (o optional[T]) value() *T {
	if !o.Set || o.Null {
		return nil
	}
	return &o.Value
}

// versionJSON is a schedule version; effective_from null means "since always".
type versionJSON struct {
	EffectiveFrom *domain.Date    `json:"effective_from"`
	Schedule      domain.Schedule `json:"schedule"`
}

func versionsJSON(vs []domain.ScheduleVersion) []versionJSON {
	out := make([]versionJSON, len(vs))
	for i, sv := range vs {
		out[i] = versionJSON{Schedule: sv.Schedule}
		if !sv.From.IsZero() {
			from := sv.From
			out[i].EffectiveFrom = &from
		}
	}
	return out
}

// scheduleIn parses a schedule sent as field into v's problems: every bad
// window and unknown day (named field.mon[0], …) and every overlap. It
// returns nil for an absent or null schedule, or one that has problems.
func scheduleIn(v *domain.Validator, field string, raw json.RawMessage) *domain.Schedule {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	var sched domain.Schedule
	if err := json.Unmarshal(raw, &sched); err != nil {
		var de *domain.Error
		if !errors.As(err, &de) || len(de.Fields) == 0 {
			v.Add(field, `must be an object of weekdays, e.g. {"mon":["08:00-12:00","13:00-17:00"],"sat":[]}`)
			return nil
		}
		for _, f := range de.Fields {
			v.Add(field+"."+f.Field, "%s", f.Text())
		}
		return nil
	}
	problems := sched.Validate(field)
	v.Fields = append(v.Fields, problems...)
	if len(problems) > 0 {
		return nil
	}
	return &sched
}

// dateIn parses an optional local date sent as field; null and absent are nil.
func dateIn(v *domain.Validator, field string, s *string) *domain.Date {
	if s == nil {
		return nil
	}
	d, err := domain.ParseDate(*s)
	if err != nil {
		v.Add(field, "%s", err)
		return nil
	}
	postgres.CheckDate(v, field, d)
	return &d
}

// today is the local date now in zone (UTC if the zone does not load). Only
// the HTTP layer reads the clock.
func today(zone string) domain.Date {
	loc, ok := domain.LoadZone(zone)
	if !ok {
		loc = time.UTC
	}
	return domain.DateOf(time.Now().In(loc))
}

// onDate reads ?on=YYYY-MM-DD, the date whose schedule a response shows
// (default: today in zone).
func onDate(r *http.Request, zone string) (domain.Date, error) {
	s := r.URL.Query().Get("on")
	if s == "" {
		return today(zone), nil
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		return domain.Date{}, badParam("on", "%s", err)
	}
	if d.Year < 1900 || d.Year > 2200 { // as for instants: an absurd date is a mistake
		return domain.Date{}, badParam("on", "%q is outside the years 1900–2200", s)
	}
	return d, nil
}

// newVersionFrom decides from when a schedule sent without a date applies:
// today in the owner's zone, so history is not rewritten, or since always
// when the owner has no schedule yet.
func newVersionFrom(existing []domain.ScheduleVersion, zone string) domain.Date {
	if len(existing) == 0 {
		return domain.Date{}
	}
	return today(zone)
}

// invalidFields returns v's problems as one invalid-input error (nil when
// none); what names the thing at fault ("post").
func invalidFields(v *domain.Validator, what domain.Text) error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &domain.Error{Code: domain.EInvalid, Message: "the %s is not valid; see errors for each field", Args: []any{what}, Fields: v.Fields}
}

// postJSON is a post as the API shows it: schedule is the version in force
// on the request's date (today in the post's zone, or ?on=), schedules all
// versions.
type postJSON struct {
	Code               string               `json:"code"`
	Name               string               `json:"name"`
	Kind               domain.PostKind      `json:"kind"`
	Country            string               `json:"country"`
	City               string               `json:"city"`
	TimeZone           string               `json:"time_zone"`
	Calendars          []string             `json:"calendars"`
	HolidayPicks       []domain.HolidayPick `json:"holiday_picks"`
	HolidaysBeyondData domain.BeyondData    `json:"holidays_beyond_data"`
	Schedule           *domain.Schedule     `json:"schedule"`
	Schedules          []versionJSON        `json:"schedules"`
	UpdatedAt          time.Time            `json:"updated_at"`
}

func postOut(p domain.Post, on domain.Date) postJSON {
	out := postJSON{Code: p.Code, Name: p.Name, Kind: p.Kind, Country: p.Country, City: p.City,
		TimeZone: p.TimeZone, Calendars: p.Calendars, HolidayPicks: p.HolidayPicks, HolidaysBeyondData: p.HolidaysBeyondData,
		Schedules: versionsJSON(p.Schedules), UpdatedAt: p.UpdatedAt}
	if out.HolidayPicks == nil {
		out.HolidayPicks = []domain.HolidayPick{}
	}
	if sched, ok := postgres.ScheduleOn(p.Schedules, on); ok {
		out.Schedule = &sched
	}
	return out
}

// postIn is the body of POST /v1/posts. A schedule becomes the post's
// "since always" version.
type postIn struct {
	Code               string          `json:"code"`
	Name               string          `json:"name"`
	Kind               string          `json:"kind"`
	Country            string          `json:"country"`
	City               string          `json:"city"`
	TimeZone           string          `json:"time_zone"`
	Calendars          []string        `json:"calendars"`
	HolidayPicks       []pickIn        `json:"holiday_picks"`
	HolidaysBeyondData string          `json:"holidays_beyond_data"`
	Schedule           json.RawMessage `json:"schedule"`
}

// pickIn is a day a post picks from a calendar: by the holiday's name (in
// the calendar's language, English or Spanish), or by a date it falls on
// ("the 2026-07-20-type day"); either way it is stored, and follows, by
// the holiday.
type pickIn struct {
	Calendar string `json:"calendar"`
	Holiday  string `json:"holiday"`
	Date     string `json:"date"`
}

// picksIn resolves picks sent as field into the post's form, recording
// what cannot be resolved; a pick that fails is left out (the rest are
// still checked).
func picksIn(v *domain.Validator, field string, in []pickIn) []domain.HolidayPick {
	out := make([]domain.HolidayPick, 0, len(in))
	for i, p := range in {
		f := fmt.Sprintf("%s[%d]", field, i)
		var got calendars.Pick
		var err error
		switch {
		case p.Date != "" && p.Holiday != "":
			v.Add(f, "name the holiday or give a date it falls on, not both")
			continue
		case p.Date != "":
			d, derr := domain.ParseDate(p.Date)
			if derr != nil {
				v.Add(f+".date", "%s", derr)
				continue
			}
			got, err = calendars.PickOn(p.Calendar, d)
		default:
			got, err = calendars.ResolvePick(calendars.Pick{Calendar: p.Calendar, Holiday: p.Holiday})
		}
		if err != nil {
			v.Add(f, "%s", err)
			continue
		}
		out = append(out, domain.HolidayPick{Calendar: got.Calendar, Holiday: got.Holiday})
	}
	return out
}

func (in postIn) post() (domain.Post, error) {
	p := domain.Post{Code: in.Code, Name: in.Name, Kind: domain.PostKind(in.Kind), Country: in.Country,
		City: in.City, TimeZone: in.TimeZone, Calendars: in.Calendars, HolidaysBeyondData: domain.BeyondData(in.HolidaysBeyondData)}
	if p.Calendars == nil {
		p.Calendars = []string{}
	}
	var v domain.Validator
	p.HolidayPicks = picksIn(&v, "holiday_picks", in.HolidayPicks)
	postgres.ValidatePost(&v, p)
	if sched := scheduleIn(&v, "schedule", in.Schedule); sched != nil {
		p.Schedules = []domain.ScheduleVersion{{Schedule: *sched}}
	}
	return p, invalidFields(&v, domain.T("post"))
}

func (s *Server) createPost(w http.ResponseWriter, r *http.Request) error {
	var in postIn
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := in.post()
	if err == nil {
		p, err = s.store.CreatePost(r.Context(), p)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/posts/"+p.Code)
	return writePost(w, r, http.StatusCreated, p)
}

// writePost answers with the post and its ETag.
func writePost(w http.ResponseWriter, r *http.Request, status int, p domain.Post) error {
	on, err := onDate(r, p.TimeZone)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, status, postOut(p, on))
	return nil
}

// postCode returns the {code} path parameter, or a not_found error when it
// cannot be a post code (so that no odd text reaches the database).
func postCode(r *http.Request) (string, error) {
	code := chi.URLParam(r, "code")
	if !domain.ValidCode(code) {
		return "", domain.Errorf(domain.ENotFound, "post %q not found: post codes are upper-case, e.g. BOG", clip(code, 40))
	}
	return code, nil
}

func (s *Server) getPost(w http.ResponseWriter, r *http.Request) error {
	code, err := postCode(r)
	var p domain.Post
	if err == nil {
		p, err = s.store.FindPostByCode(r.Context(), code)
	}
	if err != nil {
		return err
	}
	return writePost(w, r, http.StatusOK, p)
}

func (s *Server) listPosts(w http.ResponseWriter, r *http.Request) error {
	pages := newPager(cursorPosts)
	after, limit, err := pages.params(r, domain.ValidCode)
	if err != nil {
		return err
	}
	if _, err := onDate(r, "UTC"); err != nil {
		return err
	}
	posts, next, err := s.store.ListPosts(r.Context(), postgres.Page{After: after, Limit: limit})
	if err != nil {
		return err
	}
	out := listOf[postJSON]{Items: make([]postJSON, len(posts)), NextCursor: pages.cursor(next)}
	for i, p := range posts {
		on, _ := onDate(r, p.TimeZone)
		out.Items[i] = postOut(p, on)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// postPatchIn is the body of PATCH /v1/posts/{code}, a JSON merge patch:
// absent fields stay as they are. A schedule adds the version in force from
// schedule_effective_from (default: today in the post's zone; null: since
// always), leaving earlier versions alone.
type postPatchIn struct {
	Code                  optional[string]            `json:"code"`
	Name                  optional[string]            `json:"name"`
	Kind                  optional[domain.PostKind]   `json:"kind"`
	Country               optional[string]            `json:"country"`
	City                  optional[string]            `json:"city"`
	TimeZone              optional[string]            `json:"time_zone"`
	Calendars             optional[[]string]          `json:"calendars"`
	HolidayPicks          optional[[]pickIn]          `json:"holiday_picks"`
	HolidaysBeyondData    optional[domain.BeyondData] `json:"holidays_beyond_data"`
	Schedule              optional[json.RawMessage]   `json:"schedule"`
	ScheduleEffectiveFrom optional[string]            `json:"schedule_effective_from"`
}

// patch turns the body into a store patch; current is read only when a
// schedule comes without a date.
func (in postPatchIn) patch(code string, current func() (domain.Post, error)) (postgres.PostPatch, error) {
	var v domain.Validator
	if in.Code.Set && (in.Code.Null || in.Code.Value != code) {
		v.Add("code", "a post's code cannot change; create a new post and move its people to it")
	}
	p := postgres.PostPatch{Name: in.Name.required(&v, "name"), Kind: in.Kind.required(&v, "kind"),
		Country: in.Country.required(&v, "country"), TimeZone: in.TimeZone.required(&v, "time_zone"),
		Calendars: in.Calendars.required(&v, "calendars"), HolidaysBeyondData: in.HolidaysBeyondData.required(&v, "holidays_beyond_data")}
	if in.HolidayPicks.Set {
		picks := picksIn(&v, "holiday_picks", in.HolidayPicks.Value) // null clears them
		p.HolidayPicks = &picks
	}
	if in.City.Set {
		p.City = &in.City.Value // null clears it to ""
	}
	if in.Schedule.Null {
		v.Add("schedule", "a post's schedule cannot be removed; send the schedule that applies from schedule_effective_from instead")
	}
	sched := scheduleIn(&v, "schedule", in.Schedule.Value)
	from := dateIn(&v, "schedule_effective_from", in.ScheduleEffectiveFrom.value())
	if in.ScheduleEffectiveFrom.Set && !in.Schedule.Set {
		v.Add("schedule_effective_from", "only applies together with schedule")
	}
	if err := invalidFields(&v, domain.T("change")); err != nil || sched == nil {
		return p, err
	}
	sv := domain.ScheduleVersion{Schedule: *sched}
	switch {
	case from != nil:
		sv.From = *from
	case !in.ScheduleEffectiveFrom.Set:
		cur, err := current()
		if err != nil {
			return p, err
		}
		zone := cur.TimeZone
		if p.TimeZone != nil {
			zone = *p.TimeZone
		}
		sv.From = newVersionFrom(cur.Schedules, zone)
	}
	p.Schedule = &sv
	return p, nil
}

func (s *Server) patchPost(w http.ResponseWriter, r *http.Request) error {
	p, err := s.updatePost(r)
	if err != nil {
		return err
	}
	return writePost(w, r, http.StatusOK, p)
}

func (s *Server) updatePost(r *http.Request) (domain.Post, error) {
	code, err := postCode(r)
	if err != nil {
		return domain.Post{}, err
	}
	pc, err := parseIfMatch(r)
	if err != nil {
		return domain.Post{}, err
	}
	if !pc.present {
		return domain.Post{}, requirePrecondition(domain.T("the post"), "/v1/posts/"+code)
	}
	var in postPatchIn
	if err := decodeJSON(r, &in); err != nil {
		return domain.Post{}, err
	}
	find := func() (domain.Post, error) { return s.store.FindPostByCode(r.Context(), code) }
	patch, err := in.patch(code, find)
	if err != nil {
		return domain.Post{}, err
	}
	version, err := pc.version(func() (int64, error) { p, err := find(); return p.Version, err })
	if err != nil {
		return domain.Post{}, err
	}
	return s.store.UpdatePost(r.Context(), code, patch, version)
}

func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) error {
	code, err := postCode(r)
	if err != nil {
		return err
	}
	current := func() (int64, error) { p, err := s.store.FindPostByCode(r.Context(), code); return p.Version, err }
	return deleteIfMatch(w, r, current, func(v int64) error { return s.store.DeletePost(r.Context(), code, v) })
}
