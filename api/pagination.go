package api

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"franja/domain"
	"franja/postgres"
)

// defaultLimit is the page size when the caller gives none.
const defaultLimit = 100

// listOf is the shape of every list response: a page of items and the cursor
// of the next page (null on the last).
type listOf[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// Cursor kinds: a cursor names the collection it pages through, so that one
// from /v1/posts is refused by /v1/people instead of silently skipping rows.
const (
	cursorPosts  = "posts"
	cursorPeople = "people"
	cursorLeaves = "leaves"
)

// pager makes and reads the cursors of one list, asked with one filter: a
// cursor names the collection it pages through and a digest of the filter
// it was made with, so that one from /v1/posts is refused by /v1/people,
// and one made for ?post=BOG by ?post=LIM, instead of silently skipping or
// repeating rows.
type pager struct {
	kind, filter string
}

// newPager returns the pager of kind, for the filter's values (those that
// choose the rows, in a fixed order).
func newPager(kind string, filter ...string) pager {
	sum := sha256.Sum256([]byte(strings.Join(filter, "\x00")))
	return pager{kind: kind, filter: base64.RawURLEncoding.EncodeToString(sum[:6])}
}

// cursor makes the opaque cursor that resumes after key; "" (no next page)
// is null.
func (p pager) cursor(key string) *string {
	if key == "" {
		return nil
	}
	c := base64.RawURLEncoding.EncodeToString([]byte(p.kind + ":" + p.filter + ":" + key))
	return &c
}

// params reads ?limit= (1 to 1000, default 100) and ?cursor=, checking that
// the cursor is one this list made, with this filter, and that the key
// inside it is well formed (valid).
func (p pager) params(r *http.Request, valid func(string) bool) (after string, limit int, err error) {
	q := r.URL.Query()
	limit = defaultLimit
	if s := q.Get("limit"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > postgres.MaxPageLimit {
			return "", 0, badParam("limit", "must be a whole number from 1 to %d (default %d)", postgres.MaxPageLimit, defaultLimit)
		}
		limit = n
	}
	c := q.Get("cursor")
	if c == "" {
		return "", limit, nil
	}
	raw, derr := base64.RawURLEncoding.DecodeString(c)
	parts := strings.SplitN(string(raw), ":", 3)
	if derr != nil || len(parts) != 3 || parts[0] != p.kind || !valid(parts[2]) {
		return "", 0, badParam("cursor", "is not a cursor this list returned; pass next_cursor from the previous page as it is, or leave cursor out to start again")
	}
	if parts[1] != p.filter {
		return "", 0, badParam("cursor", "was made for another filter: ask with the same filter as the page it came from, or leave cursor out to start again")
	}
	return parts[2], limit, nil
}

// badParam is the 400 answer to a query parameter that cannot be used.
func badParam(field, format string, args ...any) error {
	v := domain.Validator{}
	v.Add(field, format, args...)
	return &domain.Error{Code: domain.EMalformed, Message: "a query parameter is not valid", Fields: v.Fields}
}
