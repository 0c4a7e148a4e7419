-- The audit trail: every contact let through by an exception (urgent,
-- force majeure, a personal channel in an exceptional situation), written in
-- the same transaction that gives the answer. Evidence for a complaint: it
-- has no foreign keys (it outlives the people it names) and refuses UPDATE,
-- DELETE and TRUNCATE for every role, the table owner included.
CREATE TABLE audit_exceptions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    requester     text NOT NULL,
    person        text NOT NULL,
    post          text NOT NULL,
    purpose       text NOT NULL CHECK (purpose IN ('routine', 'urgent', 'force_majeure')),
    channel       text NOT NULL,
    justification text NOT NULL CHECK (length(justification) BETWEEN 1 AND 2000),
    -- The instant the contact is about, and when it was asked.
    at            timestamptz NOT NULL,
    asked_at      timestamptz NOT NULL DEFAULT now(),
    decision      text NOT NULL CHECK (decision IN ('allow', 'defer', 'deny')),
    reasons       text[] NOT NULL,
    exception     text NOT NULL,
    api_key       text NOT NULL,
    request_id    text NOT NULL DEFAULT ''
);
CREATE INDEX audit_exceptions_asked_idx ON audit_exceptions (asked_at, id);
CREATE INDEX audit_exceptions_requester_idx ON audit_exceptions (requester, asked_at);
CREATE INDEX audit_exceptions_person_idx ON audit_exceptions (person, asked_at);

-- Who saw personal data (a leave kind, the audit log), when, and whose.
CREATE TABLE access_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    api_key    text NOT NULL,
    role       text NOT NULL,
    what       text NOT NULL,
    person     text NOT NULL DEFAULT '',
    request_id text NOT NULL DEFAULT ''
);
CREATE INDEX access_log_at_idx ON access_log (at);

CREATE FUNCTION franja_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_exceptions_append_only BEFORE UPDATE OR DELETE ON audit_exceptions
    FOR EACH ROW EXECUTE FUNCTION franja_append_only();
CREATE TRIGGER audit_exceptions_no_truncate BEFORE TRUNCATE ON audit_exceptions
    FOR EACH STATEMENT EXECUTE FUNCTION franja_append_only();
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION franja_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION franja_append_only();
