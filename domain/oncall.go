package domain

import "time"

// OnCallTurn is a dated turn on a post's emergency line (a consulate's
// guardia: detained or injured nationals, deaths, disasters): from StartsAt
// until EndsAt its Person may be reached for urgent matters outside working
// hours, holidays included, under Ley 2191 de 2022 art. 6 lit. b, and
// audited as any exception; Backup when the person is away (on leave).
// Outside the turn the same person has the full right to disconnect.
type OnCallTurn struct {
	ID     int64  `json:"id"`
	Post   string `json:"post"`
	Person string `json:"person"`
	// Backup is the external_id of who covers the line when Person is away
	// ("" for none).
	Backup      string    `json:"backup,omitempty"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	ExternalRef string    `json:"external_ref,omitempty"`
	Version     int64     `json:"-"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// MaxOnCallTurn is the longest turn: a rota is weeks, not months.
const MaxOnCallTurn = 31 * 24 * time.Hour

// Covers reports whether t falls within the turn [StartsAt, EndsAt).
func (t *OnCallTurn) Covers(at time.Time) bool { return !at.Before(t.StartsAt) && at.Before(t.EndsAt) }
