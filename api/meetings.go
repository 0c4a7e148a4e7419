package api

import (
	"net/http"
	"time"

	"franja/domain"
	"franja/engine"
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
	tls := make([]*engine.Timeline, 0, len(in.People))
	locs := map[string]*time.Location{}
	for _, id := range in.People {
		person, err := s.person(snap, p, id)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if person.Timeline == nil || !person.HasSchedule {
			writeError(w, r, domain.Invalid("someone has no schedule", domain.FieldError{Field: "people", Message: id + " has no working schedule on record, so no common slot can include them"}))
			return
		}
		if _, dup := locs[id]; !dup {
			tls = append(tls, person.Timeline)
			locs[id] = person.Location()
		}
	}
	ivs := distinctSlots(engine.CommonSlots(tls, from, to, dur, gran, candidates(limit, dur, gran)), limit)
	slots := make([]slotJSON, len(ivs))
	for i, iv := range ivs {
		sl := slotJSON{Start: utc(iv.Start), End: utc(iv.End), Local: map[string]intervalJSON{}}
		for id, loc := range locs {
			sl.Local[id] = renderInterval(iv, loc)
		}
		slots[i] = sl
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"duration": formatDuration(dur), "granularity": formatDuration(gran), "from": utc(from), "to": utc(to), "slots": slots,
	})
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
		v.Add(field, "%s", err.Error())
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
		v.Add(field, "%s", err.Error())
		return def
	}
	if d < min || d > max {
		v.Add(field, "must be from %s to %s", formatDuration(min), formatDuration(max))
	}
	return d
}
