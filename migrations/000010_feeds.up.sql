-- iCalendar subscription feeds (API.md, Feeds). The URL's secret is the
-- capability: only its SHA-256 is stored (256 random bits: nothing to guess),
-- so a pg_dump or a backup holds nothing that opens a feed. A feed is read
-- by its hash on every request, so a revocation (revoked_at, or deleting the
-- row) answers 404 on every replica at once.
CREATE TABLE feeds (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('person', 'team', 'post_holidays')),
    -- person and team feeds are about a person (the team's head); a post's
    -- holidays about a post. Deleting either deletes its feeds.
    person       text REFERENCES people (external_id) ON DELETE CASCADE,
    post         text REFERENCES posts (code) ON DELETE CASCADE,
    -- The language of the feed's texts, chosen at creation: calendar
    -- clients send no useful Accept-Language.
    lang         text NOT NULL DEFAULT 'es' CHECK (lang IN ('es', 'en')),
    token_sha256 bytea NOT NULL UNIQUE CHECK (octet_length(token_sha256) = 32),
    -- A feed made with a supervisor key is bounded by that supervisor's
    -- line (owner) and lives only while the key does; api_key is NULL for
    -- the bootstrap admin token.
    owner        text REFERENCES people (external_id) ON DELETE CASCADE,
    api_key      bigint REFERENCES api_keys (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    CONSTRAINT feeds_subject_check CHECK (
        (kind = 'post_holidays' AND post IS NOT NULL AND person IS NULL)
        OR (kind <> 'post_holidays' AND person IS NOT NULL AND post IS NULL))
);
CREATE INDEX feeds_person_idx ON feeds (person) WHERE person IS NOT NULL;
CREATE INDEX feeds_owner_idx ON feeds (owner) WHERE owner IS NOT NULL;
CREATE INDEX feeds_api_key_idx ON feeds (api_key) WHERE api_key IS NOT NULL;
