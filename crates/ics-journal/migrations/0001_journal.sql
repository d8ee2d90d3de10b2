-- The order journal and the shop's event outbox. Portable SQL: the same text runs on
-- SQLite and PostgreSQL (BIGINT and TEXT only; flags are 0/1; times are Unix milliseconds).
CREATE TABLE journal_orders (
    refid          TEXT PRIMARY KEY,
    product        TEXT NOT NULL,
    number         TEXT NOT NULL,
    price_bound    BIGINT NOT NULL,
    token_id       TEXT NOT NULL UNIQUE,
    client_ip_hash TEXT NOT NULL,
    day            BIGINT NOT NULL,
    state          TEXT NOT NULL,
    is_final       BIGINT NOT NULL DEFAULT 0,
    acked          BIGINT NOT NULL DEFAULT 0,
    price          BIGINT,
    supplier_trxid TEXT,
    message        TEXT,
    last_error     TEXT,
    checks         BIGINT NOT NULL DEFAULT 0,
    resends        BIGINT NOT NULL DEFAULT 0,
    next_check_at  BIGINT NOT NULL,
    sent_at        BIGINT NOT NULL,
    lease_owner    TEXT,
    lease_until    BIGINT,
    settled_by     TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX journal_orders_open ON journal_orders (is_final, next_check_at);
CREATE INDEX journal_orders_day ON journal_orders (day);
CREATE INDEX journal_orders_number ON journal_orders (number, created_at);

CREATE TABLE journal_events (
    id              TEXT PRIMARY KEY,
    refid           TEXT NOT NULL,
    body            TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    delivered_at    BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX journal_events_due ON journal_events (delivered_at, next_attempt_at);
