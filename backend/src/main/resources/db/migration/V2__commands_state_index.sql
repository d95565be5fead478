-- The long-poll re-check asks once per round which agents have leasable commands; finished
-- commands pile up, so the question is answered from an index on the state.
CREATE INDEX commands_state_deadline ON commands (state, deadline);
