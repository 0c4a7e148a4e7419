package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/contacts"
	"franja/decide"
	"franja/domain"
	"franja/engine"
	"franja/policy"
	"franja/postgres"
)

// contactRoutes serves contacts: the act of reaching a person, recorded
// whatever the decision, and held until allowed when a delivery is asked.
// The use case is package contacts; the handlers only translate.
func (s *Server) contactRoutes(r chi.Router) {
	every := r.With(allow(RoleHR, RoleSupervisor, RoleSystem))
	every.With(s.withLoadedView).Post("/contacts", handle(s.createContact))
	every.Get("/contacts", handle(s.listContacts))
	every.Get("/contacts/{id}", handle(s.getContact))
	every.Delete("/contacts/{id}", handle(s.cancelContact))
	every.Post("/contacts/{id}/cancel", handle(s.cancelContact))
}

// maxContactBody bounds a contact: its payload (contacts.MaxPayload) and the rest.
const maxContactBody = contacts.MaxPayload + 16<<10

// maxIdempotencyKey is the longest Idempotency-Key.
const maxIdempotencyKey = 200

// contactBody is a contact as sent.
type contactBody struct {
	Person           string `json:"person"`
	Channel          string `json:"channel"`
	Purpose          string `json:"purpose"`
	OfficialDocument bool   `json:"official_document"`
	Requester        string `json:"requester"`
	Justification    string `json:"justification"`
	Duration         string `json:"duration"`
	Deliver          *struct {
		Webhook *int64          `json:"webhook"`
		Payload json.RawMessage `json:"payload"`
	} `json:"deliver"`
	DeliverBy *string `json:"deliver_by"`
}

// createContact answers POST /v1/contacts: 201 with the contact recorded,
// or 200 with the one an Idempotency-Key made before.
func (s *Server) createContact(w http.ResponseWriter, r *http.Request) error {
	var b contactBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	var v domain.Validator
	in := contacts.Request{Question: decide.Question{Person: b.Person, OfficialDocument: b.OfficialDocument,
		Requester: b.Requester, Justification: b.Justification, Horizon: engine.DefaultHorizon}}
	in.Question.Channel = enumValue(&v, "channel", b.Channel, policy.Email, policy.Channels)
	in.Question.Purpose = enumValue(&v, "purpose", b.Purpose, policy.Routine, policy.Purposes)
	in.Question.Duration = policy.DefaultDuration(in.Question.Channel)
	if b.Duration != "" {
		in.Question.Duration = bodyDuration(&v, "duration", b.Duration, 0, 0, maxContactDuration)
	}
	if b.Deliver != nil {
		in.Webhook, in.Payload = b.Deliver.Webhook, b.Deliver.Payload
		if in.Webhook == nil {
			v.Add("deliver.webhook", "is required to deliver: the id of a webhook (GET /v1/webhooks)")
		}
		if p := strings.TrimSpace(string(in.Payload)); p != "" && p != "null" && !strings.HasPrefix(p, "{") {
			v.Add("deliver.payload", "must be a JSON object")
		}
	}
	if b.DeliverBy != nil {
		t, err := parseInstant(*b.DeliverBy)
		if err != nil {
			v.Add("deliver_by", "%s", err)
		} else {
			in.DeliverBy = &t
		}
	}
	in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	if n := len(in.IdempotencyKey); n > maxIdempotencyKey {
		v.Add("Idempotency-Key", "is %d characters long; the limit is %d", n, maxIdempotencyKey)
	}
	p := principalOf(r.Context())
	res, err := s.contacts.Create(r.Context(), p, requestID(r.Context()), in, v.Fields...)
	if err != nil {
		return err
	}
	out := s.renderContact(r, res.Contact, nil)
	status := http.StatusCreated
	if res.Answer != nil {
		d := renderAnswer(res.Answer, policyLang(r), s.disclosureFor(p, res.Answer.Question.At))
		out.Reasons = d.Reasons
		s.countDecision(p, &d)
	} else {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/v1/contacts/"+strconv.FormatInt(res.Contact.ID, 10))
	writeJSON(w, status, out)
	return nil
}

// contactJSON is a contact as shown.
type contactJSON struct {
	ID                 int64        `json:"id"`
	Status             string       `json:"status"`
	Person             string       `json:"person"`
	Post               string       `json:"post"`
	Requester          string       `json:"requester"`
	APIKey             string       `json:"api_key"`
	Channel            string       `json:"channel"`
	Purpose            string       `json:"purpose"`
	OfficialDocument   bool         `json:"official_document"`
	Duration           string       `json:"duration"`
	Justification      string       `json:"justification"`
	At                 string       `json:"at"`
	LocalAt            string       `json:"local_at"`
	TimeZone           string       `json:"time_zone"`
	Decision           string       `json:"decision"`
	Contactable        bool         `json:"contactable"`
	Reasons            []reasonJSON `json:"reasons,omitempty"`
	ReasonCodes        []string     `json:"reason_codes"`
	OutsideAllowed     bool         `json:"outside_allowed"`
	Exception          *string      `json:"exception"`
	NextAllowedAt      *string      `json:"next_allowed_at"`
	LocalNextAllowedAt *string      `json:"local_next_allowed_at"`
	DeliverAt          *string      `json:"deliver_at"`
	LocalDeliverAt     *string      `json:"local_deliver_at"`
	// BeyondDisclosure: next_allowed_at and deliver_at lie beyond the
	// caller's disclosure horizon and are left out (disclosure.go).
	BeyondDisclosure bool           `json:"disclosure_horizon_reached,omitempty"`
	AskAgainAt       *string        `json:"ask_again_at,omitempty"`
	DeliverBy        *string        `json:"deliver_by"`
	Webhook          *int64         `json:"webhook"`
	Attempts         int            `json:"attempts"`
	UpdatedAt        string         `json:"updated_at"`
	History          []contactEvent `json:"history,omitempty"`
}

type contactEvent struct {
	At      string `json:"at"`
	Status  string `json:"status"`
	Attempt int    `json:"attempt"`
	Detail  string `json:"detail"`
}

// renderContact shows c, with its local times in the person's zone (UTC
// when the person is no longer on staff), and its history when given. A
// system or supervisor caller is not shown a next allowed or delivery
// instant beyond its disclosure horizon from the contact's instant.
func (s *Server) renderContact(r *http.Request, c *postgres.Contact, history []postgres.ContactEvent) contactJSON {
	loc, zone := time.UTC, "UTC"
	if snap, err := s.snapshot(); err == nil {
		if p := snap.Person(c.Person); p != nil {
			loc, zone = p.ZoneAt(c.At)
		}
	}
	inZone := func(t *time.Time) (*string, *string) {
		if t == nil {
			return nil, nil
		}
		return ptr(utc(*t)), ptr(local(*t, loc))
	}
	out := contactJSON{ID: c.ID, Status: c.Status, Person: c.Person, Post: c.Post, Requester: c.Requester, APIKey: c.APIKey,
		Channel: c.Channel, Purpose: c.Purpose, OfficialDocument: c.OfficialDocument, Duration: formatDuration(c.Duration),
		Justification: c.Justification, At: utc(c.At), LocalAt: local(c.At, loc), TimeZone: zone, Decision: c.Decision,
		Contactable: c.Decision == string(policy.Allow), ReasonCodes: c.Reasons, OutsideAllowed: c.OutsideAllowed,
		Webhook: c.Webhook, Attempts: c.Attempts, UpdatedAt: utc(c.UpdatedAt)}
	if c.Exception != "" {
		out.Exception = &c.Exception
	}
	dc := s.disclosureFor(principalOf(r.Context()), c.At)
	for _, t := range []*time.Time{c.NextAllowedAt, c.DeliverAt} {
		if t != nil && dc.Hides(*t) {
			out.BeyondDisclosure, out.AskAgainAt = true, dc.askAgain()
		}
	}
	if !out.BeyondDisclosure {
		out.NextAllowedAt, out.LocalNextAllowedAt = inZone(c.NextAllowedAt)
		out.DeliverAt, out.LocalDeliverAt = inZone(c.DeliverAt)
	}
	if c.DeliverBy != nil {
		out.DeliverBy = ptr(utc(*c.DeliverBy))
	}
	for _, e := range history {
		out.History = append(out.History, contactEvent{At: utc(e.At), Status: e.Status, Attempt: e.Attempt, Detail: e.Detail})
	}
	return out
}

// contactID reads {id}.
func contactID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return 0, domain.Errorf(domain.ENotFound, "no contact has id %q", chi.URLParam(r, "id"))
	}
	return id, nil
}

// getContact answers GET /v1/contacts/{id}, with the contact's history.
func (s *Server) getContact(w http.ResponseWriter, r *http.Request) error {
	id, err := contactID(r)
	if err != nil {
		return err
	}
	c, history, err := s.contacts.Get(r.Context(), principalOf(r.Context()), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.renderContact(r, c, history))
	return nil
}

// cancelContact answers DELETE /v1/contacts/{id} and POST …/cancel.
func (s *Server) cancelContact(w http.ResponseWriter, r *http.Request) error {
	id, err := contactID(r)
	if err != nil {
		return err
	}
	if err := noBody(r); err != nil {
		return err
	}
	p := principalOf(r.Context())
	if _, err := s.contacts.Cancel(r.Context(), p, id); err != nil {
		return err
	}
	c, history, err := s.contacts.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.renderContact(r, c, history))
	return nil
}

// noBody refuses a body on an operation that takes none (POST …/cancel):
// what was sent cannot be what the caller meant.
func noBody(r *http.Request) error {
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		return jsonError(err)
	}
	if n > 0 {
		return domain.Errorf(domain.EMalformed, "this operation takes no body")
	}
	return nil
}

// listContacts answers GET /v1/contacts?person=&requester=&status=&from=&to=.
func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := postgres.ContactFilter{
		From:      q.instant("from", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)),
		To:        q.instant("to", time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)),
		Person:    q.str("person"),
		Requester: q.str("requester"),
		Status:    oneOfParam(q, "status", "", contacts.Statuses),
	}
	if err := q.err(); err != nil {
		return err
	}
	pages := newPager("contacts", q.str("from"), q.str("to"), f.Person, f.Requester, f.Status)
	after, limit, err := pages.params(r, func(k string) bool { _, err := strconv.ParseInt(k, 10, 64); return err == nil })
	if err != nil {
		return err
	}
	f.After, _ = strconv.ParseInt(after, 10, 64)
	f.Limit = limit
	list, next, err := s.contacts.List(r.Context(), principalOf(r.Context()), f)
	if err != nil {
		return err
	}
	out := listOf[contactJSON]{Items: make([]contactJSON, 0, len(list))}
	for _, c := range list {
		out.Items = append(out.Items, s.renderContact(r, c, nil))
	}
	if next != 0 {
		out.NextCursor = pages.cursor(strconv.FormatInt(next, 10))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
