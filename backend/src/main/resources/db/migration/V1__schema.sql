-- The backend's schema; portable between H2 2.x and PostgreSQL 10+ (no vendor types).
-- JSON documents are stored as text the backend wrote itself after validating them.

CREATE TABLE agents (
  agent_id VARCHAR(64) PRIMARY KEY,
  name VARCHAR(128) NOT NULL,
  hostname VARCHAR(253) NOT NULL,
  agent_version VARCHAR(64) NOT NULL,
  libvirt_uri VARCHAR(512) NOT NULL,
  hypervisor_json VARCHAR(8192),
  capabilities_json VARCHAR(8192) NOT NULL,
  heartbeat_interval_seconds INTEGER NOT NULL,
  registered_at TIMESTAMP WITH TIME ZONE NOT NULL,
  revoked_at TIMESTAMP WITH TIME ZONE,
  last_heartbeat_at TIMESTAMP WITH TIME ZONE,
  heartbeat_json VARCHAR(65536)
);

CREATE TABLE bootstrap_tokens (
  token_id VARCHAR(36) PRIMARY KEY,
  token_hash VARCHAR(64) NOT NULL UNIQUE,
  description VARCHAR(256),
  single_use BOOLEAN NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE,
  used_at TIMESTAMP WITH TIME ZONE,
  used_by_agent VARCHAR(64),
  revoked BOOLEAN NOT NULL
);

-- One family per registration: every refresh token descends from it, and reuse of a spent
-- refresh token revokes the whole family.
CREATE TABLE token_families (
  family_id VARCHAR(36) PRIMARY KEY,
  agent_id VARCHAR(64) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  revoked_at TIMESTAMP WITH TIME ZONE,
  revoke_reason VARCHAR(64)
);
CREATE INDEX token_families_agent ON token_families (agent_id);

CREATE TABLE refresh_tokens (
  token_hash VARCHAR(64) PRIMARY KEY,
  family_id VARCHAR(36) NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  issued_at TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  used_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Public halves of every instance's signing key, so any instance verifies any instance's token.
CREATE TABLE signing_keys (
  kid VARCHAR(64) PRIMARY KEY,
  public_jwk VARCHAR(4096) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE operator_tokens (
  token_hash VARCHAR(64) PRIMARY KEY,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE commands (
  command_id VARCHAR(36) PRIMARY KEY,
  agent_id VARCHAR(64) NOT NULL,
  operation VARCHAR(32) NOT NULL,
  params_json VARCHAR(262144) NOT NULL,
  state VARCHAR(16) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  deadline TIMESTAMP WITH TIME ZONE NOT NULL,
  lease_expires_at TIMESTAMP WITH TIME ZONE,
  deliveries INTEGER NOT NULL,
  result_json VARCHAR(1000000),
  finished_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX commands_agent_state ON commands (agent_id, state, created_at);

CREATE TABLE metrics_samples (
  agent_id VARCHAR(64) NOT NULL,
  sample_time TIMESTAMP WITH TIME ZONE NOT NULL,
  received_at TIMESTAMP WITH TIME ZONE NOT NULL,
  snapshot_json VARCHAR(1000000) NOT NULL,
  PRIMARY KEY (agent_id, sample_time)
);

CREATE TABLE vm_events (
  agent_id VARCHAR(64) NOT NULL,
  sequence_no BIGINT NOT NULL,
  event_time TIMESTAMP WITH TIME ZONE NOT NULL,
  vm_name VARCHAR(255) NOT NULL,
  vm_uuid VARCHAR(36),
  event_type VARCHAR(16) NOT NULL,
  detail VARCHAR(256),
  received_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (agent_id, sequence_no)
);

CREATE TABLE vms (
  agent_id VARCHAR(64) NOT NULL,
  vm_name VARCHAR(255) NOT NULL,
  vm_uuid VARCHAR(36),
  state VARCHAR(32) NOT NULL,
  reported_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (agent_id, vm_name)
);
