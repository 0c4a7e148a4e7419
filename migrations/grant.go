package migrations

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Grant gives role, the service's role, what the service needs of the
// schema and no more, connected to dsn as the schema's owner (the role
// that runs the migrations). It is idempotent, and run at every start-up so
// that tables added by new migrations are covered:
//
//   - SELECT, INSERT, UPDATE, DELETE on the tables, USAGE on their sequences;
//   - only SELECT and INSERT on the append-only, hash-chained tables (the
//     audit records: see franja_chain in migration 000011), which role can
//     therefore neither alter, delete nor truncate; not being their owner,
//     it can neither disable their triggers nor drop them, and not being a
//     superuser, it cannot SET session_replication_role either;
//   - only SELECT on schema_migrations and the chains' heads.
//
// It returns warnings about role that weaken this (a superuser, or the
// owner of the tables).
func Grant(ctx context.Context, dsn, role string) (warnings []string, err error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("migrations: connecting to grant privileges: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	r := pgx.Identifier{role}.Sanitize()
	rows, err := conn.Query(ctx, `SELECT tbl FROM franja_chain_heads ORDER BY tbl`)
	if err != nil {
		return nil, fmt.Errorf("migrations: listing the append-only tables: %w", err)
	}
	chained, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("migrations: listing the append-only tables: %w", err)
	}
	stmts := []string{
		"GRANT USAGE ON SCHEMA public TO " + r,
		"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM " + r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + r,
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + r,
		"REVOKE INSERT, UPDATE, DELETE ON schema_migrations, franja_chain_heads FROM " + r,
	}
	for _, t := range chained {
		stmts = append(stmts, "REVOKE UPDATE, DELETE ON "+pgx.Identifier{t}.Sanitize()+" FROM "+r)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	for _, q := range stmts {
		if _, err := tx.Exec(ctx, q); err != nil {
			return nil, fmt.Errorf("migrations: %s: %w", q, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("migrations: granting privileges: %w", err)
	}
	return roleWarnings(ctx, conn, role)
}

// roleWarnings says what about role defeats least privilege.
func roleWarnings(ctx context.Context, conn *pgx.Conn, role string) ([]string, error) {
	const q = `SELECT r.rolsuper, EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = r.rolname)
		FROM pg_roles r WHERE r.rolname = $1`
	var super, owns bool
	if err := conn.QueryRow(ctx, q, role).Scan(&super, &owns); err != nil {
		return nil, fmt.Errorf("migrations: reading role %s: %w", role, err)
	}
	var out []string
	if super {
		out = append(out, fmt.Sprintf("the service's role %s is a superuser: it could bypass the audit records' protection; give it a role without SUPERUSER", role))
	}
	if owns {
		out = append(out, fmt.Sprintf("the service's role %s owns tables: it could disable the audit records' triggers; run migrations as another role (FRANJA_MIGRATE_DATABASE_URL)", role))
	}
	return out, nil
}
