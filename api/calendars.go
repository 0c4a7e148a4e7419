package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"franja/calendars"
	"franja/domain"
	"franja/postgres"
)

// Holidays (API.md, Base calendars and A post's effective holidays). Base
// calendars are computed (package calendars) and may be corrected or
// extended by uploading a year's list, or given a one-off closure; a post
// layers its own closures on its base calendars and excludes the base
// holidays it works through. Every read composes them with
// calendars.Stored; every write is one statement or one transaction, and a
// bad request writes nothing.

// maxHolidayFile caps an uploaded holiday list: a year of holidays is a few
// kilobytes, even as iCalendar.
const maxHolidayFile = 1 << 20

// calendarRoutes mounts the holiday endpoints: reads for hr and system keys,
// writes for hr (admin may do both). Supervisors see decisions only.

func (s *Server) calendarRoutes(r chi.Router) {
	read := allow(RoleHR, RoleSystem) // a supervisor key reads decisions and nothing else
	write := allow(RoleHR)
	r.With(read).Get("/calendars", handle(s.listCalendars))
	r.With(read).Get("/calendars/{code}/holidays", handle(s.getCalendarHolidays))
	r.With(write).Put("/calendars/{code}/holidays/{year}", handle(s.putCalendarYear))
	r.With(write).Delete("/calendars/{code}/holidays/{year}", handle(s.deleteCalendarYear))
	r.With(read).Get("/calendars/{code}/closures", handle(s.listCalendarClosures))
	r.With(write).Post("/calendars/{code}/closures", handle(s.putCalendarClosure))
	r.With(write).Delete("/calendars/{code}/closures/{date}", handle(s.deleteCalendarClosure))
	r.With(read).Get("/posts/{code}/holidays", handle(s.getPostHolidays))
	r.With(write).Put("/posts/{code}/holidays/{year}", handle(s.putPostYear))
	r.With(read).Get("/posts/{code}/closures", handle(s.listPostClosures))
	r.With(write).Post("/posts/{code}/closures", handle(s.putPostClosure))
	r.With(write).Delete("/posts/{code}/closures/{date}", handle(s.deletePostClosure))
	r.With(read).Get("/posts/{code}/exclusions", handle(s.listPostExclusions))
	r.With(write).Post("/posts/{code}/exclusions", handle(s.putPostExclusion))
	r.With(write).Delete("/posts/{code}/exclusions/{date}", handle(s.deletePostExclusion))
}

// calendarInfo is a base calendar as GET /v1/calendars lists it.
type calendarInfo struct {
	calendars.Info
	UploadedYears []int `json:"uploaded_years"`
}

func (s *Server) listCalendars(w http.ResponseWriter, r *http.Request) error {
	st, err := s.store.LoadStoredCalendars(r.Context())
	if err != nil {
		return err
	}
	list := calendars.List()
	out := make([]calendarInfo, len(list))
	for i, info := range list {
		out[i] = calendarInfo{Info: info, UploadedYears: st.UploadedYears(info.Code)}
		if out[i].UploadedYears == nil {
			out[i].UploadedYears = []int{}
		}
	}
	writeRevalidated(w, r, map[string]any{"calendars": out})
	return nil
}

func (s *Server) getCalendarHolidays(w http.ResponseWriter, r *http.Request) error {
	info, err := calendarParam(r)
	if err != nil {
		return err
	}
	year, err := yearQuery(r)
	if err != nil {
		return err
	}
	format, err := holidayFormatOf(r)
	if err != nil {
		return err
	}
	st, err := s.store.LoadStoredCalendars(r.Context(), info.Code)
	if err != nil {
		return err
	}
	hs, err := st.Base(info.Code, year)
	if err != nil {
		return err
	}
	if s.writeHolidayFile(w, r, format, info.Code, year, hs) {
		return nil
	}
	writeRevalidated(w, r, map[string]any{"calendar": info.Code, "year": year, "holidays": hs})
	return nil
}

func (s *Server) putCalendarYear(w http.ResponseWriter, r *http.Request) error {
	info, err := calendarParam(r)
	if err != nil {
		return err
	}
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	up, err := readHolidayFile(w, r, year)
	hs := up.Holidays
	if err != nil {
		return err
	}
	res, err := s.store.ReplaceCalendarYear(r.Context(), info.Code, year, hs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"calendar": info.Code, "year": year, "count": res.Count, "changed": res.Changed, "other_years": up.Elsewhere})
	return nil
}

func (s *Server) deleteCalendarYear(w http.ResponseWriter, r *http.Request) error {
	info, err := calendarParam(r)
	if err != nil {
		return err
	}
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteCalendarYear(r.Context(), info.Code, year); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listCalendarClosures(w http.ResponseWriter, r *http.Request) error {
	info, err := calendarParam(r)
	if err != nil {
		return err
	}
	cs, err := s.store.ListCalendarClosures(r.Context(), info.Code)
	if err != nil {
		return err
	}
	writeRevalidated(w, r, map[string]any{"calendar": info.Code, "closures": cs})
	return nil
}

func (s *Server) putCalendarClosure(w http.ResponseWriter, r *http.Request) error {
	info, err := calendarParam(r)
	if err != nil {
		return err
	}
	c, err := readClosure(r)
	if err != nil {
		return err
	}
	created, _, err := s.store.PutCalendarClosure(r.Context(), info.Code, c)
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(created), c)
	return nil
}

func (s *Server) deleteCalendarClosure(w http.ResponseWriter, r *http.Request) error {
	info, err := calendarParam(r)
	if err != nil {
		return err
	}
	d, err := dateParam(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteCalendarClosure(r.Context(), info.Code, d); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// createdStatus is 201 for a write that created its resource, else 200 (an
// idempotent re-send or a replacement).
func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// calendarParam returns the base calendar named by the path's {code}
// (case-insensitive): a country's, or for reads a region's (ES-MD). A
// region's list comes from the data set alone, plus its country's one-off
// closures.
func calendarParam(r *http.Request) (calendars.Info, error) {
	code := chi.URLParam(r, "code")
	info, ok := calendars.Lookup(code)
	if !ok || len(code) != len(info.Code) {
		return calendars.Info{}, domain.Errorf(domain.ENotFound,
			"no base calendar has the code %s; GET /v1/calendars lists them (ISO 3166-1 alpha-2 codes such as CO or JP, or regions such as ES-MD)", quoteParam(code))
	}
	if info.Subdivision != "" && r.Method != http.MethodGet {
		return calendars.Info{}, domain.Errorf(domain.EInvalid,
			"%s is a regional calendar, which takes no uploads or closures: declare a one-off closure on its country's calendar %s (the region follows it) or on the post", info.Code, info.Country)
	}
	return info, nil
}

var yearRe = regexp.MustCompile(`^[0-9]{4}$`)

// yearQuery reads the required ?year= parameter.
func yearQuery(r *http.Request) (int, error) {
	vals, ok := r.URL.Query()["year"]
	if !ok || len(vals) == 0 || vals[0] == "" {
		return 0, &domain.Error{Code: domain.EMalformed, Message: "the year parameter is required",
			Fields: []domain.FieldError{{Field: "year", Message: "is required: add ?year=YYYY, e.g. ?year=2026"}}}
	}
	return parseYear(vals[0])
}

// yearPath reads the path's {year}.
func yearPath(r *http.Request) (int, error) { return parseYear(chi.URLParam(r, "year")) }

func parseYear(s string) (int, error) {
	if !yearRe.MatchString(s) {
		return 0, &domain.Error{Code: domain.EMalformed, Message: "the year is not a year",
			Fields: []domain.FieldError{domain.FieldErrorf("year", "%s is not a year: use four digits, e.g. 2026", quoteParam(s))}}
	}
	y, _ := strconv.Atoi(s)
	return y, nil
}

// dateParam reads the path's {date}.
func dateParam(r *http.Request) (domain.Date, error) {
	s := chi.URLParam(r, "date")
	d, err := domain.ParseDate(s)
	if err != nil {
		return domain.Date{}, &domain.Error{Code: domain.EMalformed, Message: "the date in the path is not a date",
			Fields: []domain.FieldError{domain.FieldErrorf("date", "%s is not a date in the form YYYY-MM-DD", quoteParam(s))}}
	}
	return d, nil
}

// quoteParam quotes a client's value for a message, cut short.
func quoteParam(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}

// closureBody is the JSON of a closure or an exclusion. The date is read as
// text so that an impossible date (2026-02-30) is a field error, not a
// malformed body.
type closureBody struct {
	Date string `json:"date"`
	Name string `json:"name"`
	Note string `json:"note"`
}

// readClosure decodes and validates a closure, reporting every problem.
func readClosure(r *http.Request) (postgres.Closure, error) {
	var b closureBody
	if err := decodeJSON(r, &b); err != nil {
		return postgres.Closure{}, err
	}
	d, dateErr := bodyDate(b.Date)
	c := postgres.Closure{Date: d, Name: strings.TrimSpace(b.Name), Note: strings.TrimSpace(b.Note)}
	var v domain.Validator
	if dateErr != nil {
		v.Add("date", "%s", dateErr)
		d = domain.Date{Year: postgres.MinHolidayYear, Month: 1, Day: 1} // checked: do not report it again
	}
	postgres.ValidateClosure(&v, "", postgres.Closure{Date: d, Name: c.Name, Note: c.Note})
	return c, v.Err("the closure is not valid")
}

// readExclusion decodes and validates an exclusion.
func readExclusion(r *http.Request) (postgres.Exclusion, error) {
	var b struct {
		Date string `json:"date"`
		Note string `json:"note"`
	}
	if err := decodeJSON(r, &b); err != nil {
		return postgres.Exclusion{}, err
	}
	d, dateErr := bodyDate(b.Date)
	e := postgres.Exclusion{Date: d, Note: strings.TrimSpace(b.Note)}
	var v domain.Validator
	if dateErr != nil {
		v.Add("date", "%s", dateErr)
		d = domain.Date{Year: postgres.MinHolidayYear, Month: 1, Day: 1}
	}
	postgres.ValidateExclusion(&v, postgres.Exclusion{Date: d, Note: e.Note})
	return e, v.Err("the exclusion is not valid")
}

// bodyDate parses a date of a request body; "" is the zero Date, which the
// validation reports as missing.
func bodyDate(s string) (domain.Date, error) {
	if s == "" {
		return domain.Date{}, nil
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		return domain.Date{}, domain.Errorf(domain.EInvalid, "%s is not a date in the form YYYY-MM-DD (or no such day exists)", quoteParam(s))
	}
	return d, nil
}

// readHolidayFile reads an uploaded holiday list for year: text/csv (a
// header naming date and name) or text/calendar (iCalendar, as governments
// publish). Holidays of other years in the file are left out and counted.
func readHolidayFile(w http.ResponseWriter, r *http.Request, year int) (calendars.Upload, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	var parse func(context.Context, io.Reader, int) (calendars.Upload, error)
	switch mt {
	case "text/csv":
		parse = calendars.ParseCSV
	case "text/calendar":
		parse = calendars.ParseICS
	default:
		return calendars.Upload{}, domain.Errorf(domain.EUnsupported,
			"send the list as text/csv (columns date,name) or text/calendar (an .ics file), not %s", quoteParam(ct))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHolidayFile))
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return calendars.Upload{}, domain.Errorf(domain.ETooLarge, "a holiday list may be at most %d bytes", maxErr.Limit)
	case err != nil:
		return calendars.Upload{}, fmt.Errorf("reading a holiday list: %w", err) // the connection, not the client's text
	}
	return parse(r.Context(), bytes.NewReader(body), year)
}

func (s *Server) getPostHolidays(w http.ResponseWriter, r *http.Request) error {
	year, err := yearQuery(r)
	if err != nil {
		return err
	}
	format, err := holidayFormatOf(r)
	if err != nil {
		return err
	}
	ph, es, err := s.postEffective(r, chi.URLParam(r, "code"), year)
	if err != nil {
		return err
	}
	if s.writeHolidayFile(w, r, format, ph.Post, year, es) {
		return nil
	}
	picks := ph.Picks
	if picks == nil {
		picks = []domain.HolidayPick{}
	}
	writeRevalidated(w, r, map[string]any{"post": ph.Post, "year": year, "calendars": ph.Calendars, "holiday_picks": picks, "holidays": es})
	return nil
}

// postEffective reads post code's layers and returns its effective holidays
// in year.
func (s *Server) postEffective(r *http.Request, code string, year int) (postgres.PostHolidays, []calendars.Effective, error) {
	ph, st, err := s.postLayers(r, code)
	if err != nil {
		return ph, nil, err
	}
	es, err := st.PostYear(ph.Rules(), year)
	return ph, es, err
}

// postLayers reads post code's layers and its base calendars' stored parts.
func (s *Server) postLayers(r *http.Request, code string) (postgres.PostHolidays, *calendars.Stored, error) {
	ph, err := s.store.FindPostHolidays(r.Context(), code)
	if err != nil {
		return ph, nil, err
	}
	st, err := s.store.LoadStoredCalendars(r.Context(), ph.Codes()...)
	return ph, st, err
}

func (s *Server) putPostYear(w http.ResponseWriter, r *http.Request) error {
	code := chi.URLParam(r, "code")
	year, err := yearPath(r)
	if err != nil {
		return err
	}
	up, err := readHolidayFile(w, r, year)
	hs := up.Holidays
	if err != nil {
		return err
	}
	res, err := s.store.ReplacePostClosures(r.Context(), code, year, hs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"post": code, "year": year, "count": res.Count, "changed": res.Changed, "other_years": up.Elsewhere})
	return nil
}

func (s *Server) listPostClosures(w http.ResponseWriter, r *http.Request) error {
	ph, err := s.store.FindPostHolidays(r.Context(), chi.URLParam(r, "code"))
	if err != nil {
		return err
	}
	writeRevalidated(w, r, map[string]any{"post": ph.Post, "closures": ph.Closures})
	return nil
}

func (s *Server) putPostClosure(w http.ResponseWriter, r *http.Request) error {
	c, err := readClosure(r)
	if err != nil {
		return err
	}
	created, _, err := s.store.PutPostClosure(r.Context(), chi.URLParam(r, "code"), c)
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(created), c)
	return nil
}

func (s *Server) deletePostClosure(w http.ResponseWriter, r *http.Request) error {
	d, err := dateParam(r)
	if err == nil {
		err = s.store.DeletePostClosure(r.Context(), chi.URLParam(r, "code"), d)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listPostExclusions(w http.ResponseWriter, r *http.Request) error {
	ph, err := s.store.FindPostHolidays(r.Context(), chi.URLParam(r, "code"))
	if err != nil {
		return err
	}
	writeRevalidated(w, r, map[string]any{"post": ph.Post, "exclusions": ph.Exclusions})
	return nil
}

// putPostExclusion records a base holiday the post works through. The date
// must be one of its base calendars' holidays (or calendar closures) that
// year: an exclusion elsewhere would silently do nothing, which is almost
// always a typo. (The check reads, then writes: a calendar changed in
// between leaves a harmless exclusion that removes nothing.)
func (s *Server) putPostExclusion(w http.ResponseWriter, r *http.Request) error {
	code := chi.URLParam(r, "code")
	e, err := readExclusion(r)
	if err == nil {
		err = s.checkExcludable(r, code, e.Date)
	}
	if err != nil {
		return err
	}
	created, _, err := s.store.PutPostExclusion(r.Context(), code, e)
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(created), e)
	return nil
}

// checkExcludable reports an EInvalid error unless d is a base holiday of
// post code.
func (s *Server) checkExcludable(r *http.Request, code string, d domain.Date) error {
	ph, st, err := s.postLayers(r, code)
	if err != nil {
		return err
	}
	// The base holidays alone: no closures, and no exclusions (the date
	// may be excluded already: re-sending must succeed).
	rules := ph.Rules()
	rules.Closures, rules.Exclusions = nil, nil
	es, err := st.PostYear(rules, d.Year)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.Date == d {
			return nil
		}
	}
	cals := any(domain.T("none"))
	if len(ph.Calendars) > 0 {
		cals = strings.Join(ph.Calendars, ", ")
	}
	return domain.Invalid("the date is not a base holiday of the post", domain.FieldErrorf("date",
		"%s is not a holiday of post %s's base calendars (%s): an exclusion removes a base holiday the post works through; to close on a day, add a closure", d, ph.Post, cals))
}

func (s *Server) deletePostExclusion(w http.ResponseWriter, r *http.Request) error {
	d, err := dateParam(r)
	if err == nil {
		err = s.store.DeletePostExclusion(r.Context(), chi.URLParam(r, "code"), d)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
