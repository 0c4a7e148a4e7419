package engine

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

// The property test compares the engine with a deliberately naive reference
// written from the contract alone: a minute-by-minute bitmap of allowed time,
// painted from every date's windows (each in its own zone, when a service
// commission assigns dates elsewhere), with wall times resolved by scanning
// instants for the first whose wall clock reads the wanted time or later.

var (
	seedFlag  = flag.Uint64("seed", 20260302, "seed for TestAgainstReference")
	casesFlag = flag.Int("cases", 0, "number of random cases for TestAgainstReference (0: default)")
)

var propertyZones = []string{
	"America/New_York", "Europe/Madrid", "America/Santiago", "Australia/Sydney", "Australia/Lord_Howe",
	"Pacific/Chatham", "Asia/Kathmandu", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago",
	"America/Bogota", "Asia/Riyadh", "UTC",
}

// refCase is one random person and the stretch of time examined.
type refCase struct {
	loc      *time.Location
	person   Person
	holidays map[domain.Date][]string
	unknown  map[domain.Date]bool
	assigned []Assignment // the person's, cut as the contract says
	r0, r1   time.Time    // bitmap range, whole minutes
	bits     []bool       // bits[i]: minute r0+i is allowed
}

func TestAgainstReference(t *testing.T) {
	n := 600
	if testing.Short() {
		n = 120
	}
	if *casesFlag > 0 {
		n = *casesFlag
	}
	rng := rand.New(rand.NewPCG(*seedFlag, 0))
	ref := newRefResolver()
	for i := range n {
		c := randomCase(t, rng, ref)
		tl, err := NewTimeline(c.person)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		where := fmt.Sprintf("seed %d case %d (%s, %s)", *seedFlag, i, c.loc, c.r0.Format(time.DateOnly))
		compareIntervals(t, where, tl, c, rng)
		for range 12 {
			u := c.r0.Add(time.Duration(rng.IntN(len(c.bits))) * time.Minute)
			compareCheck(t, where, tl, c, ref, u)
			compareNext(t, where, tl, c, rng, u)
		}
		if t.Failed() {
			t.Logf("assignments %v", c.assigned)
			for _, v := range c.person.Schedules {
				t.Logf("schedule from %v: %s", v.From, v.Schedule.CellString())
			}
			t.Logf("holidays %v, unknown %v, closed %v", c.holidays, c.unknown, c.person.UnknownClosed)
			for _, l := range c.person.Leaves {
				t.Logf("leave %+v", l)
			}
			t.Logf("engine intervals %v", fmtIntervals(tl.Intervals(c.r0, c.r1)))
			t.Fatalf("stopping at %s; rerun with -seed %d", where, *seedFlag)
		}
	}
}

func compareIntervals(t *testing.T, where string, tl *Timeline, c *refCase, rng *rand.Rand) {
	a := rng.IntN(len(c.bits))
	b := a + rng.IntN(len(c.bits)-a+1)
	from, to := c.r0.Add(time.Duration(a)*time.Minute), c.r0.Add(time.Duration(b)*time.Minute)
	var want []string
	for i := a; i < b; i++ {
		if c.bits[i] && (i == a || !c.bits[i-1]) {
			j := i
			for j < b && c.bits[j] {
				j++
			}
			want = append(want, fmtT(c.minute(i).In(c.loc))+"/"+fmtT(c.minute(j).In(c.loc)))
		}
	}
	if diff := cmp.Diff(want, fmtIntervals(tl.Intervals(from, to))); diff != "" {
		t.Errorf("%s: Intervals(%v, %v) (-ref +engine):\n%s", where, from, to, diff)
	}
}

func compareCheck(t *testing.T, where string, tl *Timeline, c *refCase, ref *refResolver, u time.Time) {
	got := tl.Check(u)
	i := c.index(u)
	want := c.reason(ref, u)
	if got.Allowed != c.bits[i] || got.Reason != want.Reason || !slices.Equal(got.Holiday, want.Holiday) || leaveID(got.Leave) != leaveID(want.Leave) ||
		got.HolidaysUnknown != want.HolidaysUnknown || got.HolidayDate != want.HolidayDate {
		t.Errorf("%s: Check(%v) = %+v, reference %v %+v", where, u.In(c.loc), view(got), c.bits[i], view(want))
		return
	}
	if !got.Allowed {
		return
	}
	j := i
	for j < len(c.bits) && c.bits[j] {
		j++
	}
	limit := u.Add(UntilLimit)
	wantUntil := c.minute(j)
	switch {
	case wantUntil.After(limit):
		wantUntil = limit
	case j == len(c.bits): // the piece may go on past the bitmap
		if got.Until.Before(wantUntil) {
			t.Errorf("%s: Check(%v).Until = %v, reference at least %v", where, u, got.Until, wantUntil)
		}
		return
	}
	if !got.Until.Equal(wantUntil) {
		t.Errorf("%s: Check(%v).Until = %v, reference %v", where, u.In(c.loc), got.Until, wantUntil.In(c.loc))
	}
}

func leaveID(l *LeaveSpan) int64 {
	if l == nil {
		return 0
	}
	return l.ID
}

func compareNext(t *testing.T, where string, tl *Timeline, c *refCase, rng *rand.Rand, u time.Time) {
	i := c.index(u)
	h := 1 + rng.IntN(len(c.bits)-i)
	want, ok := "", false
	for j := i; j < i+h; j++ {
		if c.bits[j] {
			want, ok = fmtT(c.minute(j).In(c.loc)), true
			break
		}
	}
	got, gotOK := tl.NextAllowed(u, time.Duration(h)*time.Minute)
	if fmtT(got) != want || gotOK != ok {
		t.Errorf("%s: NextAllowed(%v, %dm) = %v %v, reference %q", where, u.In(c.loc), h, got, gotOK, want)
	}
	d := 1 + rng.IntN(6*60)
	want = ""
	run := 0
	for j := i; j < i+h; j++ {
		if run = run + 1; !c.bits[j] {
			run = 0
		}
		if run == d {
			want = fmtT(c.minute(j+1-d).In(c.loc)) + "/" + fmtT(c.minute(j+1).In(c.loc))
			break
		}
	}
	iv, gotOK := tl.NextSlot(u, time.Duration(d)*time.Minute, time.Duration(h)*time.Minute)
	gotS := ""
	if gotOK {
		gotS = fmtIntervals([]Interval{iv})[0]
	}
	if gotS != want {
		t.Errorf("%s: NextSlot(%v, %dm, %dm) = %q, reference %q", where, u.In(c.loc), d, h, gotS, want)
	}
}

func (c *refCase) minute(i int) time.Time { return c.r0.Add(time.Duration(i) * time.Minute) }
func (c *refCase) index(u time.Time) int  { return int(u.Sub(c.r0) / time.Minute) }

// dateOf is the local date of u in the zone the person is in at u.
func (c *refCase) dateOf(u time.Time) domain.Date { return domain.DateOf(u.In(c.zoneAt(u))) }

// zoneOf is the zone date d's windows are in: an assignment's, else home.
func (c *refCase) zoneOf(d domain.Date) *time.Location {
	for _, a := range c.assigned {
		if !d.Before(a.From) && !d.After(a.To) {
			return a.Zone
		}
	}
	return c.loc
}

// zoneAt is the zone of the earliest nearby date with a scheduled window
// holding u; else that of the assignment whose first midnight to the
// midnight after its last (in its zone) holds u; else home.
func (c *refCase) zoneAt(u time.Time) *time.Location {
	if len(c.assigned) == 0 {
		return c.loc
	}
	home := domain.DateOf(u.In(c.loc))
	ref := newRefResolver()
	for x := home.AddDays(-3); !x.After(home.AddDays(3)); x = x.AddDays(1) {
		for _, w := range c.scheduled(x) {
			if s, e := ref.window(c.zoneOf(x), x, w); !u.Before(s) && u.Before(e) {
				return c.zoneOf(x)
			}
		}
	}
	for _, a := range c.assigned {
		s := newRefResolver().resolve(a.Zone, a.From, 0)
		e := newRefResolver().resolve(a.Zone, a.To.AddDays(1), 0)
		if !u.Before(s) && u.Before(e) {
			return a.Zone
		}
	}
	return c.loc
}

// cutAssignments applies the contract's rule to overlapping assignments: in
// order of first date, one that overlaps an earlier is cut to start after it.
func cutAssignments(as []Assignment) []Assignment {
	sorted := slices.Clone(as)
	slices.SortStableFunc(sorted, func(a, b Assignment) int { return a.From.Compare(b.From) })
	var out []Assignment
	for _, a := range sorted {
		if n := len(out); n > 0 && !a.From.After(out[n-1].To) {
			a.From = out[n-1].To.AddDays(1)
		}
		if !a.To.Before(a.From) {
			out = append(out, a)
		}
	}
	return out
}

// reason applies Check's precedence naively: scheduled windows of every
// nearby date (each in its own zone), then leave, holiday, schedule and
// weekday of the local date.
func (c *refCase) reason(ref *refResolver, u time.Time) Status {
	d := c.dateOf(u)
	var dates []domain.Date
	var in []bool
	for x := d.AddDays(-3); !x.After(d.AddDays(3)); x = x.AddDays(1) {
		hit := false
		for _, w := range c.scheduled(x) {
			s, e := ref.window(c.zoneOf(x), x, w)
			hit = hit || (!u.Before(s) && u.Before(e))
		}
		if hit {
			dates, in = append(dates, x), append(in, true)
		}
	}
	unknown := c.unknown[d]
	for _, x := range dates {
		unknown = unknown || c.unknown[x]
	}
	st := c.whyNotRef(u, d, dates, in)
	st.HolidaysUnknown = unknown
	return st
}

func (c *refCase) whyNotRef(u time.Time, d domain.Date, dates []domain.Date, in []bool) Status {
	if c.bits[c.index(u)] {
		return Status{Allowed: true, Reason: WithinWorkingHours}
	}
	dates = append(dates, d) // D itself, for all-day leave: marked in
	in = append(in, true)
	for i := range c.person.Leaves {
		l := &c.person.Leaves[i]
		if !l.Blocks {
			continue
		}
		if !l.AllDay() && !u.Before(l.Start) && u.Before(l.End) {
			return Status{Reason: OnLeave, Leave: &LeaveSpan{ID: l.ID}}
		}
		for k, x := range dates {
			if l.AllDay() && in[k] && !x.Before(l.StartDate) && !x.After(l.EndDate) {
				return Status{Reason: OnLeave, Leave: &LeaveSpan{ID: l.ID}}
			}
		}
	}
	for _, x := range dates { // ascending, D last
		if len(c.holidays[x]) > 0 {
			return Status{Reason: PublicHoliday, Holiday: c.holidays[x], HolidayDate: x}
		}
		if c.person.UnknownClosed && c.unknown[x] {
			return Status{Reason: HolidaysUnknown, HolidayDate: x}
		}
	}
	v := c.versionOn(d)
	switch {
	case v == nil || v.Schedule.IsEmpty():
		return Status{Reason: NoSchedule}
	case len(v.Schedule[d.Weekday()]) == 0:
		return Status{Reason: RestDay}
	}
	return Status{Reason: OutsideWorkingHours}
}

// versionOn returns the version with the latest From on or before d.
func (c *refCase) versionOn(d domain.Date) *ScheduleVersion {
	var best *ScheduleVersion
	for i := range c.person.Schedules {
		v := &c.person.Schedules[i]
		if !v.From.After(d) && (best == nil || v.From.After(best.From)) {
			best = v
		}
	}
	return best
}

func (c *refCase) scheduled(d domain.Date) []domain.Window {
	if v := c.versionOn(d); v != nil {
		return v.Schedule[d.Weekday()]
	}
	return nil
}

// contributes reports whether d keeps its windows: not a holiday (nor of
// unknown holidays, when those close), not in a blocking all-day leave.
func (c *refCase) contributes(d domain.Date) bool {
	if len(c.holidays[d]) > 0 || c.person.UnknownClosed && c.unknown[d] {
		return false
	}
	for _, l := range c.person.Leaves {
		if l.Blocks && l.AllDay() && !d.Before(l.StartDate) && !d.After(l.EndDate) {
			return false
		}
	}
	return true
}

// paint fills the bitmap from every date's windows, then clears partial leaves.
func (c *refCase) paint(ref *refResolver) {
	c.bits = make([]bool, int(c.r1.Sub(c.r0)/time.Minute))
	set := func(s, e time.Time, v bool) {
		for i := max(0, c.index(s)); i < len(c.bits) && c.minute(i).Before(e); i++ {
			if !c.minute(i).Before(s) {
				c.bits[i] = v
			}
		}
	}
	for d := c.dateOf(c.r0).AddDays(-3); !d.After(c.dateOf(c.r1).AddDays(1)); d = d.AddDays(1) {
		if !c.contributes(d) {
			continue
		}
		for _, w := range c.scheduled(d) {
			s, e := ref.window(c.zoneOf(d), d, w)
			set(s, e, true)
		}
	}
	for _, l := range c.person.Leaves {
		if l.Blocks && !l.AllDay() {
			set(l.Start, l.End, false)
		}
	}
}

// refResolver finds the instant of a wall time by scanning instants minute
// by minute for the first whose wall clock reads it or later, memoised.
type refResolver struct{ memo map[string]time.Time }

func newRefResolver() *refResolver { return &refResolver{memo: map[string]time.Time{}} }

func (r *refResolver) window(loc *time.Location, d domain.Date, w domain.Window) (time.Time, time.Time) {
	end := w.End
	if w.End <= w.Start {
		end += 24 * 60
	}
	return r.resolve(loc, d, w.Start), r.resolve(loc, d, end)
}

func (r *refResolver) resolve(loc *time.Location, d domain.Date, minutes int) time.Time {
	want := time.Date(d.Year, d.Month, d.Day, 0, minutes, 0, 0, time.UTC)
	key := loc.String() + want.String()
	if v, ok := r.memo[key]; ok {
		return v
	}
	wall := func(u time.Time) time.Time {
		l := u.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
	}
	u := want.Add(-18 * time.Hour)
	for wall(u).Before(want) {
		// Skip ahead only while no instant skipped can read want: clocks
		// never jump forward by 3 hours or more in the zones tested.
		if gap := want.Sub(wall(u)) - 3*time.Hour; gap > time.Minute {
			u = u.Add(gap.Truncate(time.Minute))
			continue
		}
		u = u.Add(time.Minute)
	}
	r.memo[key] = u
	return u
}

// randomCase builds a random person around a random date, often a date of
// a clock change, and paints its reference bitmap.
func randomCase(t *testing.T, rng *rand.Rand, ref *refResolver) *refCase {
	loc := mustLoc(t, propertyZones[rng.IntN(len(propertyZones))])
	base := domain.NewDate(2026, 1, 1+rng.IntN(365))
	if ts := transitions(loc, 2026); len(ts) > 0 && rng.IntN(3) > 0 {
		base = domain.DateOf(ts[rng.IntN(len(ts))].In(loc)).AddDays(rng.IntN(5) - 3)
	}
	c := &refCase{loc: loc, holidays: map[domain.Date][]string{}, unknown: map[domain.Date]bool{}}
	c.r0 = time.Date(base.Year, base.Month, base.Day, 0, 0, 0, 0, time.UTC).Add(-24 * time.Hour)
	c.r1 = c.r0.Add(time.Duration(3+rng.IntN(6)) * 24 * time.Hour)
	c.person = Person{Zone: loc, Schedules: randomVersions(rng, base), Leaves: randomLeaves(rng, base, c.r0)}
	for d := base.AddDays(-4); d.Before(base.AddDays(10)); d = d.AddDays(1) {
		if rng.IntN(8) == 0 {
			c.holidays[d] = []string{"H" + d.String(), "second"}[:1+rng.IntN(2)]
		}
		if rng.IntN(12) == 0 {
			c.unknown[d] = true
		}
	}
	c.person.Holidays = func(d domain.Date) []string { return c.holidays[d] }
	if rng.IntN(3) == 0 {
		c.person.HolidaysUnknown = func(d domain.Date) bool { return c.unknown[d] }
		c.person.UnknownClosed = rng.IntN(2) == 0
	} else {
		c.unknown = map[domain.Date]bool{}
	}
	// A service commission in another zone, sometimes two that overlap.
	for range max(0, rng.IntN(5)-2) {
		from := base.AddDays(rng.IntN(8) - 4)
		z := mustLoc(t, propertyZones[rng.IntN(len(propertyZones))])
		c.person.Assignments = append(c.person.Assignments, Assignment{From: from, To: from.AddDays(rng.IntN(4)), Zone: z})
	}
	c.assigned = cutAssignments(c.person.Assignments)
	c.paint(ref)
	return c
}

func randomVersions(rng *rand.Rand, base domain.Date) []ScheduleVersion {
	var vs []ScheduleVersion
	switch rng.IntN(10) {
	case 0:
		return nil
	case 1:
		vs = append(vs, ScheduleVersion{From: base.AddDays(rng.IntN(5) - 2)}) // empty
	}
	vs = append(vs, ScheduleVersion{From: base.AddDays(-10 - rng.IntN(3)), Schedule: randomSchedule(rng)})
	if rng.IntN(3) == 0 {
		vs = append(vs, ScheduleVersion{From: base.AddDays(rng.IntN(6) - 2), Schedule: randomSchedule(rng)})
	}
	if rng.IntN(6) == 0 {
		vs[len(vs)-1].From = domain.Date{} // "since always"
		vs = vs[len(vs)-1:]
	}
	if len(vs) == 3 && vs[0].From == vs[2].From {
		vs = vs[:2]
	}
	return vs
}

func randomSchedule(rng *rand.Rand) domain.Schedule {
	var s domain.Schedule
	for d := range s {
		for range rng.IntN(4) {
			start := rng.IntN(24*4) * 15
			if rng.IntN(4) == 0 {
				start = rng.IntN(24 * 60)
			}
			if rng.IntN(3) == 0 { // near the usual clock-change hours
				start = rng.IntN(5*60) / 15 * 15
			}
			end := (start + 1 + rng.IntN(14*60)) % (24 * 60)
			if end == 0 {
				end = 24 * 60
			}
			if rng.IntN(6) == 0 {
				end = (start + 24*60 - 1 - rng.IntN(60)) % (24 * 60) // nearly a whole day
			}
			if end == start || end == 0 {
				continue
			}
			s[d] = append(s[d], domain.Window{Start: start, End: end})
		}
	}
	return s
}

func randomLeaves(rng *rand.Rand, base domain.Date, r0 time.Time) []Leave {
	var ls []Leave
	for i := range rng.IntN(3) {
		from := base.AddDays(rng.IntN(8) - 2)
		ls = append(ls, Leave{ID: int64(10 + i), StartDate: from, EndDate: from.AddDays(rng.IntN(3)), Blocks: rng.IntN(6) > 0})
	}
	for i := range rng.IntN(4) {
		s := r0.Add(time.Duration(rng.IntN(7*24*60)) * time.Minute)
		ls = append(ls, Leave{ID: int64(20 + i), Start: s, End: s.Add(time.Duration(1+rng.IntN(30*60)) * time.Minute), Blocks: rng.IntN(6) > 0})
	}
	rng.Shuffle(len(ls), func(i, j int) { ls[i], ls[j] = ls[j], ls[i] })
	return ls
}

// transitions lists loc's clock changes in year, from the tz database.
func transitions(loc *time.Location, year int) []time.Time {
	var out []time.Time
	for at := time.Date(year, 1, 1, 0, 0, 0, 0, loc); ; {
		_, end := at.ZoneBounds()
		if end.IsZero() || end.Year() > year {
			return out
		}
		out = append(out, end)
		at = end
	}
}

// TestCommonSlotsAgainstReference checks CommonSlots on groups of random
// people sharing one stretch of time against their bitmaps.
func TestCommonSlotsAgainstReference(t *testing.T) {
	n := 150
	if testing.Short() {
		n = 40
	}
	rng := rand.New(rand.NewPCG(*seedFlag, 1))
	ref := newRefResolver()
	for i := range n {
		first := randomCase(t, rng, ref)
		cases := []*refCase{first}
		for range rng.IntN(3) {
			c := randomCase(t, rng, ref)
			c.r0, c.r1 = first.r0, first.r1
			c.paint(ref)
			cases = append(cases, c)
		}
		var tls []*Timeline
		for _, c := range cases {
			tl, err := NewTimeline(c.person)
			if err != nil {
				t.Fatal(err)
			}
			tls = append(tls, tl)
		}
		d := time.Duration(15*(1+rng.IntN(8))) * time.Minute
		g := []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour}[rng.IntN(4)]
		limit := 1 + rng.IntN(20)
		var want []string
		for x := first.r0; !x.Add(d).After(first.r1) && len(want) < limit; x = x.Add(g) {
			ok := true
			for _, c := range cases {
				for m := c.index(x); m < c.index(x.Add(d)); m++ {
					ok = ok && c.bits[m]
				}
			}
			if ok {
				want = append(want, fmtT(x)+"/"+fmtT(x.Add(d)))
			}
		}
		got := fmtIntervals(CommonSlots(tls, first.r0, first.r1, d, g, limit))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("seed %d case %d: CommonSlots (-ref +engine):\n%s", *seedFlag, i, diff)
		}
	}
}

// TestSpansAndCompiledAnswerAsLeavesAndSchedules: a timeline built from
// shared compiled schedules and leaves given as spans (what the view
// passes) answers every question exactly as one built from Schedules and
// Leaves, minute by minute.
func TestSpansAndCompiledAnswerAsLeavesAndSchedules(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 16))
	ref := newRefResolver()
	for range 300 {
		c := randomCase(t, rng, ref)
		plain, err := NewTimeline(c.person)
		if err != nil {
			t.Fatal(err)
		}
		compiled, err := CompileSchedules(c.person.Schedules)
		if err != nil {
			t.Fatal(err)
		}
		var spans []LeaveSpan
		for _, l := range c.person.Leaves {
			spans = append(spans, l.Span())
		}
		p := c.person
		p.Schedules, p.Leaves, p.Compiled, p.Spans = nil, nil, compiled, spans
		shared, err := NewTimeline(p)
		if err != nil {
			t.Fatal(err)
		}
		for u := c.r0; u.Before(c.r1); u = u.Add(time.Duration(1+rng.IntN(90)) * time.Minute) {
			a, b := plain.Check(u), shared.Check(u)
			if !reflect.DeepEqual(view(a), view(b)) {
				t.Fatalf("%v: %+v from spans, %+v from leaves", u, view(b), view(a))
			}
			na, oka := plain.NextAllowed(u, DefaultHorizon)
			nb, okb := shared.NextAllowed(u, DefaultHorizon)
			if oka != okb || !na.Equal(nb) {
				t.Fatalf("%v: next %v %v from spans, %v %v from leaves", u, nb, okb, na, oka)
			}
		}
	}
}
