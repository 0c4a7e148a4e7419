package decide

import (
	"strings"
	"unicode/utf8"

	"franja/domain"
	"franja/policy"
	"franja/view"
)

// Limits of a justification, in characters.
const (
	MinJustification = 10
	MaxJustification = 2000
)

// Scope finds who a question is about, within the caller's scope: a
// supervisor sees their reporting line and themselves; others see everyone.
//
// For a supervisor the scope is checked first, so that anyone outside their
// line, existing or not, gets the same 403: a supervisor key cannot probe
// who is on staff.
func Scope(snap *view.Snapshot, p *domain.Principal, id string) (*view.Person, error) {
	if p.Role == domain.RoleSupervisor && id != p.Person && !snap.Reports(p.Person, id) {
		return nil, domain.Errorf(domain.EForbidden, "%s is not in your reporting line", id)
	}
	person := snap.Person(id)
	if person == nil {
		return nil, domain.Errorf(domain.ENotFound, "no person has external_id %q", id)
	}
	return person, nil
}

// Validate checks who asks and, for urgent and force majeure, why, adding
// what is wrong to v. A supervisor asks as their own person, whatever the
// purpose (so that, asking about their line, they are its superior); a
// requester named for routine contact must exist too. The justification is
// trimmed.
func Validate(v *domain.Validator, p *domain.Principal, q *Question, snap *view.Snapshot) {
	if p.Role == domain.RoleSupervisor && q.Requester == "" {
		q.Requester = p.Person // a supervisor asks as themselves
	}
	routine := q.Purpose == policy.Routine || q.Purpose == ""
	switch {
	case q.Requester == "" && routine:
	case q.Requester == "":
		v.Add("requester", "is required for purpose %s: the external_id of the person making the contact", q.Purpose)
	case p.Role == domain.RoleSupervisor && q.Requester != p.Person:
		v.Add("requester", "a supervisor key asks as its own person (%s), not as %s", p.Person, q.Requester)
	case snap.Person(q.Requester) == nil:
		v.Add("requester", "no person has external_id %q", q.Requester)
	}
	if routine {
		return
	}
	j := strings.TrimSpace(q.Justification)
	switch n := utf8.RuneCountInString(j); {
	case n == 0:
		v.Add("justification", "is required for purpose %s: say why the contact cannot wait (Ley 2191 de 2022, art. 6)", q.Purpose)
	case n < MinJustification:
		v.Add("justification", "is too short to justify an exception: write at least %d characters", MinJustification)
	case n > MaxJustification:
		v.Add("justification", "is longer than %d characters", MaxJustification)
	case strings.ContainsRune(j, 0):
		v.Add("justification", "must not contain NUL characters")
	}
	q.Justification = j
}
