-- Protocol 4. The protocol version an agent registered with (null: before this version, so 1-3),
-- which decides whether its poll and heartbeat answers carry cancel requests.
ALTER TABLE agents ADD COLUMN protocol_version INTEGER;

-- The clock offset an agent reported with each event and sample (null: not reported), and an
-- event's time on the backend's clock (its time less the offset), by which events are ordered.
ALTER TABLE vm_events ADD COLUMN clock_offset_ms BIGINT;
ALTER TABLE vm_events ADD COLUMN corrected_time TIMESTAMP WITH TIME ZONE;
UPDATE vm_events SET corrected_time = event_time;
ALTER TABLE vm_events ALTER COLUMN corrected_time SET NOT NULL;
CREATE INDEX vm_events_corrected ON vm_events (corrected_time);
CREATE INDEX vm_events_vm_corrected ON vm_events (vm_name, corrected_time);
ALTER TABLE metrics_samples ADD COLUMN clock_offset_ms BIGINT;
-- Events are no longer read in the order of the agents' own clocks.
DROP INDEX vm_events_time;
DROP INDEX vm_events_vm;
