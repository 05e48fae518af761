-- serialtrace domain model (SQLite). Dates are ISO 8601 text ('YYYY-MM-DD'), instants are
-- ISO 8601 UTC text ('YYYY-MM-DDTHH:MM:SSZ'), so both engines compare them the same way.

CREATE TABLE manufacturers (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CONSTRAINT manufacturers_slug_key UNIQUE (slug)
);

CREATE TABLE products (
    id                    INTEGER PRIMARY KEY,
    manufacturer_id       INTEGER NOT NULL REFERENCES manufacturers (id),
    model                 TEXT NOT NULL,
    name                  TEXT NOT NULL,
    category              TEXT NOT NULL,
    warranty_months       INTEGER NOT NULL CHECK (warranty_months >= 0),
    warranty_starts       TEXT NOT NULL CHECK (warranty_starts IN ('sale', 'registration', 'manufacture')),
    warranty_transferable INTEGER NOT NULL DEFAULT 1 CHECK (warranty_transferable IN (0, 1)),
    serial_format         TEXT NOT NULL DEFAULT '{"kind":"free"}',
    serialised            INTEGER NOT NULL DEFAULT 1 CHECK (serialised IN (0, 1)),
    retired_at            TEXT,
    created_at            TEXT NOT NULL,
    CONSTRAINT products_manufacturer_model_key UNIQUE (manufacturer_id, model)
);

CREATE TABLE product_gtins (
    gtin        TEXT PRIMARY KEY CHECK (length(gtin) = 14),
    product_id  INTEGER NOT NULL REFERENCES products (id)
);
CREATE INDEX product_gtins_product ON product_gtins (product_id);

CREATE TABLE lots (
    id           INTEGER PRIMARY KEY,
    product_id   INTEGER NOT NULL REFERENCES products (id),
    code         TEXT NOT NULL,
    produced_on  TEXT,
    expires_on   TEXT,
    CONSTRAINT lots_product_code_key UNIQUE (product_id, code)
);

CREATE TABLE units (
    id               INTEGER PRIMARY KEY,
    manufacturer_id  INTEGER NOT NULL REFERENCES manufacturers (id),
    product_id       INTEGER NOT NULL REFERENCES products (id),
    lot_id           INTEGER REFERENCES lots (id),
    serial_raw       TEXT NOT NULL,
    serial_norm      TEXT NOT NULL CHECK (length(serial_norm) BETWEEN 1 AND 20),
    manufactured_on  TEXT,
    revision         TEXT,
    status           TEXT NOT NULL DEFAULT 'in_stock'
                     CHECK (status IN ('in_stock', 'shipped', 'sold', 'registered', 'returned', 'scrapped')),
    location         TEXT,
    created_at       TEXT NOT NULL,
    CONSTRAINT units_manufacturer_product_serial_key UNIQUE (manufacturer_id, product_id, serial_norm)
);
CREATE INDEX units_serial_norm ON units (serial_norm);
CREATE INDEX units_lot ON units (lot_id);
CREATE INDEX units_product_made ON units (product_id, manufactured_on);

CREATE TABLE component_links (
    id              INTEGER PRIMARY KEY,
    parent_unit_id  INTEGER NOT NULL REFERENCES units (id),
    child_unit_id   INTEGER REFERENCES units (id),
    child_lot_id    INTEGER REFERENCES lots (id),
    linked_at       TEXT NOT NULL,
    CONSTRAINT component_links_one_child CHECK ((child_unit_id IS NULL) <> (child_lot_id IS NULL))
);
CREATE INDEX component_links_parent ON component_links (parent_unit_id);
CREATE INDEX component_links_child_unit ON component_links (child_unit_id);
CREATE INDEX component_links_child_lot ON component_links (child_lot_id);

CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    unit_id   INTEGER NOT NULL REFERENCES units (id),
    kind      TEXT NOT NULL CHECK (kind IN ('manufactured', 'shipped', 'received', 'sold', 'registered',
                                            'repaired', 'returned', 'transferred', 'scrapped')),
    at        TEXT NOT NULL,
    place     TEXT,
    actor     TEXT,
    note      TEXT
);
CREATE INDEX events_unit ON events (unit_id, at);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    display_name   TEXT,
    created_at     TEXT NOT NULL,
    disabled_at    TEXT,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE user_roles (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    role             TEXT NOT NULL CHECK (role IN ('owner', 'agent', 'staff', 'police', 'admin')),
    manufacturer_id  INTEGER REFERENCES manufacturers (id),
    agency           TEXT,
    granted_at       TEXT NOT NULL,
    CONSTRAINT user_roles_user_role_key UNIQUE (user_id, role)
);

CREATE TABLE ownerships (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units (id),
    user_id          INTEGER NOT NULL REFERENCES users (id),
    started_at       TEXT NOT NULL,
    ended_at         TEXT,
    purchase_date    TEXT,
    retailer         TEXT,
    price_cents      INTEGER,
    via              TEXT NOT NULL DEFAULT 'registration' CHECK (via IN ('registration', 'transfer', 'staff'))
);
CREATE INDEX ownerships_unit ON ownerships (unit_id);
CREATE INDEX ownerships_user ON ownerships (user_id);
CREATE UNIQUE INDEX ownerships_one_current ON ownerships (unit_id) WHERE ended_at IS NULL;

CREATE TABLE warranty_records (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    kind        TEXT NOT NULL CHECK (kind IN ('initial', 'extended', 'repair')),
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CONSTRAINT warranty_records_dates CHECK (starts_on <= ends_on)
);
CREATE INDEX warranty_records_unit ON warranty_records (unit_id);

CREATE TABLE claims (
    id              INTEGER PRIMARY KEY,
    unit_id         INTEGER NOT NULL REFERENCES units (id),
    owner_user_id   INTEGER REFERENCES users (id),
    status          TEXT NOT NULL CHECK (status IN ('new', 'in_review', 'approved', 'rejected', 'repaired', 'closed')),
    description     TEXT NOT NULL,
    in_warranty     INTEGER NOT NULL CHECK (in_warranty IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX claims_unit ON claims (unit_id);

CREATE TABLE repairs (
    id              INTEGER PRIMARY KEY,
    claim_id        INTEGER REFERENCES claims (id),
    unit_id         INTEGER NOT NULL REFERENCES units (id),
    at              TEXT NOT NULL,
    description     TEXT NOT NULL,
    parts           TEXT,
    agent_user_id   INTEGER REFERENCES users (id)
);
CREATE INDEX repairs_unit ON repairs (unit_id);

CREATE TABLE recalls (
    id               INTEGER PRIMARY KEY,
    manufacturer_id  INTEGER NOT NULL REFERENCES manufacturers (id),
    number           TEXT NOT NULL,
    title            TEXT NOT NULL,
    hazard           TEXT NOT NULL,
    description      TEXT NOT NULL,
    remedy           TEXT NOT NULL CHECK (remedy IN ('repair', 'replace', 'refund')),
    remedy_available INTEGER NOT NULL DEFAULT 1 CHECK (remedy_available IN (0, 1)),
    instructions     TEXT NOT NULL,
    severity         TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    starts_on        TEXT NOT NULL,
    published_at     TEXT,
    closed_at        TEXT,
    created_at       TEXT NOT NULL,
    CONSTRAINT recalls_number_key UNIQUE (number)
);

CREATE TABLE recall_scope_rules (
    id                  INTEGER PRIMARY KEY,
    recall_id           INTEGER NOT NULL REFERENCES recalls (id),
    kind                TEXT NOT NULL CHECK (kind IN ('serial', 'serial_range', 'lot', 'production_window',
                                                      'component_lot', 'component_serial')),
    product_id          INTEGER REFERENCES products (id),
    serial_norm         TEXT,
    range_prefix        TEXT,
    range_width         INTEGER,
    range_from          INTEGER,
    range_to            INTEGER,
    lot_id              INTEGER REFERENCES lots (id),
    window_from         TEXT,
    window_to           TEXT,
    component_unit_id   INTEGER REFERENCES units (id)
);
CREATE INDEX recall_scope_rules_recall ON recall_scope_rules (recall_id);

-- Scope evaluated into membership when a recall is published or its scope changes, so a
-- lookup is an indexed read.
CREATE TABLE recall_units (
    recall_id      INTEGER NOT NULL REFERENCES recalls (id),
    unit_id        INTEGER NOT NULL REFERENCES units (id),
    remedy_status  TEXT NOT NULL CHECK (remedy_status IN ('open', 'remedy_unavailable', 'remedied')),
    remedied_on    TEXT,
    remedied_by    TEXT,
    -- Which evaluation last found the unit in scope; older rows are swept after a recompute.
    generation     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (recall_id, unit_id)
);
CREATE INDEX recall_units_unit ON recall_units (unit_id);

CREATE TABLE recall_products (
    recall_id   INTEGER NOT NULL REFERENCES recalls (id),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    PRIMARY KEY (recall_id, product_id)
);

CREATE TABLE theft_reports (
    id                INTEGER PRIMARY KEY,
    unit_id           INTEGER NOT NULL REFERENCES units (id),
    reporter_user_id  INTEGER REFERENCES users (id),
    reporter_kind     TEXT NOT NULL CHECK (reporter_kind IN ('owner', 'police', 'staff')),
    kind              TEXT NOT NULL DEFAULT 'stolen' CHECK (kind IN ('stolen', 'lost')),
    agency            TEXT,
    case_number       TEXT,
    place             TEXT,
    occurred_on       TEXT,
    status            TEXT NOT NULL CHECK (status IN ('active', 'recovered', 'withdrawn')),
    reported_at       TEXT NOT NULL,
    resolved_at       TEXT
);
CREATE INDEX theft_reports_unit ON theft_reports (unit_id, status);

CREATE TABLE lookup_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    serial_norm  TEXT,
    gtin         TEXT,
    result       TEXT NOT NULL CHECK (result IN ('found', 'not_found', 'invalid')),
    match_count  INTEGER NOT NULL,
    -- Identical lookups in one flush of the log writer are one row with their count.
    hits         INTEGER NOT NULL DEFAULT 1 CHECK (hits > 0),
    unit_id      INTEGER,
    channel      TEXT NOT NULL CHECK (channel IN ('web', 'api', 'partner')),
    origin       TEXT NOT NULL
);
CREATE INDEX lookup_log_serial ON lookup_log (serial_norm, at);
CREATE INDEX lookup_log_at ON lookup_log (at);

-- Append-only: the application never updates or deletes a row; each row carries the hash
-- of the one before.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor_user_id  INTEGER,
    actor_role     TEXT,
    action         TEXT NOT NULL,
    target_type    TEXT NOT NULL,
    target_id      TEXT,
    before_json    TEXT,
    after_json     TEXT,
    client_ip      TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);

CREATE TABLE outbox (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL,
    recipient_user_id  INTEGER REFERENCES users (id),
    to_address         TEXT NOT NULL,
    subject            TEXT NOT NULL,
    body               TEXT NOT NULL,
    dedupe_key         TEXT,
    created_at         TEXT NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TEXT NOT NULL,
    sent_at            TEXT,
    last_error         TEXT,
    CONSTRAINT outbox_dedupe_key UNIQUE (dedupe_key)
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

-- Serials to try, written by `serialtrace demo` so every start can print them again.
CREATE TABLE demo_samples (
    outcome  TEXT PRIMARY KEY,
    serial   TEXT NOT NULL,
    gtin     TEXT
);

-- Bumped by every change a public answer can show (recalls, thefts, warranties, units), so
-- each server instance knows when its cache of answers is stale.
CREATE TABLE cache_epoch (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO cache_epoch (id, version) VALUES (1, 0);
