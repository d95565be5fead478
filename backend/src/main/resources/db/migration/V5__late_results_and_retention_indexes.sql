-- A result that came after its command expired is refused (409) and not applied; the first such
-- result is kept here so the operator still sees what the agent reported.
ALTER TABLE commands ADD COLUMN late_result_json VARCHAR(1000000);

-- The retention sweep (RetentionSweep) deletes old rows a batch at a time, each batch found through
-- the timestamp that ages its rows, so no batch scans a table.
CREATE INDEX metrics_samples_received ON metrics_samples (received_at);
CREATE INDEX vm_events_received ON vm_events (received_at);
CREATE INDEX commands_finished ON commands (finished_at);
CREATE INDEX refresh_tokens_used ON refresh_tokens (used_at);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
CREATE INDEX token_families_revoked ON token_families (revoked_at);
CREATE INDEX bootstrap_tokens_used ON bootstrap_tokens (used_at);
CREATE INDEX bootstrap_tokens_expires ON bootstrap_tokens (expires_at);
