-- API tokens expire (expires_at, RFC 3339 UTC like every stored time): a token that leaked
-- or that a partner's script forgot stops working by itself. A new token is given 90 days
-- unless created with `--expires-in DAYS` (at most 365), and `token renew` extends one.
-- Tokens created before this migration are given 90 days from the moment it runs (the
-- per-backend file), not kept without expiry: those are the forgotten ones this is for, and
-- `token list` shows their date so they can be renewed in time. The column stays nullable
-- only because SQLite cannot add a NOT NULL column without a constant default; the desk
-- always writes it.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
