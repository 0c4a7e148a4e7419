// Package view keeps in memory everything a decision needs (people, posts,
// effective schedules, holiday sets per post and year, leave), compiled from
// PostgreSQL and kept current through the change feed (LISTEN
// franja_changes). PostgreSQL stays the source of truth: a restarted replica
// rebuilds the same view.
//
// Each version of the view is an immutable Snapshot behind an atomic
// pointer: readers never lock, and a writer builds the next version by
// copying only the shard of people that changed.
package view

import (
	"hash/maphash"
	"slices"
	"sort"
	"time"

	"franja/calendars"
	"franja/domain"
	"franja/engine"
)

// nShards splits people so that applying one change copies 1/nShards of
// them: about 300 map entries at 1.2 million people (with 256 shards it was
// 4,700, a few milliseconds an apply), for 32 kB more per snapshot.
const nShards = 4096

var seed = maphash.MakeSeed()

func shardOf(id string) int { return int(maphash.String(seed, id) % nShards) }

// Snapshot is one immutable version of the view.
type Snapshot struct {
	shards [nShards]map[string]*Person
	posts  map[string]*Post
	stored *calendars.Stored
	people int
	keys   map[[32]byte]*Key
	keyIDs map[int64]*Key
	// pos orders the database snapshots the view was read from: a
	// snapshot taken later sees every commit an earlier one saw, so a
	// Snapshot never replaces one of a higher pos (see View.publish).
	pos uint64
}

// Post is a post as decisions see it.
type Post struct {
	Code       string
	ZoneName   string
	Zone       *time.Location
	Calendars  []string
	Picks      []calendars.Pick
	BeyondData domain.BeyondData
	Schedules  []engine.ScheduleVersion
	Holidays   *Holidays
	// Turns are the post's on-call turns, by start (they never overlap).
	Turns []Turn
	row   *postRow
	// compiled are Schedules compiled once for everyone at the post (nil
	// when they do not compile); names and unknown are Holidays' lookups,
	// made once rather than per person.
	compiled *engine.Schedules
	names    engine.HolidayFunc
	unknown  engine.UnknownFunc
}

// Turn is an on-call turn as decisions see it: who keeps the post's
// emergency line in [Start, End), and who backs them up ("" for nobody).
type Turn struct {
	ID             int64
	Post           string
	Person, Backup string
	Start, End     time.Time
}

// Covers reports whether t lies in [Start, End).
func (t *Turn) Covers(at time.Time) bool { return !at.Before(t.Start) && at.Before(t.End) }

// TurnAt returns the post's turn at t, or nil.
func (p *Post) TurnAt(t time.Time) *Turn {
	i := sort.Search(len(p.Turns), func(i int) bool { return p.Turns[i].End.After(t) })
	if i < len(p.Turns) && p.Turns[i].Covers(t) {
		return &p.Turns[i]
	}
	return nil
}

// Leave is what decisions need of a leave: when, whether it blocks, its kind
// (shown to hr and admin only) and its delegate. It is 40 bytes (a replica
// holds millions): the dates or instants as the engine keeps them, the kind
// as an index, the rare delegate and commission zone as a number (see
// extras): no pointer, so that the garbage collector need not scan them.
type Leave struct {
	ID          int64
	first, last int64  // engine.LeaveSpan's First and Last
	extra       uint32 // see extras (0: none)
	kind        uint8  // index in domain.LeaveKinds; unknownKind: the extra's kind
	allDay      bool
}

const unknownKind = 255

// NewLeave returns a leave: all-day from startDate to endDate, or partial
// over [start, end) when startDate is zero. timeZone is where a service
// commission is carried out ("" = home).
func NewLeave(id int64, kind domain.LeaveKind, delegate, timeZone string, startDate, endDate domain.Date, start, end time.Time) Leave {
	l := Leave{ID: id, kind: unknownKind, allDay: !startDate.IsZero()}
	if i := slices.Index(domain.LeaveKinds, kind); i >= 0 && i < unknownKind {
		l.kind = uint8(i)
	}
	if delegate != "" || timeZone != "" || l.kind == unknownKind {
		l.extra = internExtra(leaveExtra{delegate: delegate, zone: timeZone, kind: kind})
	}
	if l.allDay {
		l.first, l.last = engine.DayNumber(startDate), engine.DayNumber(endDate)
	} else {
		l.first, l.last = engine.UnixNS(start), engine.UnixNS(end)
	}
	return l
}

// Kind returns the leave's kind.
func (l *Leave) Kind() domain.LeaveKind {
	if l.kind == unknownKind {
		return extraOf(l.extra).kind
	}
	return domain.LeaveKinds[l.kind]
}

// Delegate returns who answers for the person during the leave ("" = nobody).
func (l *Leave) Delegate() string {
	return extraOf(l.extra).delegate
}

// TimeZone returns where a service commission is carried out ("" = home).
func (l *Leave) TimeZone() string {
	return extraOf(l.extra).zone
}

// AllDay reports whether the leave is given as dates rather than instants.
func (l *Leave) AllDay() bool { return l.allDay }

// StartDate and EndDate are an all-day leave's first and last dates (zero
// for a partial leave).
func (l *Leave) StartDate() domain.Date { return l.date(l.first) }

// EndDate: see StartDate.
func (l *Leave) EndDate() domain.Date { return l.date(l.last) }

func (l *Leave) date(n int64) domain.Date {
	if !l.allDay {
		return domain.Date{}
	}
	return engine.DateOfDay(n)
}

// Start and End are a partial leave's instants (zero for an all-day leave).
func (l *Leave) Start() time.Time { return l.instant(l.first) }

// End: see Start.
func (l *Leave) End() time.Time { return l.instant(l.last) }

func (l *Leave) instant(ns int64) time.Time {
	if l.allDay {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// span returns the leave as the engine keeps it.
func (l *Leave) span() engine.LeaveSpan {
	return engine.LeaveSpan{ID: l.ID, First: l.first, Last: l.last, AllDay: l.allDay, Blocks: l.Kind().Blocks()}
}

// Person is a person as decisions see it, with their compiled timeline.
type Person struct {
	ExternalID string
	FullName   string
	Post       string
	Supervisor string
	Exception  domain.Exception
	ZoneName   string
	// Timeline answers allowed-time questions in the person's home zone;
	// nil when the zone could not be loaded (never for data the database
	// accepted).
	Timeline *engine.Timeline
	// Calendar answers them across zones: Timeline, except during a
	// service commission that carries a zone. Nil when Timeline is.
	Calendar *Calendar
	// HasSchedule is false when neither the person nor their post has any
	// schedule version: decisions then say no_schedule.
	HasSchedule bool
	Leaves      []Leave
	// Turns are the on-call turns the person keeps or backs up, by start.
	Turns []Turn
	row   *personRow
	// tl and cal are what Timeline and Calendar point to (see compilePerson).
	tl  engine.Timeline
	cal Calendar
}

// LeaveByID returns the person's leave with id, or nil.
func (p *Person) LeaveByID(id int64) *Leave {
	for i := range p.Leaves {
		if p.Leaves[i].ID == id {
			return &p.Leaves[i]
		}
	}
	return nil
}

// Person returns the person with external id, or nil.
func (s *Snapshot) Person(id string) *Person { return s.shards[shardOf(id)][id] }

// Post returns the post with code, or nil.
func (s *Snapshot) Post(code string) *Post { return s.posts[code] }

// Len returns the number of people.
func (s *Snapshot) Len() int { return s.people }

// Stored returns the stored calendar data (uploads and closures).
func (s *Snapshot) Stored() *calendars.Stored { return s.stored }

// Reports reports whether person is in supervisor's reporting line: a direct
// or indirect report, following the supervisor chain upwards.
func (s *Snapshot) Reports(supervisor, person string) bool {
	seen := 0
	for p := s.Person(person); p != nil && p.Supervisor != "" && seen < 1000; seen++ {
		if p.Supervisor == supervisor {
			return true
		}
		p = s.Person(p.Supervisor)
	}
	return false
}
