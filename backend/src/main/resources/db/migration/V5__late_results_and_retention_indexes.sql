-- A result that came after its command expired is refused (409) and not applied; the first such
-- result is kept here so the operator still sees what the agent reported.
ALTER TABLE commands ADD COLUMN late_result_json VARCHAR(1000000);
