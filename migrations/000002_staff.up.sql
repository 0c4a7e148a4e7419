-- Staff data: posts, effective-dated schedules, people and leave. The
-- database itself refuses what makes no sense (unknown zones, unknown kinds,
-- end before start, a person supervising themself), so that no path — API,
-- import or psql — can store it.

-- valid_time_zone reports whether tz is a zone name PostgreSQL knows. The
-- application checks names against Go's IANA database first; this is the
-- last line of defence. POSIX-style strings ('UTC+3') are refused too.
CREATE FUNCTION valid_time_zone(tz text) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF tz !~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$' OR tz ~ '^(UTC|GMT)?[+-]' THEN
        RETURN false;
    END IF;
    PERFORM now() AT TIME ZONE tz;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END $$;

CREATE TABLE posts (
    code       text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind       text NOT NULL CHECK (kind IN ('headquarters', 'embassy', 'consulate', 'permanent_mission', 'other')),
    country    text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    city       text NOT NULL DEFAULT '' CHECK (length(city) <= 200),
    time_zone  text NOT NULL CHECK (valid_time_zone(time_zone)),
    calendars  text[] NOT NULL DEFAULT '{}' CHECK (array_position(calendars, NULL) IS NULL),
    version    bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE people (
    external_id text PRIMARY KEY CHECK (external_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    full_name   text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    email       text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND length(email) <= 254),
    post        text NOT NULL REFERENCES posts (code) ON DELETE RESTRICT,
    -- time_zone overrides the post's zone (NULL: the post's).
    time_zone   text CHECK (time_zone IS NULL OR valid_time_zone(time_zone)),
    -- Deferred so that one import can name a supervisor who appears later in
    -- the same file.
    supervisor  text REFERENCES people (external_id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
    exception   text NOT NULL DEFAULT 'none' CHECK (exception IN ('none', 'direccion_confianza_manejo', 'disponibilidad_permanente')),
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (supervisor IS NULL OR supervisor <> external_id)
);
CREATE INDEX people_post_idx ON people (post, external_id);
CREATE INDEX people_supervisor_idx ON people (supervisor, external_id) WHERE supervisor IS NOT NULL;

-- A schedule version belongs to a post or to a person (an override), and is
-- in force from effective_from (a local date; '-infinity' = since always)
-- until the next version's effective_from. windows is the API's weekday
-- object, e.g. {"mon": ["08:00-12:00", "13:00-17:00"], ...}.
CREATE TABLE schedules (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post           text REFERENCES posts (code) ON DELETE CASCADE,
    person         text REFERENCES people (external_id) ON DELETE CASCADE,
    effective_from date NOT NULL DEFAULT '-infinity',
    windows        jsonb NOT NULL CHECK (jsonb_typeof(windows) = 'object'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((post IS NULL) <> (person IS NULL))
);
CREATE UNIQUE INDEX schedules_post_from_key ON schedules (post, effective_from) WHERE post IS NOT NULL;
CREATE UNIQUE INDEX schedules_person_from_key ON schedules (person, effective_from) WHERE person IS NOT NULL;

-- Leave: all-day local dates (inclusive, in the person's zone) or a partial
-- day as instants [starts_at, ends_at). No diagnosis or free text is stored:
-- the kind is all HR records, and only hr/admin ever see it.
CREATE TABLE leaves (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person       text NOT NULL REFERENCES people (external_id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN (
                    'vacation', 'sick_leave', 'maternity_leave', 'paternity_leave', 'bereavement_leave',
                    'unpaid_leave', 'unpaid_study_leave', 'paid_permission', 'compensatory_rest',
                    'compensatory_day', 'suspension', 'study_commission', 'study_permission',
                    'union_permission', 'lactation_permission', 'service_commission')),
    -- HR's own id: re-sending it updates, never duplicates.
    external_ref text UNIQUE CHECK (external_ref ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$'),
    start_date   date,
    end_date     date,
    starts_at    timestamptz,
    ends_at      timestamptz,
    -- The encargado to contact instead while the leave lasts.
    delegate     text REFERENCES people (external_id) ON DELETE SET NULL,
    -- Where a service commission is carried out.
    time_zone    text CHECK (time_zone IS NULL OR (kind = 'service_commission' AND valid_time_zone(time_zone))),
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT leaves_span_check CHECK (
        (start_date IS NOT NULL AND end_date IS NOT NULL AND starts_at IS NULL AND ends_at IS NULL
            AND end_date >= start_date AND start_date > '1900-01-01' AND end_date < '2200-01-01')
        OR
        (start_date IS NULL AND end_date IS NULL AND starts_at IS NOT NULL AND ends_at IS NOT NULL
            AND ends_at > starts_at AND starts_at > '1900-01-01' AND ends_at < '2200-01-01')),
    CONSTRAINT leaves_delegate_check CHECK (delegate IS NULL OR delegate <> person)
);
CREATE INDEX leaves_person_idx ON leaves (person, start_date, starts_at);
CREATE INDEX leaves_delegate_idx ON leaves (delegate) WHERE delegate IS NOT NULL;

-- No supervisor cycles: walking up from a changed person must never reach
-- them again. Deferred to commit so a bulk import is checked as a whole.
-- The transaction-scoped advisory lock serialises these checks: without it
-- two concurrent transactions (A→B and B→A) would each see the other's change
-- uncommitted and both commit a cycle. Under READ COMMITTED the query after
-- the lock takes a fresh snapshot, so it sees whatever committed meanwhile.
CREATE FUNCTION people_no_supervisor_cycle() RETURNS trigger
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
CREATE CONSTRAINT TRIGGER people_supervisor_cycle
    AFTER INSERT OR UPDATE OF supervisor ON people
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.supervisor IS NOT NULL)
    EXECUTE FUNCTION people_no_supervisor_cycle();
