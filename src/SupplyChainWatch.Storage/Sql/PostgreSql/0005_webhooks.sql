-- Webhook subscriptions, the delivery outbox and every delivery attempt (PostgreSQL).
-- Outbox rows are written in the same transaction as the escalation event they carry; dispatchers on several silos
-- claim due rows with FOR UPDATE SKIP LOCKED and a lease (lease_owner, lease_until).
CREATE TABLE webhook_subscriptions
(
    id                    TEXT        NOT NULL PRIMARY KEY,
    owner                 TEXT        NOT NULL,
    url                   TEXT        NOT NULL,
    description           TEXT        NULL,
    event_types_json      TEXT        NOT NULL,
    filter_json           TEXT        NOT NULL,
    secret                TEXT        NOT NULL,
    previous_secret       TEXT        NULL,
    previous_secret_until TIMESTAMPTZ NULL,
    enabled               INTEGER     NOT NULL,
    disabled_reason       TEXT        NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);

CREATE INDEX ix_webhook_subscriptions_owner ON webhook_subscriptions (owner, created_at);

-- One row per (subscription, event): the id is the stable webhook-id; status pending | delivered | dead.
CREATE TABLE webhook_deliveries
(
    id              TEXT        NOT NULL PRIMARY KEY,
    subscription_id TEXT        NOT NULL,
    event_id        TEXT        NOT NULL,
    event_type      TEXT        NOT NULL,
    body            TEXT        NOT NULL,
    status          TEXT        NOT NULL,
    attempt_count   INTEGER     NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_owner     TEXT        NULL,
    lease_until     TIMESTAMPTZ NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    completed_at    TIMESTAMPTZ NULL,
    last_error      TEXT        NULL,
    CONSTRAINT ux_webhook_deliveries_subscription_event UNIQUE (subscription_id, event_id)
);

CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at, id);

CREATE TABLE webhook_attempts
(
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  TEXT        NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL,
    status_code  INTEGER     NULL,
    latency_ms   BIGINT      NOT NULL,
    outcome      TEXT        NOT NULL,
    error        TEXT        NULL
);

CREATE INDEX ix_webhook_attempts_delivery ON webhook_attempts (delivery_id, seq);
