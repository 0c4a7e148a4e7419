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

// disclosure is what one answer may disclose (decide.Disclosure, whose
// Limited and Hides the web pages use too), with what an answer says of it.
type disclosure struct {
	decide.Disclosure
}

// disclosureFor returns what p may see of a question about base.
func (s *Server) disclosureFor(p *Principal, base time.Time) disclosure {
	return disclosure{decide.DisclosureFor(p, base, s.disclosureHorizon)}
}

// clamp returns to, or Until when to is beyond it, and whether it cut.
func (d disclosure) clamp(to time.Time) (time.Time, bool) {
	if d.Hides(to) {
		return d.Until, true
	}
	return to, false
}

// askAgain is the ask_again_at of an answer that withheld something.
func (d disclosure) askAgain() *string { return ptr(utc(d.Until)) }
