package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"franja/api"
	"franja/decide"
	"franja/domain"
	"franja/view"
)

type meetingSlot struct {
	Yours string
	Local []meetingLocal
}

type meetingLocal struct{ Name, Time, Zone string }

type checkOption struct {
	ID, Name string
	Checked  bool
}

// meeting is "Find a meeting time": the first common allowed slots of
// several people across their zones, found as POST /v1/meeting-slots finds
// them, within the viewer's scope (decide.Scope).
func (a *App) meeting(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.decide.Snapshot()
	if err != nil {
		return err
	}
	s := sessionOf(r)
	p := s.Principal()
	now := a.now()
	viewer := viewerZone(snap, s, now)
	q := r.URL.Query()
	chosen := q["person"]
	minutes, _ := strconv.Atoi(q.Get("minutes"))
	if minutes != 30 && minutes != 60 && minutes != 90 {
		minutes = 60
	}
	data := map[string]any{"Minutes": minutes, "Durations": []int{30, 60, 90}}
	var options []checkOption
	if s.Role == domain.RoleSupervisor {
		line := append([]*view.Person{snap.Person(s.Person)}, snap.Line(s.Person)...)
		for _, person := range line {
			if person != nil {
				options = append(options, checkOption{person.ExternalID, person.FullName, slices.Contains(chosen, person.ExternalID)})
			}
		}
	}
	data["Options"] = options
	if len(chosen) == 0 {
		return a.render(w, r, http.StatusOK, "meeting", data)
	}
	var people []*view.Person
	for _, id := range chosen {
		person, err := decide.Scope(snap, p, id)
		if err != nil {
			return err
		}
		if person.Calendar == nil || !person.HasSchedule {
			return domain.Invalid("someone has no schedule", domain.FieldErrorf("person", "%s has no working schedule on record, so no common slot can include them", id))
		}
		if !slices.Contains(people, person) {
			people = append(people, person)
		}
	}
	var slots []meetingSlot
	for _, iv := range api.MeetingSlots(people, now, now.Add(14*24*time.Hour), time.Duration(minutes)*time.Minute, 8) {
		sl := meetingSlot{Yours: localTime(iv.Start, viewer) + "–" + iv.End.In(viewer).Format("15:04")}
		for _, person := range people {
			loc, zone := person.ZoneAt(iv.Start)
			sl.Local = append(sl.Local, meetingLocal{person.FullName, localTime(iv.Start, loc) + "–" + iv.End.In(loc).Format("15:04"), zone})
		}
		slots = append(slots, sl)
	}
	data["Slots"], data["Asked"], data["Viewer"] = slots, true, viewer.String()
	return a.render(w, r, http.StatusOK, "meeting", data)
}
