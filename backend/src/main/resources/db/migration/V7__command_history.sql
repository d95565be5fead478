-- Commands as operators look them up: by VM (the vm parameter, copied at queue time; commands
-- queued before this version have none), newest first, and cancelled.
ALTER TABLE commands ADD COLUMN vm VARCHAR(256);
ALTER TABLE commands ADD COLUMN cancel_requested_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX commands_created ON commands (created_at, command_id);
CREATE INDEX commands_vm ON commands (vm, created_at);
