package api

import (
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

// encodeCursor makes the opaque cursor that resumes after key; "" (no next
// page) is null.
func encodeCursor(kind, key string) *string {
	if key == "" {
		return nil
	}
	c := base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + key))
	return &c
}

// pageParams reads ?limit= (1 to 1000, default 100) and ?cursor=, checking
// that the cursor is one this API made for this collection and that the key
// inside it is well formed (valid).
func pageParams(r *http.Request, kind string, valid func(string) bool) (after string, limit int, err error) {
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
	k, key, ok := strings.Cut(string(raw), ":")
	if derr != nil || !ok || k != kind || !valid(key) {
		return "", 0, badParam("cursor", "is not a cursor this list returned; pass next_cursor from the previous page as it is, or leave cursor out to start again")
	}
	return key, limit, nil
}

// badParam is the 400 answer to a query parameter that cannot be used.
func badParam(field, format string, args ...any) error {
	v := domain.Validator{}
	v.Add(field, format, args...)
	return &domain.Error{Code: domain.EMalformed, Message: "a query parameter is not valid", Fields: v.Fields}
}
