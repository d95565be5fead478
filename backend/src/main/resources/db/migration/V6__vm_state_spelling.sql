-- From protocol 3 on, VM states are spelled with an underscore between words, as the agent's
-- operations always did (shut_off, not shutoff); the backend stores only that spelling, so the
-- rows reported before are brought in line once.
UPDATE vms SET state = 'shut_off' WHERE state = 'shutoff';
UPDATE vms SET state = 'shutting_down' WHERE state = 'shutdown';
UPDATE vms SET state = 'no_state' WHERE state = 'nostate';
UPDATE vms SET state = 'pm_suspended' WHERE state = 'pmsuspended';
