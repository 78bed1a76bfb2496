-- Latency order over every outcome is now answered by merging the first page of each outcome
-- from attempts_env_outcome_latency, so the plain latency index only cost a bulk load a sort.
DROP INDEX attempts_env_latency;
