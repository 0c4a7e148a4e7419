-- On-call turns (issue 14): who keeps a post's emergency line, by date. A
-- turn is the dated form of Ley 2191 de 2022 art. 6 lit. b: while it lasts
-- its person may be reached for urgent matters outside working hours
-- (holidays included), and audited as any exception; its backup when the
-- person is away. Outside the turn the same person has the full right.
--
-- Turns of one post never overlap (at any instant one turn answers "who is
-- on call"); the check is deferred to commit so that an import may move
-- several turns at once. btree_gist is a trusted extension: the database
-- owner may create it.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE on_call_turns (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post         text NOT NULL REFERENCES posts (code) ON DELETE CASCADE,
    person       text NOT NULL REFERENCES people (external_id) ON DELETE CASCADE,
    backup       text REFERENCES people (external_id) ON DELETE SET NULL,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL,
    -- The rota's own id: re-sending it updates, never duplicates.
    external_ref text UNIQUE CHECK (external_ref ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$'),
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT on_call_turns_span_check CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '31 days'
        AND starts_at > '1900-01-01' AND ends_at < '2200-01-01'),
    CONSTRAINT on_call_turns_backup_check CHECK (backup IS NULL OR backup <> person),
    CONSTRAINT on_call_turns_overlap EXCLUDE USING gist (post WITH =, tstzrange(starts_at, ends_at) WITH &&)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX on_call_turns_person_idx ON on_call_turns (person);
CREATE INDEX on_call_turns_backup_idx ON on_call_turns (backup) WHERE backup IS NOT NULL;

-- The change feed (000006): a turn changes what decisions say about its
-- person and its backup, and who its post's on-call answer names.
SELECT franja_watch('on_call_turns', 'person', 'person');
SELECT franja_watch('on_call_turns', 'person', 'backup', '_backup');
SELECT franja_watch('on_call_turns', 'post', 'post', '_post');
-- TRUNCATE reaches every replica too (000011): row triggers never see it.
CREATE TRIGGER on_call_turns_notify_truncate AFTER TRUNCATE ON on_call_turns
    FOR EACH STATEMENT EXECUTE FUNCTION franja_notify_all();
