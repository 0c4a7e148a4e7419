// Package delivery delivers held contacts by signed webhook, on River: a
// contact asking for delivery is a River job inserted in the transaction
// that records it (see Runner.ScheduleTx), due at the person's next allowed
// instant. When it comes due, on whichever replica, the worker decides the
// contact again (package contacts), waits for the endpoint's next free slot
// at the configured rate, and POSTs it with Standard Webhooks headers,
// retrying with exponential backoff until the last attempt, after which the
// contact is failed.
//
// River gives each job to one worker at a time across replicas and keeps
// it across restarts; a delivery is made at least once, with a webhook-id
// (the contact's id) that receivers deduplicate on.
package delivery

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"franja/contacts"
	"franja/postgres"
)

// Queue is River's queue of deliveries.
const Queue = "deliveries"

// Defaults of Config.
const (
	DefaultRate        = 50.0
	DefaultMaxAttempts = 10
	DefaultRetryBase   = 30 * time.Second
	DefaultTimeout     = 15 * time.Second
	DefaultWorkers     = 200
	// maxRetryDelay caps the backoff.
	maxRetryDelay = 6 * time.Hour
	// sleepWithin is how long a worker waits itself for its slot; a later
	// slot is waited for by snoozing the job (River's scheduler wakes it
	// within about 5 s, so the snooze ends sleepWithin/2 early).
	sleepWithin = 10 * time.Second
)

// Config configures deliveries.
type Config struct {
	Store  *postgres.Store
	Logger *slog.Logger
	// Rate is the most deliveries per second to one endpoint, across every
	// replica (FRANJA_WEBHOOK_RATE; default DefaultRate; 0 or less: no limit).
	Rate float64
	// MaxAttempts is how many times a delivery is tried before the
	// contact fails (FRANJA_WEBHOOK_MAX_ATTEMPTS).
	MaxAttempts int
	// RetryBase is the wait after the first failed attempt, doubled after
	// each (FRANJA_WEBHOOK_RETRY_BASE), ±10%, at most 6 h.
	RetryBase time.Duration
	// Timeout bounds each POST.
	Timeout time.Duration
	// AllowPrivate lets webhooks reach private and loopback addresses
	// (FRANJA_WEBHOOK_ALLOW_PRIVATE=1: tests, or endpoints on the same
	// private network).
	AllowPrivate bool
	// Workers is how many deliveries this replica works at once.
	Workers int
	// Work: false makes an insert-only Runner, which schedules deliveries
	// but works none (tests of the API).
	Work bool
}

// Args is a delivery job: the contact to deliver.
type Args struct {
	Contact int64 `json:"contact"`
}

// Kind names the job in River.
func (Args) Kind() string { return "contact_deliver" }

// Runner schedules and works deliveries.
type Runner struct {
	cfg    Config
	client *river.Client[pgx.Tx]
	worker *worker
}

// New returns a Runner on pool (the service's pool), not started.
// SetContacts must be called before Start.
func New(pool *pgxpool.Pool, cfg Config) (*Runner, error) {
	cfg.Logger = cmp.Or(cfg.Logger, slog.Default())
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, DefaultMaxAttempts)
	cfg.RetryBase = cmp.Or(cfg.RetryBase, DefaultRetryBase)
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	cfg.Workers = cmp.Or(cfg.Workers, DefaultWorkers)
	r := &Runner{cfg: cfg}
	// River reports its routine (job counts every 5 s, elections) at
	// info: keep its warnings and errors only.
	rc := &river.Config{Logger: slog.New(atLeast{cfg.Logger.Handler(), slog.LevelWarn}), MaxAttempts: cfg.MaxAttempts}
	if cfg.Work {
		r.worker = &worker{cfg: cfg, store: cfg.Store, http: newClient(cfg.Timeout, cfg.AllowPrivate)}
		if cfg.Rate > 0 {
			r.worker.interval = time.Duration(float64(time.Second) / cfg.Rate)
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, r.worker)
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{Queue: {MaxWorkers: cfg.Workers}}
		rc.RetryPolicy = backoff{base: cfg.RetryBase}
		rc.JobTimeout = sleepWithin + 2*cfg.Timeout
		rc.FetchPollInterval = 200 * time.Millisecond
		rc.RescueStuckJobsAfter = rc.JobTimeout + time.Minute
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, err
	}
	r.client = client
	return r, nil
}

// SetContacts gives the worker the contacts service it decides again with.
func (r *Runner) SetContacts(c *contacts.Service) {
	if r.worker != nil {
		r.worker.contacts = c
	}
}

// ScheduleTx makes contact id due at at, in tx (contacts.Scheduler).
func (r *Runner) ScheduleTx(ctx context.Context, tx pgx.Tx, id int64, at time.Time) error {
	_, err := r.client.InsertTx(ctx, tx, Args{Contact: id}, &river.InsertOpts{Queue: Queue, ScheduledAt: at, MaxAttempts: r.cfg.MaxAttempts})
	return err
}

// Run works deliveries until ctx ends, then stops, letting deliveries in
// flight finish for a few seconds.
func (r *Runner) Run(ctx context.Context) error {
	if r.worker == nil || r.worker.contacts == nil {
		return errors.New("delivery: Run needs a working Runner with SetContacts called")
	}
	if err := r.client.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return r.client.Stop(stop)
}

// backoff is the retry policy: base·2^(attempt−1), ±10%, at most 6 h.
type backoff struct{ base time.Duration }

// NextRetry is when job, failed, is tried again.
func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	d := float64(b.base) * math.Pow(2, float64(max(job.Attempt, 1)-1))
	d = min(d, float64(maxRetryDelay))
	d *= 0.9 + 0.2*rand.Float64()
	return time.Now().Add(time.Duration(d))
}

// atLeast passes on the records of h at level or above.
type atLeast struct {
	slog.Handler
	level slog.Level
}

// Enabled reports whether l reaches the level.
func (a atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= a.level && a.Handler.Enabled(ctx, l)
}

// WithAttrs and WithGroup keep the level.
func (a atLeast) WithAttrs(attrs []slog.Attr) slog.Handler {
	return atLeast{a.Handler.WithAttrs(attrs), a.level}
}

// WithGroup keeps the level.
func (a atLeast) WithGroup(name string) slog.Handler {
	return atLeast{a.Handler.WithGroup(name), a.level}
}
