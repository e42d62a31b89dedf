-- Who is who, and what each connection may see: blinding is enforced here, not by the client.
-- Group roles are cluster-wide (they may already exist from another review on this server);
-- everything else is keyed on this database's members table, so a login of another review
-- on the same server sees and writes nothing here.

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['reviewkit_reviewer', 'reviewkit_arbiter', 'reviewkit_lead',
                             'reviewkit_viewer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$$;

CREATE TABLE members (
    reviewer text PRIMARY KEY,
    login    name UNIQUE NOT NULL,
    role     text NOT NULL CHECK (role IN ('reviewer', 'arbiter', 'lead', 'viewer')),
    added_at timestamptz NOT NULL DEFAULT now()
);

-- A stage whose blinding the lead has lifted: every member sees every decision at it.
CREATE TABLE unblinded (
    stage     text PRIMARY KEY,
    lifted_by name NOT NULL DEFAULT current_user,
    lifted_at timestamptz NOT NULL DEFAULT now()
);

-- What the blinding rules need to know about screening events, kept by a trigger so that
-- the policies on events never read events (no recursion) and no member can read it.
CREATE TABLE screening_shadow (
    event_id text PRIMARY KEY,
    stage    text,
    record   text,
    reviewer text NOT NULL,
    kind     text NOT NULL,
    decision text,
    target   text,
    seq      bigint NOT NULL
);
CREATE INDEX screening_shadow_key ON screening_shadow (stage, record);
CREATE INDEX screening_shadow_target ON screening_shadow (target);
REVOKE ALL ON screening_shadow FROM PUBLIC;

-- The connecting login's reviewer name and role in this review (NULL: not a member).
-- public.members, qualified: a function body is parsed when it runs, and a member's own
-- TEMP TABLE members would otherwise come first on their search path.
CREATE FUNCTION reviewkit_me() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT m.reviewer FROM public.members m WHERE m.login = current_user $$;
CREATE FUNCTION reviewkit_my_role() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT m.role FROM public.members m WHERE m.login = current_user $$;

-- Each reviewer's current decision per record and stage: the newest decision not undone.
CREATE FUNCTION reviewkit_current_decisions()
    RETURNS TABLE (stage text, record text, reviewer text, decision text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT DISTINCT ON (s.stage, s.record, s.reviewer) s.stage, s.record, s.reviewer,
           s.decision
    FROM screening_shadow s
    WHERE s.kind = 'decision'
      AND NOT EXISTS (SELECT 1 FROM screening_shadow u
                      WHERE u.kind = 'undo' AND u.target = s.event_id)
    ORDER BY s.stage, s.record, s.reviewer, s.seq DESC
$$;
REVOKE ALL ON FUNCTION reviewkit_current_decisions() FROM PUBLIC;

-- Records at a stage where two or more reviewers decided and disagree. Only an arbiter or
-- the lead gets rows (session_user: the login, even inside this SECURITY DEFINER function):
-- a reviewer who knew a record was a conflict would know the other's decision.
CREATE FUNCTION reviewkit_conflict_keys() RETURNS TABLE (stage text, record text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.stage, c.record FROM reviewkit_current_decisions() c
    WHERE EXISTS (SELECT 1 FROM members m
                  WHERE m.login = session_user AND m.role IN ('arbiter', 'lead'))
    GROUP BY c.stage, c.record
    HAVING count(*) >= 2 AND count(DISTINCT c.decision) > 1
$$;
REVOKE ALL ON FUNCTION reviewkit_conflict_keys() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reviewkit_conflict_keys() TO reviewkit_arbiter, reviewkit_lead;

-- Progress without decisions: how many records each reviewer has decided per stage, and
-- (for an arbiter, the lead or a viewer, none of whom screen blind) the conflicts waiting.
CREATE FUNCTION reviewkit_progress()
    RETURNS TABLE (stage text, reviewer text, decided bigint, conflicts bigint,
                   waiting bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH me AS (SELECT role FROM members WHERE login = session_user),
    cur AS (SELECT * FROM reviewkit_current_decisions()),
    conflict AS (
        SELECT c.stage, c.record FROM cur c GROUP BY c.stage, c.record
        HAVING count(*) >= 2 AND count(DISTINCT c.decision) > 1),
    resolved AS (
        SELECT DISTINCT s.stage, s.record FROM screening_shadow s WHERE s.kind = 'resolution'),
    per_stage AS (
        SELECT k.stage, count(*) AS conflicts,
               count(*) FILTER (WHERE r.record IS NULL) AS waiting
        FROM conflict k LEFT JOIN resolved r USING (stage, record) GROUP BY k.stage)
    SELECT c.stage, c.reviewer, count(*),
           CASE WHEN (SELECT role FROM me) IN ('arbiter', 'lead', 'viewer')
                THEN coalesce(max(p.conflicts), 0) END,
           CASE WHEN (SELECT role FROM me) IN ('arbiter', 'lead', 'viewer')
                THEN coalesce(max(p.waiting), 0) END
    FROM cur c LEFT JOIN per_stage p USING (stage)
    WHERE EXISTS (SELECT 1 FROM me)
    GROUP BY c.stage, c.reviewer
    ORDER BY c.stage, c.reviewer
$$;
REVOKE ALL ON FUNCTION reviewkit_progress() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reviewkit_progress()
    TO reviewkit_reviewer, reviewkit_arbiter, reviewkit_lead, reviewkit_viewer;

-- A resolver may not resolve a conflict they are party to; every screening event is copied
-- to the shadow the policies read. One BEFORE trigger does both, row by row, so that a
-- decision earlier in the same statement (one push) is seen by the check of a resolution
-- after it (AFTER triggers would run only at the statement's end). A row then refused by a
-- policy fails the statement, and its shadow row goes with it.
-- BEFORE triggers run before the policies' checks, so the party check is made only for a
-- sender who may resolve as NEW.reviewer (an arbiter as themselves, the lead): anyone else
-- would learn from the message whether another reviewer decided.
CREATE FUNCTION reviewkit_events_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.kind = 'resolution' AND EXISTS (
            SELECT 1 FROM members m WHERE m.login = session_user
              AND (m.role = 'lead' OR (m.role = 'arbiter' AND m.reviewer = NEW.reviewer)))
       AND EXISTS (
            SELECT 1 FROM screening_shadow s
            WHERE s.kind = 'decision' AND s.stage = NEW.stage AND s.record = NEW.record
              AND s.reviewer = NEW.reviewer) THEN
        RAISE EXCEPTION 'reviewkit: % decided % at % and may not resolve it; ask an arbiter',
            NEW.reviewer, NEW.record, NEW.stage;
    END IF;
    IF NEW.log LIKE 'screening/%' AND NEW.kind IN ('decision', 'undo', 'resolution') THEN
        -- an id already on the server keeps its shadow row (the event itself is kept too)
        INSERT INTO screening_shadow
            VALUES (NEW.event_id, NEW.stage, NEW.record, NEW.reviewer, NEW.kind,
                    NEW.line::jsonb ->> 'decision', NEW.line::jsonb ->> 'target', NEW.seq)
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER events_check BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION reviewkit_events_check();

-- Row-level security; FORCE so that the owner is held to the policies too (it reads the
-- shadow through the functions above, never events).
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
ALTER TABLE unblinded ENABLE ROW LEVEL SECURITY;
ALTER TABLE unblinded FORCE ROW LEVEL SECURITY;

-- Reading: your own events; everything else that is not a blinded screening event; a stage
-- the lead unblinded; for an arbiter, the events of records in conflict; for the lead, all.
CREATE POLICY events_own ON events FOR SELECT USING (reviewer = reviewkit_me());
CREATE POLICY events_open ON events FOR SELECT USING (
    reviewkit_me() IS NOT NULL
    AND (log NOT LIKE 'screening/%' OR stage IN (SELECT u.stage FROM unblinded u)));
CREATE POLICY events_conflicts ON events FOR SELECT TO reviewkit_arbiter USING (
    reviewkit_my_role() = 'arbiter'
    AND (stage, record) IN (SELECT k.stage, k.record FROM reviewkit_conflict_keys() k));
CREATE POLICY events_lead ON events FOR SELECT TO reviewkit_lead
    USING (reviewkit_my_role() = 'lead');

-- Writing: as yourself, into your own log; resolutions by an arbiter; the lead may upload
-- anyone's log (moving a folder to the server). A viewer has no INSERT privilege at all.
CREATE POLICY events_write ON events FOR INSERT
    TO reviewkit_reviewer, reviewkit_arbiter, reviewkit_lead WITH CHECK (
    author = current_user
    AND (reviewkit_my_role() = 'lead'
         OR (reviewkit_my_role() IN ('reviewer', 'arbiter') AND reviewer = reviewkit_me()
             AND (log NOT LIKE 'screening/%'
                  OR log = 'screening/' || stage || '/' || reviewer || '.jsonl')
             AND (kind <> 'resolution' OR reviewkit_my_role() = 'arbiter'))));

CREATE POLICY documents_read ON documents FOR SELECT USING (
    reviewkit_my_role() = 'lead' OR reviewer = reviewkit_me()
    OR (reviewkit_me() IS NOT NULL AND reviewer = 'consensus'));
CREATE POLICY documents_write ON documents FOR INSERT
    TO reviewkit_reviewer, reviewkit_arbiter, reviewkit_lead WITH CHECK (
    author = current_user
    AND (reviewkit_my_role() = 'lead'
         OR (reviewkit_my_role() IN ('reviewer', 'arbiter') AND reviewer = reviewkit_me())
         OR (reviewkit_my_role() = 'arbiter' AND reviewer = 'consensus')));

CREATE POLICY unblinded_read ON unblinded FOR SELECT USING (reviewkit_me() IS NOT NULL);
CREATE POLICY unblinded_lift ON unblinded FOR INSERT TO reviewkit_lead
    WITH CHECK (reviewkit_my_role() = 'lead' AND lifted_by = current_user);

GRANT SELECT ON events, documents, members, unblinded, schema_migrations
    TO reviewkit_reviewer, reviewkit_arbiter, reviewkit_lead, reviewkit_viewer;
GRANT INSERT (event_id, log, kind, stage, record, reviewer, line) ON events
    TO reviewkit_reviewer, reviewkit_arbiter, reviewkit_lead;
GRANT INSERT (path, reviewer, content, sha256) ON documents
    TO reviewkit_reviewer, reviewkit_arbiter, reviewkit_lead;
GRANT INSERT (stage) ON unblinded TO reviewkit_lead;
