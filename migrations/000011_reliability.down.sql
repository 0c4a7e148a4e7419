DROP TRIGGER audit_exceptions_chain ON audit_exceptions;
DROP TRIGGER access_log_chain ON access_log;
ALTER TABLE audit_exceptions DROP COLUMN chain_seq, DROP COLUMN prev_hash, DROP COLUMN row_hash;
ALTER TABLE access_log DROP COLUMN chain_seq, DROP COLUMN prev_hash, DROP COLUMN row_hash;
DROP FUNCTION franja_chain(regclass);
DROP FUNCTION franja_chain_rows(regclass);
DROP FUNCTION franja_chain_row();
DROP FUNCTION franja_chain_hash(bytea, jsonb);
DROP TABLE franja_chain_heads;

DROP TRIGGER api_keys_notify ON api_keys;
CREATE OR REPLACE FUNCTION franja_notify_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('franja_changes', 'key:' || OLD.id);
    RETURN NULL;
END $$;
CREATE TRIGGER api_keys_notify
    AFTER UPDATE OF revoked_at, expires_at, role, person, token_sha256 OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION franja_notify_key();

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['people', 'leaves', 'posts', 'schedules', 'post_closures', 'post_exclusions',
            'calendar_closures', 'calendar_uploads', 'calendar_upload_holidays', 'api_keys'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_truncate', t);
    END LOOP;
END $$;
DROP FUNCTION franja_notify_all();
