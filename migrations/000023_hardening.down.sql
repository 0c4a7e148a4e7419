CREATE OR REPLACE FUNCTION people_no_supervisor_cycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
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

CREATE OR REPLACE FUNCTION franja_chain_hash(prev bytea, r jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(prev || convert_to((r - 'prev_hash' - 'row_hash')::text, 'UTF8'))
$$;
ALTER TABLE access_log DROP COLUMN client_request_id;
ALTER TABLE audit_exceptions DROP COLUMN client_request_id;
