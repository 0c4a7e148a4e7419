package api

import (
	"net/http"
	"slices"
	"time"

	"franja/decide"
	"franja/domain"
	"franja/engine"
	"franja/view"
)

// meetingRequest is the body of POST /v1/meeting-slots.
type meetingRequest struct {
	People      []string `json:"people"`
	Duration    string   `json:"duration"`
	From        string   `json:"from"`
	To          string   `json:"to"`
	Limit       *int     `json:"limit"`
	Granularity string   `json:"granularity"`
}

// slotJSON is a common slot, in UTC and in each person's zone.
type slotJSON struct {
	Start string                  `json:"start"`
	End   string                  `json:"end"`
	Local map[string]intervalJSON `json:"local"`
}

// meetingSlots answers POST /v1/meeting-slots: the earliest slots inside
// everyone's allowed time, starts on granularity boundaries.
func (s *Server) meetingSlots(w http.ResponseWriter, r *http.Request) {
	snap, err := s.snapshot()
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in meetingRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	var v domain.Validator
	switch {
	case len(in.People) == 0:
		v.Add("people", "list at least one external_id")
	case len(in.People) > maxMeetingPeople:
		v.Add("people", "lists %d people; at most %d", len(in.People), maxMeetingPeople)
	}
	dur := bodyDuration(&v, "duration", in.Duration, 0, time.Minute, 24*time.Hour)
	gran := bodyDuration(&v, "granularity", in.Granularity, defaultGranularity, time.Minute, 24*time.Hour)
	from, to := bodyInstant(&v, "from", in.From), bodyInstant(&v, "to", in.To)
	checkRange(&v, from, to, maxAvailability)
	limit := 5
	if in.Limit != nil {
		limit = *in.Limit
		v.Check(limit >= 1 && limit <= 100, "limit", "must be from 1 to 100")
	}
	if err := v.Err("the meeting request is not valid"); err != nil {
		writeError(w, r, err)
		return
	}
	p := principalOf(r.Context())
	asked := to
	to, cut := s.disclosureFor(p, from).clamp(to)
	people := make([]*view.Person, 0, len(in.People))
	seen := map[string]bool{}
	for _, id := range in.People {
		person, err := decide.Scope(snap, p, id)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if person.Calendar == nil || !person.HasSchedule {
			writeError(w, r, domain.Invalid("someone has no schedule", domain.FieldErrorf("people", "%s has no working schedule on record, so no common slot can include them", id)))
			return
		}
		if !seen[id] {
			seen[id] = true
			people = append(people, person)
		}
	}
	ivs := commonSlots(people, from, to, dur, gran, limit)
	slots := make([]slotJSON, len(ivs))
	for i, iv := range ivs {
		sl := slotJSON{Start: utc(iv.Start), End: utc(iv.End), Local: map[string]intervalJSON{}}
		for _, person := range people {
			sl.Local[person.ExternalID] = personInterval(person, iv)
		}
		slots[i] = sl
	}
	out := map[string]any{
		"duration": asSent(in.Duration, dur), "granularity": asSent(in.Granularity, gran), "from": utc(from), "to": utc(asked), "slots": slots,
	}
	if cut { // slots were searched only until ask_again_at
		out["disclosure_horizon_reached"], out["ask_again_at"] = true, utc(to)
	}
	writeJSON(w, http.StatusOK, out)
}

// commonSlots finds up to limit slots that do not overlap. The range is
// split where anyone's zone changes (a service commission starts or ends),
// and each part is searched with the timelines in force in it; a slot does
// not straddle such a change.
func commonSlots(people []*view.Person, from, to time.Time, dur, gran time.Duration, limit int) []engine.Interval {
	cuts := []time.Time{from, to}
	for _, p := range people {
		cuts = append(cuts, p.Calendar.Boundaries(from, to)...)
	}
	slices.SortFunc(cuts, time.Time.Compare)
	cuts = slices.CompactFunc(cuts, time.Time.Equal)
	var out []engine.Interval
	for i := 0; i+1 < len(cuts) && len(out) < limit; i++ {
		tls := make([]*engine.Timeline, len(people))
		for j, p := range people {
			tls[j] = p.Calendar.Timeline(cuts[i])
		}
		part := engine.CommonSlots(tls, cuts[i], cuts[i+1], dur, gran, candidates(limit-len(out), dur, gran))
		out = append(out, distinctSlots(part, limit-len(out))...)
	}
	return out
}

// candidates is how many aligned starts to ask the engine for so that limit
// slots that do not overlap can be picked from them: each slot hides at most
// dur/gran later starts.
func candidates(limit int, dur, gran time.Duration) int {
	per := int(dur/gran) + 1
	return min(limit*per, 100_000)
}

// distinctSlots keeps the earliest slot, then the earliest that starts at or
// after its end, and so on: a caller asking for five options gets five
// different meetings, not one meeting shifted by a quarter of an hour.
func distinctSlots(ivs []engine.Interval, limit int) []engine.Interval {
	out := make([]engine.Interval, 0, limit)
	for _, iv := range ivs {
		if len(out) == limit {
			break
		}
		if len(out) == 0 || !iv.Start.Before(out[len(out)-1].End) {
			out = append(out, iv)
		}
	}
	return out
}

func bodyInstant(v *domain.Validator, field, s string) time.Time {
	if s == "" {
		v.Add(field, "is required: an RFC 3339 instant")
		return time.Time{}
	}
	t, err := parseInstant(s)
	if err != nil {
		v.Add(field, "%s", err)
	}
	return t
}

func bodyDuration(v *domain.Validator, field, s string, def, min, max time.Duration) time.Duration {
	if s == "" {
		if def == 0 {
			v.Add(field, "is required: an ISO 8601 duration such as PT1H")
		}
		return def
	}
	d, err := parseDuration(s)
	if err != nil {
		v.Add(field, "%s", err)
		return def
	}
	if d < min || d > max {
		v.Add(field, "must be from %s to %s", formatDuration(min), formatDuration(max))
	}
	return d
}
