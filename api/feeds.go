package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/decide"
	"franja/domain"
	"franja/engine"
	"franja/feed"
	"franja/policy"
	"franja/postgres"
	"franja/view"
)

// Feeds (API.md, Feeds; issue 13). POST /v1/feeds makes a feed and shows its
// URL once; the URL's secret is the capability, stored only as a hash.
// GET /feeds/{secret}.ics needs no token: it looks the feed up by the
// secret's hash on every request (one indexed row, so a revocation answers
// 404 on every replica at once) and builds the calendar from the in-memory
// view. Package feed builds and writes the calendars.

func (s *Server) feedRoutes(r chi.Router) {
	who := allow(RoleHR, RoleSupervisor) // and admin; a system key reads decisions, not calendars
	r.With(who).Post("/feeds", s.createFeed)
	r.With(who).Get("/feeds", s.listFeeds)
	r.With(who).Delete("/feeds/{id}", s.revokeFeed)
	r.Get("/people/{external_id}/working-hours", s.workingHours) // every role; a supervisor for their line
}

// feedJSON is a feed as the API shows it (never its secret, except url and
// webcal_url in the answer that creates it).
type feedJSON struct {
	ID        int64   `json:"id"`
	Kind      string  `json:"kind"`
	Subject   string  `json:"subject"`
	Lang      string  `json:"lang"`
	Owner     *string `json:"owner"`
	CreatedAt string  `json:"created_at"`
	RevokedAt *string `json:"revoked_at"`
	URL       string  `json:"url,omitempty"`
	WebcalURL string  `json:"webcal_url,omitempty"`
}

func renderFeed(f postgres.Feed) feedJSON {
	j := feedJSON{ID: f.ID, Kind: f.Kind, Subject: f.Subject, Lang: f.Lang, CreatedAt: utc(f.CreatedAt)}
	if f.Owner != "" {
		j.Owner = &f.Owner
	}
	if f.RevokedAt != nil {
		t := utc(*f.RevokedAt)
		j.RevokedAt = &t
	}
	return j
}

var (
	feedKinds = []string{postgres.FeedPerson, postgres.FeedTeam, postgres.FeedPostHolidays}
	feedLangs = []string{"es", "en"}
)

// createFeed answers POST /v1/feeds.
func (s *Server) createFeed(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Kind    string `json:"kind"`
		Subject string `json:"subject"`
		Lang    string `json:"lang"`
	}
	if err := decodeJSON(r, &b); err != nil {
		writeError(w, r, err)
		return
	}
	p := principalOf(r.Context())
	nf := postgres.NewFeed{Kind: b.Kind, Subject: strings.TrimSpace(b.Subject), Lang: b.Lang, APIKey: p.KeyID}
	if nf.Lang == "" {
		nf.Lang = "es"
	}
	if p.Role == RoleSupervisor {
		nf.Owner = p.Person
	}
	err := s.checkNewFeed(p, nf)
	var f postgres.Feed
	var secret string
	if err == nil {
		f, secret, err = s.store.CreateFeed(r.Context(), nf, s.now())
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	j := renderFeed(f)
	j.URL, j.WebcalURL = s.feedURLs(r, secret)
	w.Header().Set("Cache-Control", "no-store") // the URL is a secret
	writeJSON(w, http.StatusCreated, j)
}

// checkNewFeed validates a new feed and checks that p may make it: hr and
// admin for anyone, a supervisor for their line and themselves, never a
// post's holidays.
func (s *Server) checkNewFeed(p *Principal, f postgres.NewFeed) error {
	var v domain.Validator
	v.Check(contains(feedKinds, f.Kind), "kind", "must be one of person, team, post_holidays (got %q)", f.Kind)
	v.Check(contains(feedLangs, f.Lang), "lang", "must be es (Spanish, the default) or en (English) (got %q)", f.Lang)
	v.Check(f.Subject != "", "subject", "is required: the person's external_id (person, team) or the post's code (post_holidays)")
	if err := v.Err("the feed is not valid"); err != nil {
		return err
	}
	snap, err := s.snapshot()
	if err != nil {
		return err
	}
	if f.Kind == postgres.FeedPostHolidays {
		if p.Role == RoleSupervisor {
			return domain.Errorf(domain.EForbidden, "a supervisor key makes person and team feeds for its reporting line; hr makes a post's holiday feed")
		}
		v.Check(snap.Post(f.Subject) != nil, "subject", "no post has code %q", f.Subject)
		return v.Err("the feed is not valid")
	}
	if _, err := decide.Scope(snap, p, f.Subject); err != nil {
		if domain.ErrorCodeOf(err) != domain.ENotFound {
			return err
		}
		v.Add("subject", "no person has external_id %q", f.Subject)
	} else if f.Kind == postgres.FeedTeam && len(snap.Line(f.Subject)) == 0 {
		v.Add("subject", "nobody reports to %s: a team feed lists a supervisor's reporting line; make a person feed instead", f.Subject)
	}
	return v.Err("the feed is not valid")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// feedURLs are a feed's https (or http) and webcal:// addresses: under
// Config.PublicURL when set, else under the host the request named.
func (s *Server) feedURLs(r *http.Request, secret string) (string, string) {
	base := s.publicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	u := strings.TrimSuffix(base, "/") + "/feeds/" + secret + ".ics"
	_, rest, _ := strings.Cut(u, "://")
	return u, "webcal://" + rest
}

// listFeeds answers GET /v1/feeds: every feed for hr and admin, a
// supervisor's own.
func (s *Server) listFeeds(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	owner := ""
	if p.Role == RoleSupervisor {
		owner = p.Person
	}
	fs, err := s.store.ListFeeds(r.Context(), owner)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := make([]feedJSON, len(fs))
	for i, f := range fs {
		out[i] = renderFeed(f)
	}
	writeJSON(w, http.StatusOK, map[string]any{"feeds": out})
}

// revokeFeed answers DELETE /v1/feeds/{id}. A supervisor revokes only the
// feeds it made; another's is not found, as a missing one.
func (s *Server) revokeFeed(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, r, domain.Errorf(domain.ENotFound, "no feed has id %s", quoteParam(chi.URLParam(r, "id"))))
		return
	}
	p := principalOf(r.Context())
	if p.Role == RoleSupervisor {
		f, err := s.store.FindFeed(r.Context(), id)
		if err == nil && f.Owner != p.Person {
			err = domain.Errorf(domain.ENotFound, "no feed has id %d", id)
		}
		if err != nil {
			writeError(w, r, err)
			return
		}
	}
	if _, err := s.store.RevokeFeed(r.Context(), id, s.now()); err != nil {
		writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// getFeed answers GET /feeds/{file}: the feed's calendar, or 304 when
// If-None-Match names its current entity tag.
func (s *Server) getFeed(w http.ResponseWriter, r *http.Request) {
	secret, ok := strings.CutSuffix(chi.URLParam(r, "file"), ".ics")
	if !ok || !postgres.ValidFeedSecret(secret) {
		s.feedMissing(w, r)
		return
	}
	now := s.now()
	f, err := s.store.FindActiveFeed(r.Context(), secret, now)
	if domain.ErrorCodeOf(err) == domain.ENotFound {
		s.feedMissing(w, r)
		return
	}
	var cal feed.Calendar
	if err == nil {
		cal, err = s.buildFeed(f, now)
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	tag := cal.ETag()
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", "private, max-age=900")
	if noneMatch(r, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="franja.ics"`)
	w.WriteHeader(http.StatusOK)
	if err := cal.Write(w, now.UTC()); err != nil {
		logger(r).Warn("writing a feed", "feed", f.ID, "error", err.Error())
	}
}

// redactFeedPath hides a feed's secret in a path that is logged: the URL
// is the capability, and logs are read by more people than feeds are.
func redactFeedPath(path string) string {
	if rest, ok := strings.CutPrefix(path, "/feeds/"); ok && rest != "" {
		return "/feeds/[redacted]"
	}
	return path
}

// feedMissing answers a feed address that opens nothing: 404, or 429 once
// the address has failed too often (guessing is hopeless against 256-bit
// secrets, but the lookups it causes are bounded too).
func (s *Server) feedMissing(w http.ResponseWriter, r *http.Request) {
	if s.authFailures != nil && s.authFailures.RespondOnLimit(w, r, s.clientAddr(r)) {
		return
	}
	writeError(w, r, domain.Errorf(domain.ENotFound, "no feed has this address: it was revoked, or never existed"))
}

// buildFeed builds f's calendar from the view. A feed made by a supervisor
// shows only what is still in their line: someone who has left it drops
// out of a team feed, and a person feed about them stops (404).
func (s *Server) buildFeed(f postgres.Feed, now time.Time) (feed.Calendar, error) {
	snap, err := s.snapshot()
	if err != nil {
		return feed.Calendar{}, err
	}
	lang := policy.Spanish
	if f.Lang == "en" {
		lang = policy.English
	}
	gone := domain.Errorf(domain.ENotFound, "this feed's subject is no longer there: no feed has this address")
	if f.Kind == postgres.FeedPostHolidays {
		post := snap.Post(f.Subject)
		if post == nil {
			return feed.Calendar{}, gone
		}
		return feed.PostHolidays(post, now, lang), nil
	}
	p := snap.Person(f.Subject)
	if p == nil || (f.Owner != "" && f.Owner != f.Subject && !snap.Reports(f.Owner, f.Subject)) {
		return feed.Calendar{}, gone
	}
	// A supervisor's feed (it has an owner) shows no more than the
	// disclosure horizon, either way: a 14-day gap a month ago is a
	// paternity leave as surely as one ahead.
	days := func(past, future int) (int, int) {
		if f.Owner == "" || s.disclosureHorizon <= 0 {
			return past, future
		}
		h := int((s.disclosureHorizon + 24*time.Hour - 1) / (24 * time.Hour))
		return min(past, h), min(future, h)
	}
	if f.Kind == postgres.FeedTeam {
		past, future := days(feed.TeamPastDays, feed.TeamFutureDays)
		return feed.TeamWithin(p, snap.Line(f.Subject), now, lang, past, future), nil
	}
	past, future := days(feed.PersonPastDays, feed.PersonFutureDays)
	return feed.PersonWithin(p, snap.Post(p.Post), now, lang, past, future), nil
}

// workingHours answers GET /v1/people/{external_id}/working-hours: the
// schedule in force today, in Microsoft Graph's workingHours shape, saying
// where the schedule does not fit it.
func (s *Server) workingHours(w http.ResponseWriter, r *http.Request) {
	person := s.askedPerson(w, r, newQuery(r))
	if person == nil {
		return
	}
	snap, err := s.snapshot()
	if err != nil {
		writeError(w, r, err)
		return
	}
	now := s.now()
	today := domain.DateOf(now.In(person.Location()))
	cur, next := scheduleOn(snap, person, today)
	f := feed.Flatten(cur.Schedule, person.ZoneName, policyLang(r))
	out := map[string]any{
		"person": person.ExternalID, "time_zone": person.ZoneName, "date": today.String(),
		"effective_from": nil, "next_change": nil,
		"working_hours": f.WorkingHours, "exact": f.Exact, "notes": f.Notes, "schedule": cur.Schedule,
	}
	if f.Notes == nil {
		out["notes"] = []feed.Note{}
	}
	if !cur.From.IsZero() {
		out["effective_from"] = cur.From.String()
	}
	if !next.IsZero() {
		out["next_change"] = next.String()
	}
	writeJSON(w, http.StatusOK, out)
}

// scheduleOn returns the version in force for p on d and the date the next
// one takes effect (zero: none).
func scheduleOn(snap *view.Snapshot, p *view.Person, d domain.Date) (cur engine.ScheduleVersion, next domain.Date) {
	for _, v := range snap.Schedules(p) {
		if v.From.After(d) {
			return cur, v.From
		}
		cur = v
	}
	return cur, domain.Date{}
}
