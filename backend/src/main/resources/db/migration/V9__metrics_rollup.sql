-- Metrics history: per agent, VM ('' for the host), one-minute bucket and series, how many samples
-- held a value and their sum and maximum, written with each sample. Charts over days aggregate
-- these narrow rows to their step instead of parsing every stored snapshot.
CREATE TABLE metrics_rollup (
  agent_id VARCHAR(64) NOT NULL,
  vm_name VARCHAR(255) NOT NULL,
  bucket_start BIGINT NOT NULL,
  series VARCHAR(32) NOT NULL,
  sample_count INTEGER NOT NULL,
  value_sum DOUBLE PRECISION NOT NULL,
  value_max DOUBLE PRECISION NOT NULL,
  received_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (agent_id, vm_name, bucket_start, series)
);
-- The retention sweep ages buckets by when a sample last added to them (the backend's clock).
CREATE INDEX metrics_rollup_received ON metrics_rollup (received_at);
