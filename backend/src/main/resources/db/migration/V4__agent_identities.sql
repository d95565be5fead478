-- Each agent id is bound to the key its agent generated (protocol 2). Kept beside the agents table
-- so an agent registered by an earlier version simply has no row yet (no key bound).
CREATE TABLE agent_identities (
  agent_id VARCHAR(64) PRIMARY KEY,
  -- Base64 of the DER SubjectPublicKeyInfo; NULL while released and not yet bound again.
  public_key VARCHAR(1024),
  key_bound_at TIMESTAMP WITH TIME ZONE,
  -- The bootstrap token the agent last registered with, so revoking the agent can revoke it.
  bootstrap_token_id VARCHAR(36),
  -- Set by an operator's reset: the next registration with a bootstrap token binds a new key.
  released_at TIMESTAMP WITH TIME ZONE
);

-- Legacy registrations recorded which token created them only for single-use tokens.
INSERT INTO agent_identities (agent_id, bootstrap_token_id)
  SELECT a.agent_id,
    (SELECT MIN(t.token_id) FROM bootstrap_tokens t
      WHERE t.used_by_agent = a.agent_id AND t.single_use = TRUE)
  FROM agents a;

-- Single-use challenges for proofs of possession; at most a few per agent, each for a minute.
CREATE TABLE identity_challenges (
  challenge_hash VARCHAR(64) PRIMARY KEY,
  agent_id VARCHAR(64) NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX identity_challenges_agent ON identity_challenges (agent_id, expires_at);

ALTER TABLE bootstrap_tokens ADD COLUMN max_agents INTEGER;
ALTER TABLE bootstrap_tokens ADD COLUMN agents_created INTEGER DEFAULT 0 NOT NULL;

-- The fleet's certificate authority when no operator CA is given: created by the first instance,
-- read by every other, so all instances issue and trust the same client certificates.
CREATE TABLE fleet_ca (
  ca_id INTEGER PRIMARY KEY,
  certificate_pem VARCHAR(8192) NOT NULL,
  key_pem VARCHAR(8192) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
