package api

import (
	"time"

	"franja/decide"
)

// The disclosure horizon (issue 17, finding 7). A system or supervisor key
// must not learn leave kinds, and an exact far-away instant gives one away
// (126 days away is a maternity leave). So for those roles nothing more
// than a horizon (DefaultDisclosureHorizon, FRANJA_DISCLOSURE_HORIZON)
// after the instant a question is about is disclosed exactly: a next
// allowed instant, a suggested one, the end of an allowed window, "nothing
// within the search horizon", availability intervals, slots, a feed's
// events. The answer says so (disclosure_horizon_reached) and where to ask
// again (ask_again_at: the end of what was disclosed; a question about
// that instant discloses the next stretch). Any instant may be asked
// about: a notification system must know whether it may send on
// Christmas. Tracing a long absence therefore takes one question per
// horizon, each counted by the rate limit; README, Security, says so. hr
// and admin see everything.

// DefaultDisclosureHorizon is how far ahead system and supervisor keys see
// exactly: two weeks, less than the shortest leave whose length names its
// kind (paternity leave, two weeks, shows as a gap longer than any
// weekend or holiday bridge).
const DefaultDisclosureHorizon = 14 * 24 * time.Hour

// disclosure is what one answer may disclose: everything (zero), or
// nothing after until.
type disclosure struct {
	until time.Time
}

// disclosureFor returns what p may see of a question about base
// (decide.DisclosureFor, the bound the web pages use too).
func (s *Server) disclosureFor(p *Principal, base time.Time) disclosure {
	return disclosure{until: decide.DisclosureFor(p, base, s.disclosureHorizon).Until}
}

// limited reports whether anything is withheld at all.
func (d disclosure) limited() bool { return !d.until.IsZero() }

// hides reports whether t is beyond what may be disclosed.
func (d disclosure) hides(t time.Time) bool { return d.limited() && t.After(d.until) }

// clamp returns to, or until when to is beyond it, and whether it cut.
func (d disclosure) clamp(to time.Time) (time.Time, bool) {
	if d.hides(to) {
		return d.until, true
	}
	return to, false
}

// askAgain is the ask_again_at of an answer that withheld something.
func (d disclosure) askAgain() *string { return ptr(utc(d.until)) }
