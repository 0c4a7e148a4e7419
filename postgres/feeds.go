package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"franja/domain"
)

// A feed's secret looks like frf_<43 base62 chars> (≈256 random bits, as an
// API key's secret part): one unsalted SHA-256 is enough to store it.
const feedSecretLen = 43

// Feed kinds (API.md, Feeds).
const (
	FeedPerson       = "person"
	FeedTeam         = "team"
	FeedPostHolidays = "post_holidays"
)

// Feed is a subscription feed as stored: everything but its secret.
type Feed struct {
	ID      int64
	Kind    string
	Subject string // the person's external_id (person, team) or the post's code
	Lang    string // "es" or "en"
	// Owner is the supervisor whose line bounds the feed ("" when made by
	// hr or admin); APIKey the key that made it (0: the bootstrap token).
	Owner     string
	APIKey    int64
	CreatedAt time.Time
	RevokedAt *time.Time
}

// NewFeed is what CreateFeed needs.
type NewFeed struct {
	Kind, Subject, Lang string
	Owner               string
	APIKey              int64
}

// GenerateFeedSecret returns a new random feed secret.
func GenerateFeedSecret() (string, error) {
	s, err := randomBase62(feedSecretLen)
	if err != nil {
		return "", err
	}
	return "frf_" + s, nil
}

// ValidFeedSecret reports whether s can be one of our feed secrets, so that
// anything else is refused without a database round trip.
func ValidFeedSecret(s string) bool {
	if len(s) != 4+feedSecretLen || s[:4] != "frf_" {
		return false
	}
	for i := 4; i < len(s); i++ {
		if !isBase62(s[i]) {
			return false
		}
	}
	return true
}

const feedColumns = `id, kind, COALESCE(person, post), lang, COALESCE(owner, ''), COALESCE(api_key, 0), created_at, revoked_at`

func scanFeed(row pgx.Row) (Feed, error) {
	var f Feed
	err := row.Scan(&f.ID, &f.Kind, &f.Subject, &f.Lang, &f.Owner, &f.APIKey, &f.CreatedAt, &f.RevokedAt)
	return f, err
}

// CreateFeed stores a new feed at instant now and returns it with its secret,
// which is returned here and never again. The caller has checked who may
// make it; the subject must exist.
func (s *Store) CreateFeed(ctx context.Context, f NewFeed, now time.Time) (Feed, string, error) {
	secret, err := GenerateFeedSecret()
	if err != nil {
		return Feed{}, "", err
	}
	sum := sha256.Sum256([]byte(secret))
	person, post := f.Subject, ""
	if f.Kind == FeedPostHolidays {
		person, post = "", f.Subject
	}
	const q = `INSERT INTO feeds (kind, person, post, lang, token_sha256, owner, api_key, created_at)
		VALUES ($1, NULLIF($2, ''), NULLIF($3, ''), $4, $5, NULLIF($6, ''), NULLIF($7, 0), $8)
		RETURNING ` + feedColumns
	feed, err := scanFeed(s.pool.QueryRow(ctx, q, f.Kind, person, post, f.Lang, sum[:], f.Owner, f.APIKey, now))
	if isFK(err) {
		// The subject (or the key) went away since the caller looked.
		var v domain.Validator
		v.Add("subject", "%s no longer exists", f.Subject)
		return Feed{}, "", v.Err("the feed is not valid")
	}
	if err != nil {
		return Feed{}, "", translate(err, "feed")
	}
	return feed, secret, nil
}

// FindActiveFeed returns the feed whose secret is secret, if it is neither
// revoked nor made by a key that is now revoked or expired. Anything else is
// a not-found error: the URL no longer opens anything.
func (s *Store) FindActiveFeed(ctx context.Context, secret string, now time.Time) (Feed, error) {
	sum := sha256.Sum256([]byte(secret))
	const q = `SELECT f.id, f.kind, COALESCE(f.person, f.post), f.lang, COALESCE(f.owner, ''), COALESCE(f.api_key, 0), f.created_at, f.revoked_at
		FROM feeds f LEFT JOIN api_keys k ON k.id = f.api_key
		WHERE f.token_sha256 = $1 AND f.revoked_at IS NULL
		  AND (f.owner IS NULL OR (k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2)))`
	f, err := scanFeed(s.pool.QueryRow(ctx, q, sum[:], now))
	if errors.Is(err, pgx.ErrNoRows) {
		return Feed{}, domain.Errorf(domain.ENotFound, "no feed has this address: it was revoked, or never existed")
	}
	if err != nil {
		return Feed{}, fmt.Errorf("finding a feed: %w", err)
	}
	return f, nil
}

// ListFeeds returns the feeds, revoked ones included, oldest first: all of
// them, or (owner not "") those bounded by that supervisor's line.
func (s *Store) ListFeeds(ctx context.Context, owner string) ([]Feed, error) {
	const q = `SELECT ` + feedColumns + ` FROM feeds WHERE $1 = '' OR owner = $1 ORDER BY id`
	rows, err := s.pool.Query(ctx, q, owner)
	if err != nil {
		return nil, fmt.Errorf("listing feeds: %w", err)
	}
	feeds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Feed, error) { return scanFeed(row) })
	if err != nil {
		return nil, fmt.Errorf("listing feeds: %w", err)
	}
	return feeds, nil
}

// FindFeed returns feed id, whatever its state.
func (s *Store) FindFeed(ctx context.Context, id int64) (Feed, error) {
	const q = `SELECT ` + feedColumns + ` FROM feeds WHERE id = $1`
	f, err := scanFeed(s.pool.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Feed{}, domain.Errorf(domain.ENotFound, "no feed has id %d", id)
	}
	if err != nil {
		return Feed{}, fmt.Errorf("finding feed %d: %w", id, err)
	}
	return f, nil
}

// RevokeFeed revokes feed id at instant now and returns it. Revoking a
// revoked feed keeps its first revocation time and is not an error.
func (s *Store) RevokeFeed(ctx context.Context, id int64, now time.Time) (Feed, error) {
	const q = `UPDATE feeds SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ` + feedColumns
	f, err := scanFeed(s.pool.QueryRow(ctx, q, id, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return Feed{}, domain.Errorf(domain.ENotFound, "no feed has id %d", id)
	}
	if err != nil {
		return Feed{}, fmt.Errorf("revoking feed %d: %w", id, err)
	}
	return f, nil
}
