-- Sessions of the web app (issue 18): one row per signed-in browser. The
-- cookie holds a random token; only its SHA-256 is stored, so a copy of this
-- table signs nobody in. A session signed in with an API key keeps that
-- key's hash (key_sum) and dies with the key: every request checks the key
-- is still active in the view. csrf is the session-bound token every form
-- must send back.
CREATE TABLE web_sessions (
    token_sum  bytea PRIMARY KEY CHECK (length(token_sum) = 32),
    role       text NOT NULL CHECK (role IN ('admin', 'hr', 'supervisor', 'system')),
    person     text,
    key_sum    bytea CHECK (key_sum IS NULL OR length(key_sum) = 32),
    -- how the session was opened: 'key', 'bootstrap' or 'oidc'
    via        text NOT NULL CHECK (via IN ('key', 'bootstrap', 'oidc')),
    -- who signed in, for the records: the key's prefix or the account's email
    subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 254),
    csrf       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);
