-- The network a registration came from (an IPv4 address, or an IPv6 client's /64): the
-- per-address registration limit counts networks, as every other limit does, so a client
-- cannot pass it by changing addresses within its IPv6 /64. It replaces counting the audit
-- log's exact addresses.
ALTER TABLE ownerships ADD COLUMN registered_from TEXT;
CREATE INDEX ownerships_registered_from ON ownerships (registered_from, started_at);
DROP INDEX audit_log_action_ip;
