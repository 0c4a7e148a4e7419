package decide

import (
	"time"

	"franja/domain"
)

// Disclosure is how far after the instant asked about a principal may see
// instants exactly (issue 17, finding 7): a system or supervisor key sees
// nothing beyond the disclosure horizon (FRANJA_DISCLOSURE_HORIZON,
// default 14 days), so that the length of an absence, which can name its
// kind, is not given away; hr and admin see everything. The API's answers
// and feeds and the web app's pages all bound what they show by it.
type Disclosure struct {
	// Until is the last instant disclosed exactly; zero: everything.
	Until time.Time
}

// DisclosureFor returns what p may see of a question about base, with
// horizon the configured disclosure horizon (0: no bound).
func DisclosureFor(p *domain.Principal, base time.Time, horizon time.Duration) Disclosure {
	if p == nil || p.SeesLeaveKinds() || horizon <= 0 {
		return Disclosure{}
	}
	return Disclosure{Until: base.Add(horizon)}
}

// Limited reports whether anything is withheld at all.
func (d Disclosure) Limited() bool { return !d.Until.IsZero() }

// Hides reports whether t is beyond what may be disclosed.
func (d Disclosure) Hides(t time.Time) bool { return d.Limited() && t.After(d.Until) }
