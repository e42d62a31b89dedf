-- One log line to the server. A retry of the same event id inserts nothing (and so the
-- allocation trigger, sql/0010_allocation.sql, counts nothing twice).
INSERT INTO events (event_id, log, kind, stage, record, reviewer, line)
VALUES (%(id)s, %(log)s, %(kind)s, %(stage)s, %(record)s, %(reviewer)s, %(line)s)
ON CONFLICT (event_id) DO NOTHING;
