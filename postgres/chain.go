package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ChainReport is what verifying one table's hash chain found (see
// franja_chain in migration 000011).
type ChainReport struct {
	Table    string
	Rows     int64
	HeadSeq  int64
	HeadHash []byte
	// Problems is empty when the chain is intact; it names at most
	// maxProblems breaks, first first.
	Problems []string
}

const maxProblems = 20

// VerifyChains checks every hash-chained table, each row against the one
// before and the chain's head, in one snapshot: a row deleted, altered or
// inserted past the trigger (which only a superuser can) is reported.
func (s *Store) VerifyChains(ctx context.Context) ([]ChainReport, error) {
	var out []ChainReport
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT tbl, seq, hash FROM franja_chain_heads ORDER BY tbl`)
		heads, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ChainReport, error) {
			var c ChainReport
			return c, r.Scan(&c.Table, &c.HeadSeq, &c.HeadHash)
		})
		if err != nil {
			return err
		}
		for _, c := range heads {
			if err := verifyChain(ctx, tx, &c); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, translate(err, "hash chains")
}

// verifyChain walks c.Table's rows in chain order.
func verifyChain(ctx context.Context, tx pgx.Tx, c *ChainReport) error {
	rows, err := tx.Query(ctx, `SELECT id, seq, prev_hash, row_hash, computed FROM franja_chain_rows($1::regclass)`, c.Table)
	if err != nil {
		return err
	}
	defer rows.Close()
	prev := sha256.Sum256([]byte("franja chain genesis: " + c.Table))
	prevHash, next := prev[:], int64(1)
	add := func(format string, args ...any) {
		if len(c.Problems) < maxProblems {
			c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
		}
	}
	for rows.Next() {
		var id, seq int64
		var p, h, computed []byte
		if err := rows.Scan(&id, &seq, &p, &h, &computed); err != nil {
			return err
		}
		c.Rows++
		switch {
		case seq > next:
			add("%s missing (deleted), before row %d (id %d)", span(next, seq-1), seq, id)
		case seq < next:
			add("row %d (id %d) is out of place: the chain had reached row %d", seq, id, next-1)
		}
		if !bytes.Equal(p, prevHash) {
			add("row %d (id %d) does not follow the row before it: that row was altered or removed", seq, id)
		}
		if !bytes.Equal(h, computed) {
			add("row %d (id %d) was altered after it was written", seq, id)
		}
		prevHash, next = h, seq+1
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch {
	case c.HeadSeq > next-1:
		add("%s missing (deleted) at the end of the chain", span(next, c.HeadSeq))
	case c.HeadSeq < next-1:
		add("the chain's head says %d rows, but row %d exists: rows were inserted past the chain", c.HeadSeq, next-1)
	case !bytes.Equal(c.HeadHash, prevHash):
		add("the last row does not match the chain's head: it was altered or replaced")
	}
	return nil
}

// span names rows from–to with their verb: "row 2 is", "rows 2–4 are".
func span(from, to int64) string {
	if from == to {
		return fmt.Sprintf("row %d is", from)
	}
	return fmt.Sprintf("rows %d–%d are", from, to)
}
