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
)

// KeyCache remembers recent key lookups by token hash, so that most requests
// authenticate without a database round trip. Forget drops every entry of a
// key: the authenticator calls it when the key is revoked here, and a change
// feed from other replicas can call it (through KeyAuthenticator.Forget) to
// make revocation there immediate too.
type KeyCache interface {
	Get(sum [32]byte) (postgres.APIKey, bool)
	Put(sum [32]byte, k postgres.APIKey)
	Forget(id int64)
}

// ttlCache is the default KeyCache: entries live for a fixed TTL, which
// bounds how long another replica's revocation takes to apply here.
type ttlCache struct {
	ttl     time.Duration
	entries sync.Map // [32]byte → ttlEntry
}

type ttlEntry struct {
	key   postgres.APIKey
	until time.Time
}

// NewTTLCache returns a KeyCache whose entries expire after ttl.
func NewTTLCache(ttl time.Duration) KeyCache { return &ttlCache{ttl: ttl} }

func (c *ttlCache) Get(sum [32]byte) (postgres.APIKey, bool) {
	v, ok := c.entries.Load(sum)
	if !ok {
		return postgres.APIKey{}, false
	}
	e := v.(ttlEntry)
	if !time.Now().Before(e.until) {
		c.entries.CompareAndDelete(sum, v)
		return postgres.APIKey{}, false
	}
	return e.key, true
}

func (c *ttlCache) Put(sum [32]byte, k postgres.APIKey) {
	c.entries.Store(sum, ttlEntry{key: k, until: time.Now().Add(c.ttl)})
}

// Forget scans the cache: it holds one entry per key used in the last TTL,
// so the scan is short, and revocations are rare.
func (c *ttlCache) Forget(id int64) {
	c.entries.Range(func(k, v any) bool {
		if v.(ttlEntry).key.ID == id {
			c.entries.Delete(k)
		}
		return true
	})
}

// KeyAuthOptions tune a KeyAuthenticator; zero values take the defaults.
type KeyAuthOptions struct {
	// Cache defaults to NewTTLCache(CacheTTL).
	Cache KeyCache
	// CacheTTL defaults to one second: the longest a key revoked on another
	// replica keeps working here without a change feed.
	CacheTTL time.Duration
	// TouchEvery is how often, at most, a key's last_used_at is written per
	// replica (default one minute).
	TouchEvery time.Duration
	// Now is the clock for expiry and last_used_at (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// KeyAuthenticator authenticates the API keys stored in PostgreSQL. It is an
// Authenticator; put it in Config.Authenticators.
type KeyAuthenticator struct {
	store      *postgres.Store
	cache      KeyCache
	now        func() time.Time
	touchEvery time.Duration
	log        *slog.Logger

	// mu and gen keep a lookup that raced with a revocation from caching
	// the key as it was before: Forget bumps gen, and a lookup caches its
	// result only if gen has not moved since it started.
	mu      sync.Mutex
	gen     atomic.Uint64
	touched sync.Map // key id → time.Time of the last last_used_at write
	pending sync.WaitGroup
}

// NewKeyAuthenticator returns an authenticator for the keys in store.
func NewKeyAuthenticator(store *postgres.Store, opts KeyAuthOptions) *KeyAuthenticator {
	a := &KeyAuthenticator{store: store, cache: opts.Cache, now: opts.Now, touchEvery: opts.TouchEvery, log: opts.Logger}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = time.Second
	}
	if a.cache == nil {
		a.cache = NewTTLCache(opts.CacheTTL)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.touchEvery <= 0 {
		a.touchEvery = time.Minute
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	return a
}

// Authenticate resolves a token to its key's principal. Unknown, expired and
// revoked keys all give nil, so the caller answers the same 401 for each and
// reveals nothing about which it was.
func (a *KeyAuthenticator) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if _, ok := postgres.ParseAPIKeyToken(token); !ok {
		return nil, nil // not one of ours: no database round trip
	}
	sum := postgres.HashAPIKeyToken(token)
	k, ok := a.cache.Get(sum)
	if !ok {
		var err error
		if k, ok, err = a.load(ctx, sum); err != nil || !ok {
			return nil, err
		}
	}
	now := a.now()
	if !k.Active(now) {
		return nil, nil
	}
	a.touch(k.ID, now)
	return &Principal{Role: Role(k.Role), Person: k.Person, KeyID: k.ID, KeyPrefix: k.Prefix}, nil
}

// load reads the key stored under sum and caches it.
func (a *KeyAuthenticator) load(ctx context.Context, sum [32]byte) (postgres.APIKey, bool, error) {
	gen := a.gen.Load()
	k, stored, err := a.store.FindAPIKeyByHash(ctx, sum)
	if domain.ErrorCodeOf(err) == domain.ENotFound {
		return postgres.APIKey{}, false, nil
	}
	if err != nil {
		return postgres.APIKey{}, false, err
	}
	// The index found it by equality already; comparing again in constant
	// time costs nothing and keeps the check independent of how it was found.
	if subtle.ConstantTimeCompare(stored, sum[:]) != 1 {
		return postgres.APIKey{}, false, nil
	}
	a.mu.Lock()
	if a.gen.Load() == gen {
		a.cache.Put(sum, k)
	}
	a.mu.Unlock()
	return k, true, nil
}

// Forget makes this replica re-read key id on its next use: call it when the
// key is revoked (the DELETE handler does) or when another replica says so.
func (a *KeyAuthenticator) Forget(id int64) {
	a.mu.Lock()
	a.gen.Add(1)
	a.cache.Forget(id)
	a.mu.Unlock()
}

// touch records the use of key id in the background, at most once per
// TouchEvery on this replica: never a write per request.
func (a *KeyAuthenticator) touch(id int64, now time.Time) {
	prev, loaded := a.touched.LoadOrStore(id, now)
	if loaded && (now.Sub(prev.(time.Time)) < a.touchEvery || !a.touched.CompareAndSwap(id, prev, now)) {
		return
	}
	a.pending.Add(1)
	go func() {
		defer a.pending.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.store.TouchAPIKey(ctx, id, now); err != nil {
			a.log.Warn("recording an API key's last use", slog.Int64("key_id", id), slog.String("error", err.Error()))
		}
	}()
}

// Close waits for the last_used_at writes under way. Call it after the HTTP
// server has stopped and before the store closes.
func (a *KeyAuthenticator) Close() { a.pending.Wait() }

// keyForgetter is what the DELETE handler looks for among the authenticators.
type keyForgetter interface{ Forget(id int64) }

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

// revokeAPIKey revokes a key in the database, then forgets it in this
// replica's caches so that it stops working here with this very answer.
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return domain.Errorf(domain.ENotFound, "no API key has id %q", chi.URLParam(r, "id"))
	}
	k, err := s.store.RevokeAPIKey(r.Context(), id, time.Now())
	for _, a := range s.auth {
		if f, ok := a.(keyForgetter); ok {
			f.Forget(id)
		}
	}
	if err != nil {
		return err
	}
	logger(r).Info("API key revoked", slog.String("revoked_key", k.Prefix))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
