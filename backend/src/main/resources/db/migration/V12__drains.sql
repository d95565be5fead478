-- Agents being drained: their running VMs move to other hosts, and the backend queues nothing else
-- for them until an operator ends the drain (the row is deleted then).
CREATE TABLE agent_drains (
  agent_id VARCHAR(64) PRIMARY KEY,
  to_agent VARCHAR(64),
  parallel_moves INTEGER NOT NULL,
  started_by VARCHAR(256),
  options_json VARCHAR(8192) NOT NULL,
  started_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One row per VM a drain moves: its destination and migration once started, or why it could not.
CREATE TABLE drain_moves (
  agent_id VARCHAR(64) NOT NULL,
  vm VARCHAR(256) NOT NULL,
  move_index INTEGER NOT NULL,
  destination_agent VARCHAR(64),
  migration_id VARCHAR(36),
  message VARCHAR(4096),
  PRIMARY KEY (agent_id, vm)
);
