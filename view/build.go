package view

import (
	"time"

	"franja/calendars"
	"franja/domain"
	"franja/engine"
)

// personRow is a person's own data as stored, kept so that the person can be
// recompiled when their post changes.
type personRow struct {
	ExternalID, FullName, Post, Supervisor string
	Exception                              domain.Exception
	ZoneOverride                           string
	Schedules                              []engine.ScheduleVersion
	Leaves                                 []Leave
	Turns                                  []Turn // on-call turns as primary or backup, by start
}

// postRow is a post's data as stored.
type postRow struct {
	Code, ZoneName string
	Calendars      []string
	Picks          []calendars.Pick
	BeyondData     domain.BeyondData
	Schedules      []engine.ScheduleVersion
	Closures       []calendars.Holiday
	Exclusions     []domain.Date
	Turns          []Turn
}

// compilePost builds a Post over the stored calendar data.
func compilePost(r *postRow, stored *calendars.Stored) *Post {
	zone, ok := domain.LoadZone(r.ZoneName)
	if !ok {
		zone = nil
	}
	var compiled *engine.Schedules
	if c, err := engine.CompileSchedules(r.Schedules); err == nil {
		compiled = c // on an error, each timeline is refused as before
	}
	holidays := newHolidays(stored, calendars.PostRules{Calendars: r.Calendars, Picks: r.Picks, Closures: r.Closures, Exclusions: r.Exclusions})
	return &Post{
		compiled:   compiled,
		names:      holidays.Names,
		unknown:    holidays.Unknown,
		Code:       r.Code,
		ZoneName:   r.ZoneName,
		Zone:       zone,
		Calendars:  r.Calendars,
		Picks:      r.Picks,
		BeyondData: r.BeyondData,
		Schedules:  r.Schedules,
		Holidays:   holidays,
		Turns:      r.Turns,
		row:        r,
	}
}

// compilePerson builds a Person from their row and their post. A person's
// own schedule versions replace the post's from the first one's date (see
// mergeSchedules); their own zone, when set, replaces the post's.
func compilePerson(r *personRow, post *Post) *Person {
	p := &Person{}
	compileInto(p, r, post, nil)
	return p
}

// spanSlab hands out LeaveSpan slices from shared arrays: a full load
// makes one allocation for many people's spans instead of one each.
type spanSlab struct{ buf []engine.LeaveSpan }

func (s *spanSlab) take(n int) []engine.LeaveSpan {
	if s == nil || n > 1024 {
		return make([]engine.LeaveSpan, 0, n)
	}
	if len(s.buf)+n > cap(s.buf) {
		s.buf = make([]engine.LeaveSpan, 0, 16<<10)
	}
	out := s.buf[len(s.buf) : len(s.buf) : len(s.buf)+n]
	s.buf = s.buf[:len(s.buf)+n]
	return out
}

// compileInto compiles into p, a zero Person (see compilePerson), taking
// the spans from slab (nil: their own allocation).
func compileInto(p *Person, r *personRow, post *Post, slab *spanSlab) {
	// Field by field: p is zero, and the whole struct at once cost a copy
	// with write barriers of its 400 bytes.
	p.ExternalID, p.FullName, p.Post, p.Supervisor = r.ExternalID, r.FullName, r.Post, r.Supervisor
	p.Exception, p.Leaves, p.Turns, p.row = r.Exception, r.Leaves, r.Turns, r
	if post == nil {
		return // cannot happen with the foreign key; answered as no_schedule
	}
	zoneName, zone := post.ZoneName, post.Zone
	if r.ZoneOverride != "" {
		if z, ok := domain.LoadZone(r.ZoneOverride); ok {
			zoneName, zone = r.ZoneOverride, z
		}
	}
	p.ZoneName = zoneName
	schedules := mergeSchedules(post.Schedules, r.Schedules)
	for _, v := range schedules {
		if !v.Schedule.IsEmpty() {
			p.HasSchedule = true
		}
	}
	if zone == nil {
		return
	}
	// The engine keeps the blocking leaves' spans without copying them, and
	// the post's compiled schedule versions, shared by everyone at the post.
	n := 0
	for i := range r.Leaves {
		if r.Leaves[i].Kind().Blocks() {
			n++
		}
	}
	var spans []engine.LeaveSpan
	if n > 0 {
		spans = slab.take(n)
		for i := range r.Leaves {
			if l := &r.Leaves[i]; l.Kind().Blocks() {
				spans = append(spans, l.span())
			}
		}
	}
	var compiled *engine.Schedules
	if len(r.Schedules) == 0 {
		compiled = post.compiled
	}
	build := func(tl *engine.Timeline, as []engine.Assignment) error {
		return tl.Init(engine.Person{Zone: zone, Schedules: schedules, Compiled: compiled, Holidays: post.names, Spans: spans,
			Assignments: as, HolidaysUnknown: post.unknown, UnknownClosed: post.BeyondData == domain.BeyondDataClosed})
	}
	// The timeline and the calendar live inside the Person: one object
	// for the garbage collector instead of three, at a million people.
	if build(&p.tl, nil) != nil {
		return
	}
	p.cal.tl = &p.tl
	p.Timeline, p.Calendar = &p.tl, &p.cal
	if as := assignments(r.Leaves); len(as) > 0 {
		atl := &engine.Timeline{}
		if build(atl, as) == nil {
			p.cal.tl = atl
		}
	}
}

// Location returns the person's zone (UTC when it could not be loaded).
func (p *Person) Location() *time.Location {
	if p.Timeline != nil {
		return p.Timeline.Zone()
	}
	return time.UTC
}

// mergeSchedules returns the versions in force for a person: the post's
// until the person's own first version takes effect, then the person's. An
// override announced for next month must not leave the person without a
// schedule until then.
func mergeSchedules(post, own []engine.ScheduleVersion) []engine.ScheduleVersion {
	if len(own) == 0 {
		return post
	}
	first := own[0].From
	for _, v := range own[1:] {
		if v.From.Before(first) {
			first = v.From
		}
	}
	out := make([]engine.ScheduleVersion, 0, len(post)+len(own))
	for _, v := range post {
		if v.From.Before(first) {
			out = append(out, v)
		}
	}
	return append(out, own...)
}
