-- The change feed: every write that can change a decision commits a NOTIFY on
-- the channel franja_changes, so that every replica's in-memory view applies
-- it. Triggers (not the application) send them, so a change made with psql
-- reaches the replicas too. NOTIFYs are delivered at commit, in commit order.
--
-- Payloads: 'person:<external_id>', 'post:<code>', 'calendars', 'keys',
-- 'all' (too many rows changed at once: reload everything).

CREATE FUNCTION franja_notify_keys(entity text, keys text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    k text;
BEGIN
    -- A bulk statement (an import) would flood the queue: ask for a reload.
    IF cardinality(keys) > 200 THEN
        PERFORM pg_notify('franja_changes', 'all');
        RETURN;
    END IF;
    FOREACH k IN ARRAY keys LOOP
        PERFORM pg_notify('franja_changes', entity || ':' || k);
    END LOOP;
END $$;

-- franja_notify_rows notifies '<entity>:<key>' for each distinct non-null
-- value of column TG_ARGV[1] among the rows a statement touched, e.g.
-- ('person', 'external_id') on people or ('post', 'post') on schedules.
-- With no column (''), it notifies the entity alone ('calendars').
CREATE FUNCTION franja_notify_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    entity text := TG_ARGV[0];
    col    text := TG_ARGV[1];
    keys   text[];
BEGIN
    IF col = '' THEN
        PERFORM pg_notify('franja_changes', entity);
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM new_rows WHERE %I IS NOT NULL', col, col) INTO keys;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM old_rows WHERE %I IS NOT NULL', col, col) INTO keys;
    ELSE
        EXECUTE format('SELECT array_agg(DISTINCT k) FROM (SELECT %I AS k FROM new_rows UNION SELECT %I FROM old_rows) s WHERE k IS NOT NULL', col, col) INTO keys;
    END IF;
    IF keys IS NOT NULL THEN
        PERFORM franja_notify_keys(entity, keys);
    END IF;
    RETURN NULL;
END $$;

-- franja_watch attaches three statement-level triggers (one per event,
-- since transition tables are per event) to table tbl, notifying entity
-- keys read from column col. suffix tells apart two watches on one table.
CREATE FUNCTION franja_watch(tbl regclass, entity text, col text, suffix text DEFAULT '') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := tbl::text || suffix || '_notify_';
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION franja_notify_rows(%L, %L)',
        name || 'ins', tbl, entity, col);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION franja_notify_rows(%L, %L)',
        name || 'upd', tbl, entity, col);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION franja_notify_rows(%L, %L)',
        name || 'del', tbl, entity, col);
END $$;

SELECT franja_watch('people', 'person', 'external_id');
SELECT franja_watch('leaves', 'person', 'person');
SELECT franja_watch('posts', 'post', 'code');
-- A schedule row belongs to a post or to a person: two watches, each
-- ignoring the NULL side.
SELECT franja_watch('schedules', 'person', 'person');
SELECT franja_watch('schedules', 'post', 'post', '_post');
