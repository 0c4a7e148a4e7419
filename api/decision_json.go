package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"franja/decide"
	"franja/policy"
	"franja/view"
)

// reasonJSON is one reason as callers see it.
type reasonJSON struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	LegalBasis string `json:"legal_basis,omitempty"`
	// Holiday and Holidays name the day's holidays in the answer's
	// language (else English); HolidayDetails give each one's name as its
	// calendar writes it and where it comes from.
	Holiday        string        `json:"holiday,omitempty"`
	Holidays       []string      `json:"holidays,omitempty"`
	HolidayDetails []holidayJSON `json:"holiday_details,omitempty"`
	// LeaveKind is shown to hr and admin callers only.
	LeaveKind string `json:"leave_kind,omitempty"`
	// Ground is what an exception rests on (exception_applied).
	Ground string `json:"ground,omitempty"`
}

// holidayJSON is one of a day's holidays: its name in the answer's
// language, the name as its calendar writes it, and its source
// ("calendar:JP", "pick:CO", "closure", …).
type holidayJSON struct {
	Name         string `json:"name"`
	OriginalName string `json:"original_name"`
	Source       string `json:"source"`
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
	BeyondDisclosure   bool         `json:"disclosure_horizon_reached,omitempty"`
	AskAgainAt         *string      `json:"ask_again_at,omitempty"`
	// AuditID is set when an exception lets the contact with the delegate
	// through: it is audited like any other.
	AuditID *int64 `json:"audit_id,omitempty"`
}

// decisionJSON is the answer to one question (API.md, Decisions).
type decisionJSON struct {
	// Outcome is "decision" in a batch's results, where an item may also
	// be an error: the discriminator generated clients need. Empty (left
	// out) in a single answer.
	Outcome            string       `json:"outcome,omitempty"`
	Person             string       `json:"person"`
	At                 string       `json:"at"`
	LocalAt            string       `json:"local_at"`
	TimeZone           string       `json:"time_zone"`
	Channel            string       `json:"channel"`
	Purpose            string       `json:"purpose"`
	Duration           string       `json:"duration"`
	Decision           string       `json:"decision"`
	Contactable        bool         `json:"contactable"`
	Reasons            []reasonJSON `json:"reasons"`
	NextAllowedAt      *string      `json:"next_allowed_at"`
	LocalNextAllowedAt *string      `json:"local_next_allowed_at"`
	WindowEndsAt       *string      `json:"window_ends_at,omitempty"`
	LocalWindowEndsAt  *string      `json:"local_window_ends_at,omitempty"`
	HorizonReached     bool         `json:"horizon_reached,omitempty"`
	SuggestedChannel   string       `json:"suggested_channel,omitempty"`
	SuggestedAt        *string      `json:"suggested_at,omitempty"`
	LocalSuggestedAt   *string      `json:"local_suggested_at,omitempty"`
	// Confidence is "low" when the holidays of the instant (or of the next
	// allowed one) cannot be known, else "high".
	Confidence string `json:"confidence"`
	// BeyondDisclosure is set for system and supervisor keys when an
	// instant lies beyond their disclosure horizon and is left out;
	// AskAgainAt is then the end of what this answer disclosed.
	BeyondDisclosure bool          `json:"disclosure_horizon_reached,omitempty"`
	AskAgainAt       *string       `json:"ask_again_at,omitempty"`
	Delegate         *delegateJSON `json:"delegate,omitempty"`
	AuditID          *int64        `json:"audit_id,omitempty"`
}

// utc formats an instant in UTC; local formats it in loc with its offset.
func utc(t time.Time) string                       { return t.UTC().Format(time.RFC3339) }
func local(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339) }

func ptr[T any](v T) *T { return &v }

// renderAnswer turns a decided question into the answer callers read, with
// its delegate's and the audit ids of the exceptions it used.
func renderAnswer(a *decide.Answer, lang policy.Lang, dc disclosure) decisionJSON {
	out := renderDecision(a.Person, a.Question, a.Decision, lang, a.SeesLeaveKinds, dc)
	out.AuditID = a.AuditID
	if del := a.Delegate; del != nil {
		dj := renderDecision(del.Person, a.Question, del.Decision, lang, a.SeesLeaveKinds, dc)
		out.Delegate = &delegateJSON{Person: del.Person.ExternalID, FullName: del.Person.FullName, TimeZone: dj.TimeZone,
			Decision: dj.Decision, Contactable: dj.Contactable, Reasons: dj.Reasons, NextAllowedAt: dj.NextAllowedAt,
			LocalNextAllowedAt: dj.LocalNextAllowedAt, BeyondDisclosure: dj.BeyondDisclosure, AskAgainAt: dj.AskAgainAt, AuditID: del.AuditID}
	}
	return out
}

// renderDecision turns a policy decision into the answer callers read.
// Leave kinds appear only when seesKinds; no leave dates appear at all, only
// the next allowed instant, and of instants only what dc discloses.
func renderDecision(p *view.Person, in decide.Question, d policy.Decision, lang policy.Lang, seesKinds bool, dc disclosure) decisionJSON {
	hid := withhold(&d, in, dc)
	// Local times are in the zone the person is in at each instant: home,
	// or a service commission's.
	loc, zoneName := p.ZoneAt(in.At)
	out := decisionJSON{
		Person: p.ExternalID, TimeZone: zoneName,
		Channel: string(in.Channel), Purpose: string(in.Purpose), Duration: formatDuration(in.Duration),
		Decision: string(d.Verdict), Contactable: d.Verdict == policy.Allow,
		HorizonReached: d.HorizonReached, SuggestedChannel: string(d.SuggestedChannel), Confidence: "high",
	}
	out.At, out.LocalAt = instantStrings(in.At, loc)
	if d.LowConfidence {
		out.Confidence = "low"
	}
	if len(d.Reasons) > 0 {
		out.Reasons = make([]reasonJSON, 0, len(d.Reasons))
	}
	for _, r := range d.Reasons {
		rj := renderReason(r, lang)
		if seesKinds {
			rj.LeaveKind = string(r.LeaveKind)
		}
		out.Reasons = append(out.Reasons, rj)
	}
	if !d.NextAllowedAt.IsZero() {
		out.NextAllowedAt, out.LocalNextAllowedAt = personInstant(p, d.NextAllowedAt)
	}
	if !d.SuggestedAt.IsZero() {
		out.SuggestedAt, out.LocalSuggestedAt = personInstant(p, d.SuggestedAt)
	}
	if until := d.WindowEndsAt; d.Verdict == policy.Allow && !until.IsZero() {
		if !dc.Hides(until) {
			out.WindowEndsAt, out.LocalWindowEndsAt = instantPtrs(until, loc)
		} else {
			hid = true
		}
	}
	if hid {
		out.BeyondDisclosure, out.AskAgainAt = true, dc.askAgain()
	}
	return out
}

// withhold takes out of d the instants beyond what dc discloses, and
// "nothing within the search horizon" when that horizon reaches beyond
// it, reporting whether it took anything.
func withhold(d *policy.Decision, in decide.Question, dc disclosure) bool {
	hid := false
	if dc.Hides(d.NextAllowedAt) {
		d.NextAllowedAt, hid = time.Time{}, true
	}
	if dc.Hides(d.SuggestedAt) {
		d.SuggestedAt, hid = time.Time{}, true
	}
	if d.HorizonReached && dc.Hides(in.At.Add(in.Horizon)) {
		d.HorizonReached, hid = false, true
	}
	return hid
}

// personInstant renders t in UTC and in the zone p is in then.
func personInstant(p *view.Person, t time.Time) (*string, *string) {
	loc, _ := p.ZoneAt(t)
	return instantPtrs(t, loc)
}

// instantStrings formats t in UTC and in loc (what utc and local give) in
// one allocation: every answer renders two to four such pairs.
func instantStrings(t time.Time, loc *time.Location) (string, string) {
	var buf [72]byte
	b := t.UTC().AppendFormat(buf[:0], time.RFC3339)
	n := len(b)
	b = t.In(loc).AppendFormat(b, time.RFC3339)
	s := string(b)
	return s[:n], s[n:]
}

// instantPtrs is instantStrings for the answer's optional instants, both
// pointers into one allocation.
func instantPtrs(t time.Time, loc *time.Location) (*string, *string) {
	pair := new([2]string)
	pair[0], pair[1] = instantStrings(t, loc)
	return &pair[0], &pair[1]
}

// renderReason is a reason as callers read it, in lang.
func renderReason(r policy.Reason, lang policy.Lang) reasonJSON {
	rj := reasonJSON{Code: string(r.Code), Message: r.Message(lang), LegalBasis: r.LegalBasis(lang), Ground: string(r.Ground)}
	if len(r.Holidays) > 0 {
		rj.Holidays = r.HolidayNames(lang)
		rj.Holiday = strings.Join(rj.Holidays, " / ")
		for _, h := range r.Holidays {
			rj.HolidayDetails = append(rj.HolidayDetails, holidayJSON{Name: h.Localized(lang == policy.English), OriginalName: h.Name, Source: h.Source})
		}
	}
	return rj
}

// The answers below are written by hand rather than through encoding/json:
// a decision is what a notification system asks for before every message,
// and reflection-driven encoding was the largest cost of answering one after
// the HTTP server itself. The bytes are exactly what encoding/json (with its
// default HTML escaping) writes for the same struct; decision_json_test.go
// holds the two together, field by field.

// appendJSON appends d as encoding/json would marshal it.
func (d *decisionJSON) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if d.Outcome != "" {
		b = append(appendStringField(b, `"outcome":`, d.Outcome), ',')
	}
	b = appendStringField(b, `"person":`, d.Person)
	b = appendStringField(b, `,"at":`, d.At)
	b = appendStringField(b, `,"local_at":`, d.LocalAt)
	b = appendStringField(b, `,"time_zone":`, d.TimeZone)
	b = appendStringField(b, `,"channel":`, d.Channel)
	b = appendStringField(b, `,"purpose":`, d.Purpose)
	b = appendStringField(b, `,"duration":`, d.Duration)
	b = appendStringField(b, `,"decision":`, d.Decision)
	b = strconv.AppendBool(append(b, `,"contactable":`...), d.Contactable)
	b = appendReasons(append(b, `,"reasons":`...), d.Reasons)
	b = appendStringPtr(append(b, `,"next_allowed_at":`...), d.NextAllowedAt)
	b = appendStringPtr(append(b, `,"local_next_allowed_at":`...), d.LocalNextAllowedAt)
	if d.WindowEndsAt != nil {
		b = appendStringPtr(append(b, `,"window_ends_at":`...), d.WindowEndsAt)
	}
	if d.LocalWindowEndsAt != nil {
		b = appendStringPtr(append(b, `,"local_window_ends_at":`...), d.LocalWindowEndsAt)
	}
	if d.HorizonReached {
		b = append(b, `,"horizon_reached":true`...)
	}
	if d.SuggestedChannel != "" {
		b = appendStringField(b, `,"suggested_channel":`, d.SuggestedChannel)
	}
	if d.SuggestedAt != nil {
		b = appendStringPtr(append(b, `,"suggested_at":`...), d.SuggestedAt)
	}
	if d.LocalSuggestedAt != nil {
		b = appendStringPtr(append(b, `,"local_suggested_at":`...), d.LocalSuggestedAt)
	}
	b = appendStringField(b, `,"confidence":`, d.Confidence)
	b = appendDisclosure(b, d.BeyondDisclosure, d.AskAgainAt)
	if d.Delegate != nil {
		b = d.Delegate.appendJSON(append(b, `,"delegate":`...))
	}
	if d.AuditID != nil {
		b = strconv.AppendInt(append(b, `,"audit_id":`...), *d.AuditID, 10)
	}
	return append(b, '}')
}

// appendJSON appends d as encoding/json would marshal it.
func (d *delegateJSON) appendJSON(b []byte) []byte {
	b = appendStringField(b, `{"person":`, d.Person)
	b = appendStringField(b, `,"full_name":`, d.FullName)
	b = appendStringField(b, `,"time_zone":`, d.TimeZone)
	b = appendStringField(b, `,"decision":`, d.Decision)
	b = strconv.AppendBool(append(b, `,"contactable":`...), d.Contactable)
	b = appendReasons(append(b, `,"reasons":`...), d.Reasons)
	b = appendStringPtr(append(b, `,"next_allowed_at":`...), d.NextAllowedAt)
	b = appendStringPtr(append(b, `,"local_next_allowed_at":`...), d.LocalNextAllowedAt)
	b = appendDisclosure(b, d.BeyondDisclosure, d.AskAgainAt)
	if d.AuditID != nil {
		b = strconv.AppendInt(append(b, `,"audit_id":`...), *d.AuditID, 10)
	}
	return append(b, '}')
}

// appendDisclosure appends disclosure_horizon_reached and ask_again_at
// when set.
func appendDisclosure(b []byte, beyond bool, askAgain *string) []byte {
	if beyond {
		b = append(b, `,"disclosure_horizon_reached":true`...)
	}
	if askAgain != nil {
		b = appendStringPtr(append(b, `,"ask_again_at":`...), askAgain)
	}
	return b
}

// appendJSON appends r as encoding/json would marshal it.
func (r *reasonJSON) appendJSON(b []byte) []byte {
	b = appendStringField(b, `{"code":`, r.Code)
	b = appendStringField(b, `,"message":`, r.Message)
	if r.LegalBasis != "" {
		b = appendStringField(b, `,"legal_basis":`, r.LegalBasis)
	}
	if r.Holiday != "" {
		b = appendStringField(b, `,"holiday":`, r.Holiday)
	}
	if len(r.Holidays) > 0 {
		b = append(b, `,"holidays":[`...)
		for i, h := range r.Holidays {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, h)
		}
		b = append(b, ']')
	}
	if len(r.HolidayDetails) > 0 {
		b = append(b, `,"holiday_details":[`...)
		for i, h := range r.HolidayDetails {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendStringField(b, `{"name":`, h.Name)
			b = appendStringField(b, `,"original_name":`, h.OriginalName)
			b = appendStringField(b, `,"source":`, h.Source)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if r.LeaveKind != "" {
		b = appendStringField(b, `,"leave_kind":`, r.LeaveKind)
	}
	if r.Ground != "" {
		b = appendStringField(b, `,"ground":`, r.Ground)
	}
	return append(b, '}')
}

// appendReasons appends rs; a nil slice is null, as encoding/json writes it.
func appendReasons(b []byte, rs []reasonJSON) []byte {
	if rs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = rs[i].appendJSON(b)
	}
	return append(b, ']')
}

func appendStringField(b []byte, name, s string) []byte { return appendString(append(b, name...), s) }

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

// plainJSON marks the bytes appendString copies as they are: printable
// ASCII but for " \ < > & (one table load a byte, not seven comparisons:
// the reasons' texts are most of a batch's bytes).
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = !strings.ContainsRune(`"\<>&`, rune(c))
	}
	return t
}()

// appendString appends s as a JSON string. Printable ASCII other than the
// characters encoding/json escapes (" and \, and < > & for HTML), and valid
// UTF-8 other than U+2028 and U+2029, are copied as they are; a string with
// anything else goes through encoding/json itself, so escapes and invalid
// UTF-8 come out exactly as it writes them.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if plainJSON[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError && r != '\u2028' && r != '\u2029' {
				i += size
				continue
			}
		}
		enc, _ := json.Marshal(s) // a string always marshals
		return append(b, enc...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// writeDecisionJSON writes what writeJSON(w, status, v) writes, for an
// answer already appended by hand: Content-Type (unless set), status, the
// bytes, and the newline json.Encoder ends a value with.
var jsonContentType = []string{"application/json"} // shared: see contentLanguage

func writeDecisionJSON(w http.ResponseWriter, status int, body []byte) {
	startJSON(w, status)
	_, _ = w.Write(append(body, '\n'))
}

// startJSON writes writeJSON's headers (Content-Type, unless set) and status.
func startJSON(w http.ResponseWriter, status int) {
	if h := w.Header(); h.Get("Content-Type") == "" {
		h["Content-Type"] = jsonContentType
	}
	w.WriteHeader(status)
}
