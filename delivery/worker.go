package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"franja/contacts"
	"franja/domain"
	"franja/postgres"
)

// worker delivers one contact per job.
type worker struct {
	river.WorkerDefaults[Args]
	cfg      Config
	store    *postgres.Store
	contacts *contacts.Service
	http     *http.Client
	// interval is the gap between two deliveries to one endpoint (0: none).
	interval time.Duration

	mu    sync.Mutex
	hooks map[int64]cachedHook
}

// unavailableWait is how long a job waits when the database or the view
// cannot answer: not an attempt of the delivery.
const unavailableWait = 5 * time.Second

// Work decides contact job.Args.Contact again and delivers it if allowed.
func (w *worker) Work(ctx context.Context, job *river.Job[Args]) error {
	c, err := w.store.GetContact(ctx, job.Args.Contact)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return w.later("reading the contact", job.Args.Contact, err)
	}
	if c.Status != contacts.Held && c.Status != contacts.Delivering {
		return nil // cancelled, or already done
	}
	hook, err := w.webhook(ctx, *c.Webhook)
	if err != nil && !isNotFound(err) {
		return w.later("reading the webhook", c.ID, err)
	}
	if err != nil || hook.Deleted {
		return w.move(ctx, c, contacts.Cancelled, "webhook_deleted")
	}
	now := time.Now()
	v, err := w.contacts.Redecide(c, now)
	if err != nil {
		return w.later("deciding again", c.ID, err)
	}
	switch v.Status {
	case contacts.Held:
		return w.hold(ctx, c, v)
	case contacts.Delivering:
	default:
		return w.move(ctx, c, v.Status, v.Detail)
	}
	if wait, err := w.waitForSlot(ctx, c, hook, now); err != nil || wait > 0 {
		if err != nil {
			return w.later("taking a delivery slot", c.ID, err)
		}
		return river.JobSnooze(wait)
	}
	return w.deliver(ctx, job, c, hook)
}

// hookTTL is how long a worker keeps a webhook it read: a deleted one is
// no longer called within this.
const hookTTL = 2 * time.Second

type cachedHook struct {
	hook *postgres.Webhook
	at   time.Time
}

// webhook reads webhook id, through a short cache: a wave of deliveries to
// one endpoint reads it once.
func (w *worker) webhook(ctx context.Context, id int64) (*postgres.Webhook, error) {
	w.mu.Lock()
	c, ok := w.hooks[id]
	w.mu.Unlock()
	if ok && time.Since(c.at) < hookTTL {
		return c.hook, nil
	}
	h, err := w.store.GetWebhook(ctx, id)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	if w.hooks == nil {
		w.hooks = map[int64]cachedHook{}
	}
	w.hooks[id] = cachedHook{h, time.Now()}
	w.mu.Unlock()
	return h, nil
}

// later logs why contact id cannot be worked now and snoozes its job: a
// database or view that cannot answer is not an attempt of the delivery.
func (w *worker) later(doing string, id int64, err error) error {
	w.cfg.Logger.Warn("delivery: "+doing+" failed; trying again shortly", "contact", id, "error", err.Error())
	return river.JobSnooze(unavailableWait)
}

// hold keeps c until v.At, recording the change only when it is one (a job
// woken a moment early is held to the same instant without a new event).
func (w *worker) hold(ctx context.Context, c *postgres.Contact, v contacts.Verdict) error {
	if c.Status != contacts.Held || c.DeliverAt == nil || !c.DeliverAt.Equal(v.At) {
		if _, err := w.store.TransitionContact(ctx, c.ID, postgres.Transition{From: contacts.Pending, To: contacts.Held,
			Attempt: c.Attempts, Detail: v.Detail, DeliverAt: &v.At}); err != nil {
			return river.JobSnooze(unavailableWait)
		}
	}
	return river.JobSnooze(max(time.Until(v.At), 0))
}

// move ends c in status (cancelled, refused, expired, failed).
func (w *worker) move(ctx context.Context, c *postgres.Contact, status, detail string) error {
	if _, err := w.store.TransitionContact(ctx, c.ID, postgres.Transition{From: contacts.Pending, To: status,
		Attempt: c.Attempts, Detail: detail}); err != nil {
		return river.JobSnooze(unavailableWait)
	}
	return nil
}

// waitForSlot takes c's delivery slot on hook's rate, if not taken yet,
// and sleeps until it when it is near; it returns how long to snooze when
// it is further off.
func (w *worker) waitForSlot(ctx context.Context, c *postgres.Contact, hook *postgres.Webhook, now time.Time) (time.Duration, error) {
	if w.interval <= 0 {
		return 0, nil
	}
	slot := c.SlotAt
	if slot == nil {
		s, err := w.store.ReserveSlot(ctx, hook.ID, now, w.interval)
		if err != nil {
			return 0, err
		}
		if err := w.store.SetContactSlot(ctx, c.ID, s); err != nil {
			return 0, err
		}
		slot = &s
	}
	wait := time.Until(*slot)
	if wait > sleepWithin {
		return wait - sleepWithin/2, nil
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-t.C:
		}
	}
	return 0, nil
}

// deliver makes one attempt. A success is one event (delivered); a
// failure records the attempt (delivering, and why) for the history, so
// that a wave of deliveries writes one chained row each.
func (w *worker) deliver(ctx context.Context, job *river.Job[Args], c *postgres.Contact, hook *postgres.Webhook) error {
	attempt := max(job.Attempt, 1)
	sendErr := w.send(ctx, c, hook, attempt)
	if sendErr == nil {
		_, err := w.store.TransitionContact(context.WithoutCancel(ctx), c.ID, postgres.Transition{From: contacts.Pending,
			To: contacts.Delivered, Attempt: attempt, DeliverAt: c.DeliverAt})
		if err != nil {
			return w.later("recording a delivery", c.ID, err) // delivered again later: at least once
		}
		return nil
	}
	if attempt >= job.MaxAttempts {
		_ = w.move(context.WithoutCancel(ctx), c, contacts.Failed, sendErr.Error()+"; attempt "+strconv.Itoa(attempt)+" was the last")
		return river.JobCancel(sendErr)
	}
	_, _ = w.store.TransitionContact(context.WithoutCancel(ctx), c.ID, postgres.Transition{From: contacts.Pending,
		To: contacts.Delivering, Attempt: attempt, Detail: sendErr.Error() + "; retrying", DeliverAt: c.DeliverAt})
	return sendErr
}

// Message is the body of a delivery.
type Message struct {
	Type    string          `json:"type"`
	Contact MessageContact  `json:"contact"`
	Payload json.RawMessage `json:"payload"`
}

// MessageContact is the contact, as delivered.
type MessageContact struct {
	ID               string `json:"id"`
	Person           string `json:"person"`
	Requester        string `json:"requester"`
	Channel          string `json:"channel"`
	Purpose          string `json:"purpose"`
	OfficialDocument bool   `json:"official_document"`
	At               string `json:"at"`
	Attempt          int    `json:"attempt"`
}

// send POSTs c to hook, signed, and says why it was not delivered (nil: a 2xx).
func (w *worker) send(ctx context.Context, c *postgres.Contact, hook *postgres.Webhook, attempt int) error {
	id := strconv.FormatInt(c.ID, 10)
	body, err := json.Marshal(Message{Type: "contact.deliver", Payload: c.Payload, Contact: MessageContact{
		ID: id, Person: c.Person, Requester: c.Requester, Channel: c.Channel, Purpose: c.Purpose,
		OfficialDocument: c.OfficialDocument, At: c.At.UTC().Format(time.RFC3339), Attempt: attempt}})
	if err != nil {
		return err
	}
	ts := time.Now().Unix()
	sig, err := Sign(hook.Secret, id, ts, body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bad_url")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Franja-Webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	res, err := w.http.Do(req)
	if err != nil {
		if errors.Is(err, ErrPrivateAddress) {
			return errors.New("address_refused")
		}
		return errors.New("connection_failed")
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("http_%d", res.StatusCode)
	}
	return nil
}

func isNotFound(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.ENotFound
}
