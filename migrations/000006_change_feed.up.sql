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

-- Tables whose rows name a person in the column "person" (leaves,
-- schedules) or are people (external_id).
CREATE FUNCTION franja_notify_people() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    col  text := TG_ARGV[0];
    keys text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM new_rows WHERE %I IS NOT NULL', col, col) INTO keys;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM old_rows WHERE %I IS NOT NULL', col, col) INTO keys;
    ELSE
        EXECUTE format('SELECT array_agg(DISTINCT k) FROM (SELECT %I AS k FROM new_rows UNION SELECT %I FROM old_rows) s WHERE k IS NOT NULL', col, col) INTO keys;
    END IF;
    IF keys IS NOT NULL THEN
        PERFORM franja_notify_keys('person', keys);
    END IF;
    RETURN NULL;
END $$;

-- Tables whose rows name a post in the column given (posts: code;
-- schedules, post closures: post).
CREATE FUNCTION franja_notify_posts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    col  text := TG_ARGV[0];
    keys text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM new_rows WHERE %I IS NOT NULL', col, col) INTO keys;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM old_rows WHERE %I IS NOT NULL', col, col) INTO keys;
    ELSE
        EXECUTE format('SELECT array_agg(DISTINCT k) FROM (SELECT %I AS k FROM new_rows UNION SELECT %I FROM old_rows) s WHERE k IS NOT NULL', col, col) INTO keys;
    END IF;
    IF keys IS NOT NULL THEN
        PERFORM franja_notify_keys('post', keys);
    END IF;
    RETURN NULL;
END $$;

-- Tables whose change concerns everything of one kind (base calendars, API keys).
CREATE FUNCTION franja_notify_entity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('franja_changes', TG_ARGV[0]);
    RETURN NULL;
END $$;

-- franja_watch attaches the three statement-level triggers (one per event,
-- since transition tables are per event) of function fn to table tbl.
CREATE FUNCTION franja_watch(tbl regclass, fn text, arg text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I(%L)',
        tbl::text || '_notify_ins', tbl, fn, arg);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I(%L)',
        tbl::text || '_notify_upd', tbl, fn, arg);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION %I(%L)',
        tbl::text || '_notify_del', tbl, fn, arg);
END $$;

SELECT franja_watch('people', 'franja_notify_people', 'external_id');
SELECT franja_watch('leaves', 'franja_notify_people', 'person');
SELECT franja_watch('posts', 'franja_notify_posts', 'code');
-- A schedule row belongs to a post or a person: both triggers, each
-- ignoring the NULL side.
SELECT franja_watch('schedules', 'franja_notify_people', 'person');
CREATE TRIGGER schedules_notify_post_ins AFTER INSERT ON schedules REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION franja_notify_posts('post');
CREATE TRIGGER schedules_notify_post_upd AFTER UPDATE ON schedules REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION franja_notify_posts('post');
CREATE TRIGGER schedules_notify_post_del AFTER DELETE ON schedules REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION franja_notify_posts('post');
