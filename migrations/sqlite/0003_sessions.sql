-- Sessions (tower-sessions records): the id is stored only as its SHA-256, so a copy of the
-- database does not hand out live sessions. user_id lets sign-out and password changes end a
-- user's other sessions.
CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,
    user_id     INTEGER REFERENCES users (id),
    data        TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Bumped whenever a user's roles change; a session that saw an older value gets a new id.
ALTER TABLE users ADD COLUMN auth_epoch INTEGER NOT NULL DEFAULT 0;

-- A self-made account signs in once its address is confirmed by a mailed link; accounts made
-- before this (by the CLI, the demo, an administrator) count as confirmed.
ALTER TABLE users ADD COLUMN email_verified_at TEXT;
UPDATE users SET email_verified_at = created_at;

-- Links mailed to a user: password reset and address confirmation. Single use, expiring,
-- stored as SHA-256.
CREATE TABLE account_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('reset', 'verify')),
    token_hash  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    CONSTRAINT account_tokens_token_key UNIQUE (token_hash)
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

CREATE INDEX audit_log_action_idx ON audit_log (action);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id);
