package api

import (
	"strings"
	"time"

	"franja/policy"
	"franja/view"
)

// reasonJSON is one reason as callers see it.
type reasonJSON struct {
	Code       string   `json:"code"`
	Message    string   `json:"message"`
	LegalBasis string   `json:"legal_basis,omitempty"`
	Holiday    string   `json:"holiday,omitempty"`
	Holidays   []string `json:"holidays,omitempty"`
	// LeaveKind is shown to hr and admin callers only.
	LeaveKind string `json:"leave_kind,omitempty"`
}

// delegateJSON is the encargado of a person on leave, with their own answer.
type delegateJSON struct {
	Person             string       `json:"person"`
	FullName           string       `json:"full_name"`
	TimeZone           string       `json:"time_zone"`
	Decision           string       `json:"decision"`
	Contactable        bool         `json:"contactable"`
	Reasons            []reasonJSON `json:"reasons"`
	NextAllowedAt      *string      `json:"next_allowed_at"`
	LocalNextAllowedAt *string      `json:"local_next_allowed_at"`
}

// decisionJSON is the answer to one question (API.md, Decisions).
type decisionJSON struct {
	Person             string        `json:"person"`
	At                 string        `json:"at"`
	LocalAt            string        `json:"local_at"`
	TimeZone           string        `json:"time_zone"`
	Channel            string        `json:"channel"`
	Purpose            string        `json:"purpose"`
	Decision           string        `json:"decision"`
	Contactable        bool          `json:"contactable"`
	Reasons            []reasonJSON  `json:"reasons"`
	NextAllowedAt      *string       `json:"next_allowed_at"`
	LocalNextAllowedAt *string       `json:"local_next_allowed_at"`
	WindowEndsAt       *string       `json:"window_ends_at,omitempty"`
	LocalWindowEndsAt  *string       `json:"local_window_ends_at,omitempty"`
	HorizonReached     bool          `json:"horizon_reached,omitempty"`
	SuggestedChannel   string        `json:"suggested_channel,omitempty"`
	Delegate           *delegateJSON `json:"delegate,omitempty"`
	AuditID            *int64        `json:"audit_id,omitempty"`
}

// utc formats an instant in UTC; local formats it in loc with its offset.
func utc(t time.Time) string                       { return t.UTC().Format(time.RFC3339) }
func local(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339) }

func ptr[T any](v T) *T { return &v }

// renderDecision turns a policy decision into the answer callers read.
// Leave kinds appear only when seesKinds; no leave dates appear at all, only
// the next allowed instant.
func renderDecision(p *view.Person, in checkInput, d policy.Decision, lang policy.Lang, seesKinds bool) decisionJSON {
	loc := p.Location()
	out := decisionJSON{
		Person: p.ExternalID, At: utc(in.At), LocalAt: local(in.At, loc), TimeZone: p.ZoneName,
		Channel: string(in.Channel), Purpose: string(in.Purpose),
		Decision: string(d.Verdict), Contactable: d.Verdict == policy.Allow,
		HorizonReached: d.HorizonReached, SuggestedChannel: string(d.SuggestedChannel),
	}
	for _, r := range d.Reasons {
		rj := reasonJSON{Code: string(r.Code), Message: r.Message(lang), LegalBasis: r.LegalBasis()}
		if len(r.Holidays) > 0 {
			rj.Holiday, rj.Holidays = strings.Join(r.Holidays, " / "), r.Holidays
		}
		if seesKinds {
			rj.LeaveKind = string(r.LeaveKind)
		}
		out.Reasons = append(out.Reasons, rj)
	}
	if !d.NextAllowedAt.IsZero() {
		out.NextAllowedAt, out.LocalNextAllowedAt = ptr(utc(d.NextAllowedAt)), ptr(local(d.NextAllowedAt, loc))
	}
	if d.Verdict == policy.Allow && p.Timeline != nil {
		if st := p.Timeline.Check(in.At); st.Allowed {
			out.WindowEndsAt, out.LocalWindowEndsAt = ptr(utc(st.Until)), ptr(local(st.Until, loc))
		}
	}
	return out
}
