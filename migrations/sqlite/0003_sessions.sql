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

-- Password reset tokens: single use, expiring, stored as SHA-256.
CREATE TABLE password_resets (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    token_hash  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    CONSTRAINT password_resets_token_key UNIQUE (token_hash)
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

CREATE INDEX audit_log_action_idx ON audit_log (action);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id);
