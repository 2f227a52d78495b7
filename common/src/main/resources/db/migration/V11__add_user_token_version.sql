-- Why: a token must follow its account. Every token carries the account's token_version at the
-- time it was issued; logout and a password change bump the version, which revokes every token
-- issued before on every replica at once. The role is read from this table on each request, so a
-- demoted admin loses admin rights on the next request rather than when the token expires.
ALTER TABLE users
  ADD COLUMN token_version INT NOT NULL DEFAULT 0;
