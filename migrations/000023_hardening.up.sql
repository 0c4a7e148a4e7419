-- A people import checks the whole supervisor graph for cycles itself, in
-- time linear in the people (postgres.peopleCycles), holding the advisory
-- lock this trigger takes until it commits, and sets franja.cycles_checked
-- for its transaction. The trigger then skips that transaction's rows:
-- walking up to 1,000 supervisors from each of 4,000 imported people cost
-- seconds at commit. Every other write is checked as before.
CREATE OR REPLACE FUNCTION people_no_supervisor_cycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('franja.cycles_checked', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('franja.people_supervisor_cycle'));
    IF EXISTS (
        WITH RECURSIVE up(id, depth) AS (
            SELECT p.supervisor, 1 FROM people p WHERE p.external_id = NEW.external_id
            UNION ALL
            SELECT p.supervisor, up.depth + 1 FROM people p JOIN up ON p.external_id = up.id
            WHERE up.id IS NOT NULL AND up.depth < 1000
        )
        SELECT 1 FROM up WHERE id = NEW.external_id
    ) THEN
        RAISE EXCEPTION 'supervisor cycle through %', NEW.external_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'people_supervisor_cycle';
    END IF;
    RETURN NULL;
END $$;

-- Request ids are the server's; a caller's own X-Request-Id is kept apart,
-- for its correlation only, never evidence (issue 17).
ALTER TABLE audit_exceptions ADD COLUMN client_request_id text NOT NULL DEFAULT ''
    CHECK (client_request_id ~ '^[A-Za-z0-9._-]{0,64}$');
ALTER TABLE access_log ADD COLUMN client_request_id text NOT NULL DEFAULT ''
    CHECK (client_request_id ~ '^[A-Za-z0-9._-]{0,64}$');

-- The hash of a row leaves out an empty client_request_id, so that the
-- rows written before the column existed still verify; a client id, when
-- given, is in the hash like every other column.
CREATE OR REPLACE FUNCTION franja_chain_hash(prev bytea, r jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(prev || convert_to((r - 'prev_hash' - 'row_hash'
        - CASE WHEN r->>'client_request_id' = '' THEN 'client_request_id' ELSE '' END)::text, 'UTF8'))
$$;
