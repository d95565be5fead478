-- The operations an agent advertised with the versions of their parameter sets (protocol 3), at
-- registration or in the first heartbeat after a start; null for an agent that sent names only.
ALTER TABLE agents ADD COLUMN operations_json VARCHAR(8192);

-- The interfaces of a VM with their IP addresses, from its agent's last addresses or info result.
-- Kept apart from the vms inventory, which every heartbeat replaces.
CREATE TABLE vm_addresses (
  agent_id VARCHAR(64) NOT NULL,
  vm_uuid VARCHAR(36) NOT NULL,
  interfaces_json VARCHAR(65536) NOT NULL,
  reported_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (agent_id, vm_uuid)
);
