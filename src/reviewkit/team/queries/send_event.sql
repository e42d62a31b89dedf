-- One log line to the server, in one statement (one round trip, one transaction): the event,
-- and when it is new, what it does to the allocation. A retry of the same event id inserts
-- nothing and so counts nothing twice.
WITH sent AS (
    INSERT INTO events (event_id, log, kind, stage, record, reviewer, line)
    VALUES (%(id)s, %(log)s, %(kind)s, %(stage)s, %(record)s, %(reviewer)s, %(line)s)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING kind, stage, record, reviewer
)
SELECT CASE WHEN kind = 'decision' THEN reviewkit_decided(stage, reviewer, record)::text
            WHEN kind = 'undo' THEN reviewkit_undecided(stage, reviewer, record)::text END
  FROM sent WHERE stage IS NOT NULL AND record IS NOT NULL;
