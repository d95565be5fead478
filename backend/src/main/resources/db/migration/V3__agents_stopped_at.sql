-- Set by an agent's last heartbeat at shutdown, so it shows offline at once instead of after three
-- missed heartbeat intervals; cleared by its next heartbeat.
ALTER TABLE agents ADD COLUMN stopped_at TIMESTAMP WITH TIME ZONE;
