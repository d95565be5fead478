-- How other hosts migrate VMs to an agent's host, as its last registration said (protocol 4).
CREATE TABLE agent_migration_endpoints (
  agent_id VARCHAR(64) PRIMARY KEY,
  uri VARCHAR(1024) NOT NULL,
  stream_uri VARCHAR(1024),
  reported_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Migrations the backend orchestrates. Each step's command id is written before the command is
-- queued, so a backend started again (or another instance) continues from the step it reached.
CREATE TABLE migrations (
  migration_id VARCHAR(36) PRIMARY KEY,
  vm VARCHAR(256) NOT NULL,
  source_agent VARCHAR(64) NOT NULL,
  destination_agent VARCHAR(64) NOT NULL,
  options_json VARCHAR(8192) NOT NULL,
  state VARCHAR(32) NOT NULL,
  step_command VARCHAR(36),
  migrate_command VARCHAR(36),
  check_source_command VARCHAR(36),
  check_destination_command VARCHAR(36),
  holder VARCHAR(64),
  message VARCHAR(4096),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX migrations_state ON migrations (state, created_at);
