-- Reliability and evidence (issues 11 and 17).
--
-- 1. TRUNCATE is followed by the change feed: row triggers never see it, so
--    every watched table gets a statement trigger that asks every replica
--    to reload ('all'), as any statement touching more than 200 keys does.
-- 2. API keys live in every replica's in-memory view: creating one notifies
--    'key:<id>' too (000009 covered changes and deletions only).
-- 3. The audit records are hash-chained: see franja_chain below.

CREATE FUNCTION franja_notify_all() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('franja_changes', 'all');
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['people', 'leaves', 'posts', 'schedules', 'post_closures', 'post_exclusions',
            'calendar_closures', 'calendar_uploads', 'calendar_upload_holidays', 'api_keys'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION franja_notify_all()',
            t || '_notify_truncate', t);
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION franja_notify_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('franja_changes', 'key:' || NEW.id);
    ELSE
        PERFORM pg_notify('franja_changes', 'key:' || OLD.id);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER api_keys_notify ON api_keys;
CREATE TRIGGER api_keys_notify
    AFTER INSERT OR UPDATE OF revoked_at, expires_at, role, person, token_sha256 OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION franja_notify_key();

-- Hash chains for append-only tables.
--
-- A chained table has three more columns: chain_seq (1, 2, 3, … with no
-- gap), prev_hash (the row_hash of the row before; for the first row, the
-- chain's genesis hash) and row_hash = sha256(prev_hash || the row as
-- jsonb text, without prev_hash and row_hash). A BEFORE INSERT trigger fills
-- them from the chain's head in franja_chain_heads, whose row lock
-- serializes the table's inserts (audit rows are few). Deleting or altering
-- a row (which only a superuser can, past the append-only triggers and the
-- service role's privileges) breaks the chain, and `franja audit verify`
-- reports where. Record the head it prints somewhere else to detect even a
-- rewrite of the whole chain.
--
-- To chain a new append-only table (e.g. contact attempts), give it a
-- bigint `id` in insertion order and call, in its migration:
--
--     SELECT franja_chain('contact_attempts');
--
-- which adds the columns, backfills existing rows, makes the table
-- append-only (UPDATE, DELETE and TRUNCATE refused by trigger) and
-- registers it: `franja serve` then grants the service role only SELECT and
-- INSERT on it, and `franja audit verify` checks it.
--
-- Hashes are computed with fixed settings (UTC, ISO dates, full float
-- precision), so that to_jsonb renders a row the same in every session.

CREATE TABLE franja_chain_heads (
    tbl  text PRIMARY KEY,
    seq  bigint NOT NULL DEFAULT 0,
    hash bytea NOT NULL
);

CREATE FUNCTION franja_chain_hash(prev bytea, r jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(prev || convert_to((r - 'prev_hash' - 'row_hash')::text, 'UTF8'))
$$;

CREATE FUNCTION franja_chain_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
SET timezone = 'UTC' SET datestyle = 'ISO, YMD' SET intervalstyle = 'postgres' SET extra_float_digits = 3
AS $$
DECLARE
    h franja_chain_heads;
BEGIN
    UPDATE franja_chain_heads SET seq = seq + 1 WHERE tbl = TG_TABLE_NAME RETURNING * INTO h;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % has no hash chain head', TG_TABLE_NAME;
    END IF;
    NEW.chain_seq := h.seq;
    NEW.prev_hash := h.hash;
    NEW.row_hash := franja_chain_hash(h.hash, to_jsonb(NEW));
    UPDATE franja_chain_heads SET hash = NEW.row_hash WHERE tbl = TG_TABLE_NAME;
    RETURN NEW;
END $$;

-- franja_chain_rows returns each row's place in the chain and its hash
-- recomputed, for `franja audit verify`.
CREATE FUNCTION franja_chain_rows(tbl regclass)
RETURNS TABLE (id bigint, seq bigint, prev_hash bytea, row_hash bytea, computed bytea)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public
SET timezone = 'UTC' SET datestyle = 'ISO, YMD' SET intervalstyle = 'postgres' SET extra_float_digits = 3
AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT t.id, t.chain_seq, t.prev_hash, t.row_hash, franja_chain_hash(t.prev_hash, to_jsonb(t)) FROM %s t ORDER BY t.chain_seq, t.id', tbl);
END $$;

CREATE FUNCTION franja_chain(tbl regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public
SET timezone = 'UTC' SET datestyle = 'ISO, YMD' SET intervalstyle = 'postgres' SET extra_float_digits = 3
AS $$
DECLARE
    name text := tbl::text;
    h    bytea := sha256(convert_to('franja chain genesis: ' || tbl::text, 'UTF8'));
    n    bigint := 0;
    rid  bigint;
BEGIN
    EXECUTE format('ALTER TABLE %s ADD COLUMN IF NOT EXISTS chain_seq bigint, ADD COLUMN IF NOT EXISTS prev_hash bytea, ADD COLUMN IF NOT EXISTS row_hash bytea', tbl);
    INSERT INTO franja_chain_heads (tbl, hash) VALUES (name, h);
    -- Backfill the rows already there, in insertion order, past the
    -- append-only triggers (the migration runs as the owner).
    EXECUTE format('ALTER TABLE %s DISABLE TRIGGER USER', tbl);
    FOR rid IN EXECUTE format('SELECT id FROM %s ORDER BY id', tbl) LOOP
        n := n + 1;
        EXECUTE format('UPDATE %s SET chain_seq = $1, prev_hash = $2 WHERE id = $3', tbl) USING n, h, rid;
        EXECUTE format('SELECT franja_chain_hash(t.prev_hash, to_jsonb(t)) FROM %s t WHERE id = $1', tbl) INTO h USING rid;
        EXECUTE format('UPDATE %s SET row_hash = $1 WHERE id = $2', tbl) USING h, rid;
    END LOOP;
    EXECUTE format('ALTER TABLE %s ENABLE TRIGGER USER', tbl);
    UPDATE franja_chain_heads SET seq = n, hash = h WHERE franja_chain_heads.tbl = name;
    EXECUTE format('ALTER TABLE %s ALTER COLUMN chain_seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN row_hash SET NOT NULL', tbl);
    EXECUTE format('CREATE UNIQUE INDEX %I ON %s (chain_seq)', name || '_chain_seq_idx', tbl);
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION franja_chain_row()', name || '_chain', tbl);
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = tbl AND tgname = name || '_append_only') THEN
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION franja_append_only()', name || '_append_only', tbl);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = tbl AND tgname = name || '_no_truncate') THEN
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION franja_append_only()', name || '_no_truncate', tbl);
    END IF;
END $$;

SELECT franja_chain('audit_exceptions');
SELECT franja_chain('access_log');
