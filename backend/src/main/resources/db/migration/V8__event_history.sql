-- Events as operators look them up: newest first, for the fleet, an agent or a VM.
CREATE INDEX vm_events_time ON vm_events (event_time);
CREATE INDEX vm_events_vm ON vm_events (vm_name, event_time);
