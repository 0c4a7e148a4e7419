-- Contacts (issue 12): every attempt to reach a person is recorded, whatever
-- the decision, and a contact asked to be delivered is held until allowed
-- and delivered by a signed webhook (River's jobs, 000014–000021).
--
-- contacts and contact_events are evidence: append-only and hash-chained
-- (franja_chain, 000011), with no foreign keys (they outlive the people they
-- name). contact_state is the current status of each contact, derived from
-- its events and kept beside them in the same transactions, so that lists
-- filter by status without reading every history; it is not evidence.

-- Webhook endpoints, registered by admin. The secret is kept as given to
-- the admin (whsec_ + base64): signing needs it, so it cannot be a hash.
-- Deleted endpoints are kept (contacts name them) but never called.
-- next_send_at is the endpoint's next free delivery slot, for spreading
-- deliveries at FRANJA_WEBHOOK_RATE across every replica.
CREATE TABLE webhooks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    url          text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    secret       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz,
    next_send_at timestamptz NOT NULL DEFAULT '-infinity'
);

CREATE TABLE contacts (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The instant of the contact (when it was asked to be made), and the
    -- request that made it.
    at                timestamptz NOT NULL,
    person            text NOT NULL,
    post              text NOT NULL,
    -- Who wants to reach the person (a supervisor key's own person, or the
    -- person a system, hr or admin key names), and the key that asked.
    requester         text NOT NULL,
    api_key           text NOT NULL,
    role              text NOT NULL,
    channel           text NOT NULL,
    purpose           text NOT NULL CHECK (purpose IN ('routine', 'urgent', 'force_majeure')),
    official_document boolean NOT NULL,
    duration_seconds  integer NOT NULL CHECK (duration_seconds >= 0),
    justification     text NOT NULL DEFAULT '',
    decision          text NOT NULL CHECK (decision IN ('allow', 'defer', 'deny')),
    reasons           text[] NOT NULL,
    -- outside_allowed: the instant fell outside the person's allowed time
    -- (outside hours, rest day, holiday, leave, no schedule), whatever the
    -- channel; exception: what let it through outside allowed time ('' for none).
    outside_allowed   boolean NOT NULL,
    exception         text NOT NULL DEFAULT '',
    next_allowed_at   timestamptz,
    webhook           bigint,
    payload           jsonb,
    deliver_by        timestamptz,
    idempotency_key   text,
    request_sha256    bytea,
    request_id        text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX contacts_idempotency_idx ON contacts (api_key, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX contacts_at_idx ON contacts (at, id);
CREATE INDEX contacts_person_idx ON contacts (person, at);
CREATE INDEX contacts_requester_idx ON contacts (requester, at);

-- A contact's status history: one row per change, in order.
CREATE TABLE contact_events (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact bigint NOT NULL,
    at      timestamptz NOT NULL DEFAULT now(),
    status  text NOT NULL CHECK (status IN ('recorded', 'refused', 'held', 'delivering', 'delivered', 'failed', 'cancelled', 'expired')),
    attempt integer NOT NULL DEFAULT 0,
    detail  text NOT NULL DEFAULT ''
);
CREATE INDEX contact_events_contact_idx ON contact_events (contact, id);

CREATE TABLE contact_state (
    contact    bigint PRIMARY KEY,
    status     text NOT NULL,
    deliver_at timestamptz,
    attempts   integer NOT NULL DEFAULT 0,
    -- slot_at: the delivery slot reserved on the endpoint's rate, if any.
    slot_at    timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_state_status_idx ON contact_state (status, contact);

SELECT franja_chain('contacts');
SELECT franja_chain('contact_events');
