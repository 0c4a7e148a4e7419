-- Revoking (or otherwise changing) an API key reaches every replica's key
-- cache through the change feed at once, not after the cache's TTL.
-- last_used_at bookkeeping is left out: it changes nothing a cache holds.
CREATE FUNCTION franja_notify_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('franja_changes', 'key:' || OLD.id);
    RETURN NULL;
END $$;
CREATE TRIGGER api_keys_notify
    AFTER UPDATE OF revoked_at, expires_at, role, person, token_sha256 OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION franja_notify_key();
