package view

import (
	"time"

	"franja/domain"
	"franja/engine"
)

// Calendar is a person's allowed time across the zones they work in: their
// timeline, whose dates of a comisión de servicios that carries a zone are
// worked in that zone (a Bogotá official on mission in Tokyo works Tokyo
// hours, and must not be reached at Tokyo midnight), each date in one zone
// only (see engine.Assignment). The post's holidays and the person's leave
// apply on every date: the person remains an employee of their post.
type Calendar struct {
	tl *engine.Timeline
}

// assignments turns the commissions among leaves into the engine's: a
// commission's dates are dates where it happens, in its own zone; one given
// as instants covers the dates it touches there.
func assignments(leaves []Leave) []engine.Assignment {
	var out []engine.Assignment
	for i := range leaves {
		l := &leaves[i]
		if l.Kind() != domain.LeaveServiceCommission || l.TimeZone() == "" {
			continue
		}
		zone, ok := domain.LoadZone(l.TimeZone())
		if !ok {
			continue
		}
		from, to := l.StartDate(), l.EndDate()
		if from.IsZero() {
			from, to = domain.DateOf(l.Start().In(zone)), domain.DateOf(l.End().Add(-time.Nanosecond).In(zone))
		}
		out = append(out, engine.Assignment{From: from, To: to, Zone: zone})
	}
	return out
}

// Zone returns the zone the person is in at t and its name ("" = home).
func (c *Calendar) Zone(t time.Time) (*time.Location, string) {
	z := c.tl.ZoneAt(t)
	if z == c.tl.Zone() {
		return z, ""
	}
	return z, z.String()
}

// ZoneAt returns the zone the person is in at t.
func (c *Calendar) ZoneAt(t time.Time) *time.Location { return c.tl.ZoneAt(t) }

// Check answers whether t is allowed time.
func (c *Calendar) Check(t time.Time) engine.Status { return c.tl.Check(t) }

// NextAllowed returns the first allowed instant at or after t within horizon.
func (c *Calendar) NextAllowed(t time.Time, horizon time.Duration) (time.Time, bool) {
	return c.tl.NextAllowed(t, horizon)
}

// NextSlot returns the earliest slot of length d at or after after.
func (c *Calendar) NextSlot(after time.Time, d, horizon time.Duration) (engine.Interval, bool) {
	return c.tl.NextSlot(after, d, horizon)
}

// Intervals returns the allowed pieces in [from, to).
func (c *Calendar) Intervals(from, to time.Time) []engine.Interval { return c.tl.Intervals(from, to) }

// Boundaries returns the instants in (from, to) where the zone the person
// is in changes (a commission starts or ends).
func (c *Calendar) Boundaries(from, to time.Time) []time.Time { return c.tl.Assignments(from, to) }

// Timeline returns the engine timeline (one for every instant: the dates
// of a commission are in it, in their zone).
func (c *Calendar) Timeline(time.Time) *engine.Timeline { return c.tl }

// ZoneAt returns the zone the person is in at t, and its name: the home
// zone, or a service commission's while it lasts.
func (p *Person) ZoneAt(t time.Time) (*time.Location, string) {
	if p.Calendar != nil {
		if loc, name := p.Calendar.Zone(t); name != "" {
			return loc, name
		}
	}
	return p.Location(), p.ZoneName
}
