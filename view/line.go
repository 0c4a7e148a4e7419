package view

import (
	"cmp"
	"slices"

	"franja/engine"
)

// Line returns everyone in supervisor's reporting line (direct and indirect
// reports, not the supervisor), by external id. It walks every person's
// chain upwards, as Reports does: a feed or a page asks it now and then, not
// a decision.
func (s *Snapshot) Line(supervisor string) []*Person {
	var out []*Person
	for _, sh := range s.shards {
		for id, p := range sh {
			if id != supervisor && s.Reports(supervisor, id) {
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(a, b *Person) int { return cmp.Compare(a.ExternalID, b.ExternalID) })
	return out
}

// Schedules returns the schedule versions in force for p (their post's
// until their own first version takes effect, then their own), in date
// order.
func (s *Snapshot) Schedules(p *Person) []engine.ScheduleVersion {
	var post []engine.ScheduleVersion
	if pp := s.Post(p.Post); pp != nil {
		post = pp.Schedules
	}
	var own []engine.ScheduleVersion
	if p.row != nil {
		own = p.row.Schedules
	}
	out := slices.Clone(mergeSchedules(post, own))
	slices.SortStableFunc(out, func(a, b engine.ScheduleVersion) int { return a.From.Compare(b.From) })
	return out
}
