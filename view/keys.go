package view

import (
	"context"
	"time"
)

// Key is an API key as authentication needs it: who it is for and until
// when. Revoked keys are not in the view at all; an expired key is, and
// Active says no.
type Key struct {
	ID        int64
	Role      string
	Person    string // the external_id a supervisor key is bound to
	Prefix    string
	Sum       [32]byte // the SHA-256 of the token, as stored
	ExpiresAt *time.Time
}

// Active reports whether the key authenticates at now: it expires at
// ExpiresAt exactly.
func (k *Key) Active(now time.Time) bool { return k.ExpiresAt == nil || now.Before(*k.ExpiresAt) }

// Key returns the key whose token hashes to sum, or nil.
func (s *Snapshot) Key(sum [32]byte) *Key { return s.keys[sum] }

// loadKeys reads the API keys that are not revoked (all, or those in ids),
// by id.
func loadKeys(ctx context.Context, q querier, ids []int64) (map[int64]*Key, error) {
	const qKeys = `SELECT id, role, COALESCE(person, ''), prefix, token_sha256, expires_at
		FROM api_keys WHERE revoked_at IS NULL AND ($1::bigint[] IS NULL OR id = ANY($1))`
	var arg any
	if ids != nil {
		arg = ids
	}
	rows, err := q.Query(ctx, qKeys, arg)
	if err != nil {
		return nil, wrap(err)
	}
	out := map[int64]*Key{}
	var sum []byte
	for rows.Next() {
		k := &Key{}
		if err := rows.Scan(&k.ID, &k.Role, &k.Person, &k.Prefix, &sum, &k.ExpiresAt); err != nil {
			rows.Close()
			return nil, wrap(err)
		}
		copy(k.Sum[:], sum)
		out[k.ID] = k
	}
	return out, wrap(rows.Err())
}

// keyMaps builds the two indexes of a snapshot's keys.
func keyMaps(byID map[int64]*Key) (map[[32]byte]*Key, map[int64]*Key) {
	bySum := make(map[[32]byte]*Key, len(byID))
	for _, k := range byID {
		bySum[k.Sum] = k
	}
	return bySum, byID
}

// applyKeyRows puts rows (the keys in ids that are still active) into next,
// dropping the ids that are gone or revoked.
func applyKeyRows(old, next *Snapshot, ids []int64, rows map[int64]*Key) {
	byID := make(map[int64]*Key, len(old.keyIDs)+len(rows))
	for id, k := range old.keyIDs {
		byID[id] = k
	}
	for _, id := range ids {
		if k, ok := rows[id]; ok {
			byID[id] = k
		} else {
			delete(byID, id)
		}
	}
	next.keys, next.keyIDs = keyMaps(byID)
}
