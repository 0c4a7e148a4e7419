package api

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/domain"
	"franja/postgres"
	"franja/view"
)

// KeyAuthOptions tune a KeyAuthenticator; zero values take the defaults.
type KeyAuthOptions struct {
	// FlushEvery is how often the keys' last uses are written, all in one
	// statement (default one minute).
	FlushEvery time.Duration
	// Now is the clock for expiry and last_used_at (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// KeyAuthenticator authenticates the API keys of the in-memory view, which
// loads them with everything else and follows their creation, revocation
// and deletion on any replica through the change feed: a request never
// waits for the database to authenticate, and keeps being answered while
// it is down. It is an Authenticator; put it in Config.Authenticators.
//
// last_used_at is bookkeeping: uses are remembered in memory and written
// in batches (Run), best effort.
type KeyAuthenticator struct {
	view       *view.View
	store      *postgres.Store
	now        func() time.Time
	flushEvery time.Duration
	log        *slog.Logger

	used    sync.Map // key id → *atomic.Int64: unix nanos of the last use not yet written
	flushMu sync.Mutex
	failing bool // the last flush failed (logged once per state change)
}

// NewKeyAuthenticator returns an authenticator for the keys in v, writing
// their last uses to store.
func NewKeyAuthenticator(v *view.View, store *postgres.Store, opts KeyAuthOptions) *KeyAuthenticator {
	a := &KeyAuthenticator{view: v, store: store, now: opts.Now, flushEvery: opts.FlushEvery, log: opts.Logger}
	if a.now == nil {
		a.now = time.Now
	}
	if a.flushEvery <= 0 {
		a.flushEvery = time.Minute
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	return a
}

// Authenticate resolves a token to its key's principal. Unknown, expired and
// revoked keys all give nil, so the caller answers the same 401 for each and
// reveals nothing about which it was. It never fails: an unloaded view
// knows no keys yet.
func (a *KeyAuthenticator) Authenticate(_ context.Context, token string) (*Principal, error) {
	if _, ok := postgres.ParseAPIKeyToken(token); !ok {
		return nil, nil // not one of ours
	}
	snap := a.view.Snapshot()
	if snap == nil {
		return nil, nil
	}
	sum := postgres.HashAPIKeyToken(token)
	k := snap.Key(sum)
	// The map found it by equality already; comparing again in constant
	// time costs nothing and keeps the check independent of how it was found.
	if k == nil || subtle.ConstantTimeCompare(k.Sum[:], sum[:]) != 1 {
		return nil, nil
	}
	now := a.now()
	if !k.Active(now) {
		return nil, nil
	}
	a.touch(k.ID, now)
	return &Principal{Role: Role(k.Role), Person: k.Person, KeyID: k.ID, KeyPrefix: k.Prefix}, nil
}

// touch remembers the use of key id at now: an atomic store, no lock and
// no database on the request path.
func (a *KeyAuthenticator) touch(id int64, now time.Time) {
	v, ok := a.used.Load(id)
	if !ok {
		v, _ = a.used.LoadOrStore(id, new(atomic.Int64))
	}
	last := v.(*atomic.Int64)
	n := now.UnixNano()
	for {
		old := last.Load()
		if old >= n || last.CompareAndSwap(old, n) {
			return
		}
	}
}

// Run writes the last uses every FlushEvery until ctx ends, then once more.
func (a *KeyAuthenticator) Run(ctx context.Context) {
	t := time.NewTicker(a.flushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = a.Flush(fctx)
			return
		case <-t.C:
			_ = a.Flush(ctx)
		}
	}
}

// Flush writes the last uses remembered since the last flush, in one
// statement. On failure they are kept for the next flush; the failure is
// logged once, and so is the recovery.
func (a *KeyAuthenticator) Flush(ctx context.Context) error {
	a.flushMu.Lock()
	defer a.flushMu.Unlock()
	var ids []int64
	var ats []time.Time
	a.used.Range(func(k, v any) bool {
		if n := v.(*atomic.Int64).Swap(0); n != 0 {
			ids, ats = append(ids, k.(int64)), append(ats, time.Unix(0, n))
		}
		return true
	})
	if len(ids) == 0 {
		return nil
	}
	err := a.store.TouchAPIKeys(ctx, ids, ats)
	switch {
	case err != nil:
		for i, id := range ids { // keep them for the next flush
			a.touch(id, ats[i])
		}
		if !a.failing {
			a.log.Warn("recording API keys' last use failed; retrying at the next flush", slog.String("error", err.Error()))
		}
	case a.failing:
		a.log.Info("recording API keys' last use works again")
	}
	a.failing = err != nil
	return err
}

// apiKeyRoutes registers the API key endpoints: admin only.
func (s *Server) apiKeyRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(allow())
		r.Post("/api-keys", handle(s.createAPIKey))
		r.Get("/api-keys", handle(s.listAPIKeys))
		r.Get("/api-keys/{id}", handle(s.getAPIKey))
		r.Delete("/api-keys/{id}", handle(s.revokeAPIKey))
	})
}

// apiKeyRequest is the body of POST /v1/api-keys. expires_at is read as text
// so that a bad instant is a field error, reported with the others.
type apiKeyRequest struct {
	Name      string  `json:"name"`
	Role      string  `json:"role"`
	Person    *string `json:"person"`
	ExpiresAt *string `json:"expires_at"`
}

// apiKeyJSON is a key as the API shows it. Token is set only in the answer
// to the POST that made the key.
type apiKeyJSON struct {
	ID         int64      `json:"id"`
	Token      string     `json:"token,omitempty"`
	Prefix     string     `json:"prefix"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Person     *string    `json:"person"`
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func toAPIKeyJSON(k postgres.APIKey, now time.Time) apiKeyJSON {
	out := apiKeyJSON{ID: k.ID, Prefix: k.Prefix, Name: k.Name, Role: k.Role, Status: "active",
		CreatedAt: k.CreatedAt.UTC(), ExpiresAt: utcPtr(k.ExpiresAt), RevokedAt: utcPtr(k.RevokedAt), LastUsedAt: utcPtr(k.LastUsedAt)}
	if k.Person != "" {
		out.Person = &k.Person
	}
	switch {
	case k.RevokedAt != nil:
		out.Status = "revoked"
	case !k.Active(now):
		out.Status = "expired"
	}
	return out
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	var body apiKeyRequest
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	now := time.Now()
	nk := postgres.NewAPIKey{Name: body.Name, Role: body.Role}
	if body.Person != nil {
		nk.Person = *body.Person
	}
	var v domain.Validator
	if body.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *body.ExpiresAt)
		v.Check(err == nil, "expires_at", "must be an RFC 3339 instant with offset, e.g. 2027-01-01T00:00:00-05:00")
		if err == nil {
			nk.ExpiresAt = &t
		}
	}
	postgres.ValidateAPIKey(&v, nk, now)
	if err := v.Err("the API key is not valid"); err != nil {
		return err
	}
	k, token, err := s.store.CreateAPIKey(r.Context(), nk, now)
	if err != nil {
		return err
	}
	logger(r).Info("API key created", slog.String("created_key", k.Prefix), slog.String("created_role", k.Role))
	out := toAPIKeyJSON(k, now)
	out.Token = token
	w.Header().Set("Cache-Control", "no-store") // the token must not linger in any cache
	w.Header().Set("Location", "/v1/api-keys/"+strconv.FormatInt(k.ID, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.store.ListAPIKeys(r.Context())
	if err != nil {
		return err
	}
	now := time.Now()
	items := make([]apiKeyJSON, 0, len(keys))
	for _, k := range keys {
		items = append(items, toAPIKeyJSON(k, now))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// getAPIKey answers GET /v1/api-keys/{id}, where the Location of a new key
// points. Keys are few (people make them by hand), so it reads the list.
func (s *Server) getAPIKey(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return domain.Errorf(domain.ENotFound, "no API key has id %q", chi.URLParam(r, "id"))
	}
	keys, err := s.store.ListAPIKeys(r.Context())
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID == id {
			writeJSON(w, http.StatusOK, toAPIKeyJSON(k, time.Now()))
			return nil
		}
	}
	return domain.Errorf(domain.ENotFound, "no API key has id %d", id)
}

// revokeAPIKey revokes a key in the database; the answer waits for this
// replica's view to drop it (withSync), so it stops working here with this
// very answer, and on the others as their change feed brings it.
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return domain.Errorf(domain.ENotFound, "no API key has id %q", chi.URLParam(r, "id"))
	}
	k, err := s.store.RevokeAPIKey(r.Context(), id, time.Now())
	if err != nil {
		return err
	}
	logger(r).Info("API key revoked", slog.String("revoked_key", k.Prefix))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
