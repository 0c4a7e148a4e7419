package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"franja/domain"
)

// An API key token looks like frj_<8 public chars>_<43 secret chars>, all
// base62 so that a double click selects the whole token and the underscores
// stay unambiguous separators. The secret part carries 43·log2(62) ≈ 256
// random bits, which is why one unsalted SHA-256 is enough to store it: there
// is nothing to guess and no dictionary to try.
const (
	tokenPrefixLen = 8
	tokenSecretLen = 43
	base62         = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// APIKeyRoles are the roles a key may carry (API.md, Conventions).
var APIKeyRoles = []string{"admin", "hr", "supervisor", "system"}

// APIKey is an API key as stored: everything but its secret, which is never
// stored anywhere.
type APIKey struct {
	ID         int64
	Name       string
	Role       string
	Person     string // the external_id a supervisor key is bound to; "" otherwise
	Prefix     string // the public part of the token, e.g. frj_Ab3dEf9h
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// Active reports whether the key authenticates at now: not revoked, and not
// expired (a key expires at expires_at exactly).
func (k APIKey) Active(now time.Time) bool {
	if k.RevokedAt != nil {
		return false
	}
	return k.ExpiresAt == nil || now.Before(*k.ExpiresAt)
}

// NewAPIKey is what CreateAPIKey needs to make a key.
type NewAPIKey struct {
	Name      string
	Role      string
	Person    string
	ExpiresAt *time.Time
}

// GenerateAPIKeyToken returns a new random token and its public prefix.
func GenerateAPIKeyToken() (token, prefix string, err error) {
	public, err := randomBase62(tokenPrefixLen)
	if err != nil {
		return "", "", err
	}
	secret, err := randomBase62(tokenSecretLen)
	if err != nil {
		return "", "", err
	}
	prefix = "frj_" + public
	return prefix + "_" + secret, prefix, nil
}

// randomBase62 returns n uniformly random base62 characters from crypto/rand.
// Bytes of 248 and above are rejected so that every character is equally
// likely (248 = 4·62).
func randomBase62(n int) (string, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("reading random bytes: %w", err)
		}
		for _, b := range buf {
			if b < 248 && len(out) < n {
				out = append(out, base62[b%62])
			}
		}
	}
	return string(out), nil
}

// ParseAPIKeyToken returns the public prefix of a well-formed token, and
// false for anything that cannot be one of our tokens (so callers can refuse
// it without a database round trip).
func ParseAPIKeyToken(token string) (prefix string, ok bool) {
	// By hand rather than with a regexp: this runs on every request.
	const n = len("frj_") + tokenPrefixLen
	if len(token) != n+1+tokenSecretLen || token[:4] != "frj_" || token[n] != '_' {
		return "", false
	}
	for i := 4; i < len(token); i++ {
		if i != n && !isBase62(token[i]) {
			return "", false
		}
	}
	return token[:n], true
}

func isBase62(c byte) bool {
	return ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z')
}

// HashAPIKeyToken returns the SHA-256 under which a token is stored.
func HashAPIKeyToken(token string) [32]byte {
	// Every authenticated request hashes its token: copied into a buffer on
	// the stack, not converted (a conversion of more than 32 bytes is an
	// allocation).
	var buf [128]byte
	if len(token) <= len(buf) {
		return sha256.Sum256(append(buf[:0], token...))
	}
	return sha256.Sum256([]byte(token))
}

// ValidateAPIKey records every problem with k at instant now.
func ValidateAPIKey(v *domain.Validator, k NewAPIKey, now time.Time) {
	name := strings.TrimSpace(k.Name)
	v.Check(name != "", "name", "give the key a name that says who uses it, e.g. \"Talento Humano\"")
	v.Check(utf8.RuneCountInString(name) <= 200, "name", "must be at most 200 characters")
	known := false
	for _, r := range APIKeyRoles {
		known = known || r == k.Role
	}
	if !known {
		v.Add("role", "must be one of admin, hr, supervisor, system (got %q)", k.Role)
	}
	switch {
	case k.Role == "supervisor" && k.Person == "":
		v.Add("person", "a supervisor key must name the person (external_id) it is bound to")
	case k.Role != "supervisor" && k.Person != "":
		v.Add("person", "only a supervisor key is bound to a person; leave it out for a %s key", k.Role)
	}
	if k.ExpiresAt != nil {
		v.Check(k.ExpiresAt.After(now), "expires_at", "must be in the future")
		v.Check(k.ExpiresAt.Year() < 2200, "expires_at", "must be before 2200")
	}
}

const apiKeyColumns = `id, name, role, COALESCE(person, ''), prefix, created_at, expires_at, revoked_at, last_used_at`

func scanAPIKey(row pgx.Row) (APIKey, error) {
	var k APIKey
	err := row.Scan(&k.ID, &k.Name, &k.Role, &k.Person, &k.Prefix, &k.CreatedAt, &k.ExpiresAt, &k.RevokedAt, &k.LastUsedAt)
	return k, err
}

// CreateAPIKey validates k at instant now, makes a new token and stores the
// key with the token's hash. The token is returned here and never again.
func (s *Store) CreateAPIKey(ctx context.Context, k NewAPIKey, now time.Time) (APIKey, string, error) {
	k.Name = strings.TrimSpace(k.Name)
	var v domain.Validator
	ValidateAPIKey(&v, k, now)
	if err := v.Err("the API key is not valid"); err != nil {
		return APIKey{}, "", err
	}
	if k.Person != "" {
		var exists bool
		const q = `SELECT EXISTS (SELECT 1 FROM people WHERE external_id = $1)`
		if err := s.pool.QueryRow(ctx, q, k.Person).Scan(&exists); err != nil {
			return APIKey{}, "", translate(err, "the key's person")
		}
		if !exists {
			return APIKey{}, "", unknownKeyPerson(k.Person)
		}
	}
	// A prefix collision (1 in 62^8 per pair of keys) just draws again.
	for range 3 {
		key, token, err := s.insertAPIKey(ctx, k, now)
		if !isUniqueOn(err, "api_keys_prefix_key") {
			return key, token, err
		}
	}
	return APIKey{}, "", errors.New("creating an API key: prefix collisions three times in a row")
}

func (s *Store) insertAPIKey(ctx context.Context, k NewAPIKey, now time.Time) (APIKey, string, error) {
	token, prefix, err := GenerateAPIKeyToken()
	if err != nil {
		return APIKey{}, "", err
	}
	sum := HashAPIKeyToken(token)
	const q = `INSERT INTO api_keys (name, role, person, prefix, token_sha256, created_at, expires_at)
		VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7)
		RETURNING ` + apiKeyColumns
	key, err := scanAPIKey(s.pool.QueryRow(ctx, q, k.Name, k.Role, k.Person, prefix, sum[:], now, k.ExpiresAt))
	if err != nil {
		if isUniqueOn(err, "api_keys_prefix_key") {
			return APIKey{}, "", err
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return APIKey{}, "", unknownKeyPerson(k.Person) // deleted meanwhile
		}
		return APIKey{}, "", translate(err, "API key")
	}
	return key, token, nil
}

func unknownKeyPerson(person string) error {
	return domain.Invalid("the API key is not valid", domain.FieldErrorf("person", "no person has external_id %s", person))
}

func isUniqueOn(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// ListAPIKeys returns every key, revoked and expired ones included, oldest
// first. Neither tokens nor hashes are ever read back.
func (s *Store) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	const q = `SELECT ` + apiKeyColumns + ` FROM api_keys ORDER BY id`
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return nil, translate(err, "API keys")
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (APIKey, error) { return scanAPIKey(row) })
	if err != nil {
		return nil, translate(err, "API keys")
	}
	return keys, nil
}

// FindAPIKeyByHash returns the key stored under a token's SHA-256, whatever
// its state, and the stored hash (for the caller's constant-time check). An
// unknown hash is a not-found error.
func (s *Store) FindAPIKeyByHash(ctx context.Context, sum [32]byte) (APIKey, []byte, error) {
	const q = `SELECT ` + apiKeyColumns + `, token_sha256 FROM api_keys WHERE token_sha256 = $1`
	var k APIKey
	var stored []byte
	err := s.pool.QueryRow(ctx, q, sum[:]).Scan(&k.ID, &k.Name, &k.Role, &k.Person, &k.Prefix,
		&k.CreatedAt, &k.ExpiresAt, &k.RevokedAt, &k.LastUsedAt, &stored)
	if err != nil {
		return APIKey{}, nil, translate(err, "API key")
	}
	return k, stored, nil
}

// RevokeAPIKey revokes key id at instant now and returns it. Revoking a
// revoked key keeps its first revocation time and is not an error.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64, now time.Time) (APIKey, error) {
	const q = `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ` + apiKeyColumns
	k, err := scanAPIKey(s.pool.QueryRow(ctx, q, id, now))
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return APIKey{}, domain.Errorf(domain.ENotFound, "no API key has id %d", id)
		}
		return APIKey{}, translate(err, "API key")
	}
	return k, nil
}

// TouchAPIKeys records that each key ids[i] was used at ats[i], in one
// statement. It never moves last_used_at backwards (replicas may report out
// of order).
func (s *Store) TouchAPIKeys(ctx context.Context, ids []int64, ats []time.Time) error {
	const q = `UPDATE api_keys k SET last_used_at = u.at
		FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, at)
		WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`
	_, err := s.pool.Exec(ctx, q, ids, ats)
	return translate(err, "API keys' last use")
}
