package api

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/decide"
	"franja/domain"
	"franja/engine"
	"franja/policy"
	"franja/view"
)

// intervalJSON is an allowed interval, in UTC and in the person's zone.
type intervalJSON struct {
	Start      string `json:"start"`
	End        string `json:"end"`
	LocalStart string `json:"local_start"`
	LocalEnd   string `json:"local_end"`
}

func renderInterval(iv engine.Interval, loc *time.Location) intervalJSON {
	return intervalJSON{Start: utc(iv.Start), End: utc(iv.End), LocalStart: local(iv.Start, loc), LocalEnd: local(iv.End, loc)}
}

// personInterval renders iv in the zone p is in when it starts (home, or a
// service commission's).
func personInterval(p *view.Person, iv engine.Interval) intervalJSON {
	loc, _ := p.ZoneAt(iv.Start)
	return renderInterval(iv, loc)
}

// noTimeline explains why a person without a usable schedule has no slots.
func noTimeline(p *view.Person, lang policy.Lang) *reasonJSON {
	if p.HasSchedule && p.Calendar != nil {
		return nil
	}
	r := renderReason(policy.Reason{Code: policy.NoSchedule}, lang)
	return &r
}

// askedPerson finishes a per-person question: it reports q's problems, or
// else finds the person in the path within the caller's scope. On failure it
// has written the problem and returns nil.
func (s *Server) askedPerson(w http.ResponseWriter, r *http.Request, q *query) *view.Person {
	snap, err := s.snapshot()
	if err == nil {
		err = q.err()
	}
	var person *view.Person
	if err == nil {
		person, err = decide.Scope(snap, principalOf(r.Context()), chi.URLParam(r, "external_id"))
	}
	if err != nil {
		writeError(w, r, err)
		return nil
	}
	return person
}

// nextSlot answers GET /v1/people/{external_id}/next-slot: the earliest
// [start, end) of the given length wholly inside allowed time.
func (s *Server) nextSlot(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	after := q.instant("after", s.now())
	dur := q.duration("duration", 30*time.Minute, time.Minute, 24*time.Hour)
	horizon := q.duration("horizon", engine.DefaultHorizon, time.Hour, engine.MaxHorizon)
	p := principalOf(r.Context())
	person := s.askedPerson(w, r, q)
	if person == nil {
		return
	}
	dc := s.disclosureFor(p, after)
	loc, zoneName := person.ZoneAt(after)
	out := map[string]any{
		"person": person.ExternalID, "time_zone": zoneName, "after": utc(after), "local_after": local(after, loc),
		"duration": asSent(q.str("duration"), dur), "start": nil, "end": nil, "local_start": nil, "local_end": nil,
	}
	lang := policyLang(r)
	if why := noTimeline(person, lang); why != nil {
		out["reason"] = why
		writeJSON(w, http.StatusOK, out)
		return
	}
	search, cut := horizon, dc.Hides(after.Add(horizon))
	if cut {
		search = dc.Until.Sub(after)
	}
	iv, ok := person.Calendar.NextSlot(after, dur, search)
	switch {
	case cut && (!ok || dc.Hides(iv.End)):
		out["disclosure_horizon_reached"], out["ask_again_at"] = true, dc.askAgain()
		out["reason"] = disclosureReason(s.disclosureHorizon, lang)
		writeJSON(w, http.StatusOK, out)
		return
	case !ok:
		out["horizon_reached"] = true
		out["reason"] = horizonReason(horizon, lang)
		writeJSON(w, http.StatusOK, out)
		return
	}
	j := personInterval(person, iv)
	out["start"], out["end"], out["local_start"], out["local_end"] = j.Start, j.End, j.LocalStart, j.LocalEnd
	writeJSON(w, http.StatusOK, out)
}

// horizonReason says that nothing was found within the horizon.
func horizonReason(h time.Duration, lang policy.Lang) reasonJSON {
	msg := [2]string{
		"No hay un espacio permitido de esa duración dentro del horizonte de búsqueda (" + formatDuration(h) + ").",
		"No allowed slot of that length exists within the search horizon (" + formatDuration(h) + ").",
	}[lang]
	return reasonJSON{Code: "horizon_reached", Message: msg}
}

// disclosureReason says that the answer lies beyond what this key may see.
func disclosureReason(h time.Duration, lang policy.Lang) reasonJSON {
	msg := [2]string{
		"No hay un espacio permitido de esa duración dentro del horizonte de divulgación de esta clave (" + formatDuration(h) + "); pregunte de nuevo en ask_again_at.",
		"No allowed slot of that length lies within this key's disclosure horizon (" + formatDuration(h) + "); ask again at ask_again_at.",
	}[lang]
	return reasonJSON{Code: "disclosure_horizon_reached", Message: msg}
}

// availability answers GET /v1/people/{external_id}/availability: the
// allowed intervals in [from, to), at most 93 days.
func (s *Server) availability(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	from, to := q.requiredInstant("from"), q.requiredInstant("to")
	checkRange(&q.v, from, to, maxAvailability)
	p := principalOf(r.Context())
	person := s.askedPerson(w, r, q)
	if person == nil {
		return
	}
	asked := to
	to, cut := s.disclosureFor(p, from).clamp(to)
	loc, zoneName := person.ZoneAt(from)
	out := map[string]any{
		"person": person.ExternalID, "time_zone": zoneName,
		"from": utc(from), "to": utc(to), "local_from": local(from, loc), "local_to": local(to, loc),
		"intervals": []intervalJSON{},
	}
	if cut { // "to" says what was asked; the intervals stop at ask_again_at
		out["to"], out["local_to"] = utc(asked), local(asked, loc)
		out["disclosure_horizon_reached"], out["ask_again_at"] = true, ptr(utc(to))
	}
	if why := noTimeline(person, policyLang(r)); why != nil {
		out["reason"] = why
		writeJSON(w, http.StatusOK, out)
		return
	}
	ivs := person.Calendar.Intervals(from, to)
	list := make([]intervalJSON, len(ivs))
	for i, iv := range ivs {
		list[i] = personInterval(person, iv)
	}
	out["intervals"] = list
	writeJSON(w, http.StatusOK, out)
}

// checkRange requires from < to and a span of at most max.
func checkRange(v *domain.Validator, from, to time.Time, max time.Duration) {
	if from.IsZero() || to.IsZero() {
		return
	}
	if !to.After(from) {
		v.Add("to", "must be after from")
	} else if to.Sub(from) > max {
		v.Add("to", "the range is longer than %s; ask in parts", formatDuration(max))
	}
}
