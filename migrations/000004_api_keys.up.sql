-- API keys. The token itself is never stored: only its SHA-256 (a token has
-- 256 random bits, so a plain hash cannot be reversed or guessed) and its
-- public prefix, which names the key in lists and logs without revealing it.
-- So a pg_dump, a replica or a backup holds nothing that authenticates.
CREATE TABLE api_keys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role         text NOT NULL CHECK (role IN ('admin', 'hr', 'supervisor', 'system')),
    -- A supervisor key reads for the people under this person, and only a
    -- supervisor key is bound to one. Deleting the person deletes the key.
    person       text REFERENCES people (external_id) ON DELETE CASCADE,
    prefix       text NOT NULL UNIQUE CHECK (prefix ~ '^frj_[0-9A-Za-z]{8}$'),
    token_sha256 bytea NOT NULL UNIQUE CHECK (octet_length(token_sha256) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    CONSTRAINT api_keys_person_check CHECK ((role = 'supervisor') = (person IS NOT NULL))
);
CREATE INDEX api_keys_person_idx ON api_keys (person) WHERE person IS NOT NULL;
