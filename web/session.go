package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"franja/domain"
	"franja/postgres"
)

// Session is one signed-in browser: who it acts as and how it signed in.
type Session struct {
	Role   domain.Role
	Person string // the supervisor's (or an OIDC account's) external_id
	// KeySum is the SHA-256 of the API key it signed in with (via "key"):
	// the session lives only while that key is active.
	KeySum  []byte
	Via     string // "key", "bootstrap" or "oidc"
	Subject string // the key's prefix or the account's email
	CSRF    string
	Expires time.Time
}

// Principal is who the session acts as, for the decision path.
func (s *Session) Principal() *domain.Principal {
	prefix := s.Subject
	if s.Via == "oidc" {
		prefix = "oidc:" + s.Subject
	}
	return &domain.Principal{Role: s.Role, Person: s.Person, KeyPrefix: prefix}
}

// sessions keeps Sessions in PostgreSQL (migration 000024): the cookie
// carries a random token, the table only its hash.
type sessions struct {
	pool *pgxpool.Pool
	ttl  time.Duration
}

// randomToken returns n random bytes, base64url (cookies, CSRF, OIDC state).
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenSum(token string) []byte {
	s := sha256.Sum256([]byte(token))
	return s[:]
}

// Create stores s, expiring ttl from now, and returns its cookie token.
func (st *sessions) Create(ctx context.Context, s *Session, now time.Time) (string, error) {
	const q = `INSERT INTO web_sessions (token_sum, role, person, key_sum, via, subject, csrf, expires_at)
VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, $8)`
	token := randomToken(32)
	s.CSRF = randomToken(32)
	s.Expires = now.Add(st.ttl)
	_, err := st.pool.Exec(ctx, q, tokenSum(token), string(s.Role), s.Person, s.KeySum, s.Via, s.Subject, s.CSRF, s.Expires)
	if err != nil {
		return "", postgres.Translate(err)
	}
	// Expired sessions are swept as new ones come: no background job.
	const sweep = `DELETE FROM web_sessions WHERE expires_at < $1`
	_, _ = st.pool.Exec(ctx, sweep, now)
	return token, nil
}

// Find returns the session of a cookie token, or nil when it is unknown or
// expired.
func (st *sessions) Find(ctx context.Context, token string, now time.Time) (*Session, error) {
	const q = `SELECT role, coalesce(person, ''), key_sum, via, subject, csrf, expires_at
FROM web_sessions WHERE token_sum = $1 AND expires_at > $2`
	var s Session
	var role string
	err := st.pool.QueryRow(ctx, q, tokenSum(token), now).Scan(&role, &s.Person, &s.KeySum, &s.Via, &s.Subject, &s.CSRF, &s.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, postgres.Translate(err)
	}
	s.Role = domain.Role(role)
	return &s, nil
}

// Delete ends the session of a cookie token (signing out).
func (st *sessions) Delete(ctx context.Context, token string) error {
	const q = `DELETE FROM web_sessions WHERE token_sum = $1`
	_, err := st.pool.Exec(ctx, q, tokenSum(token))
	return postgres.Translate(err)
}
