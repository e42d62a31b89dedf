-- No check speaks before the policy. reviewkit_events_check (0011) ran its party check on a
-- decision for any row, before the insert policy refused a row its sender may not store: a
-- reviewer who wrote a decision under the arbiter's name learnt, from which of two messages
-- came back, whether the arbiter had resolved that record (so that it was a conflict, so
-- what the other reviewer decided). Now a row its sender may not store skips the checks,
-- the shadow and the allocation, and the policy refuses it with the one message it gives
-- every such row. The rule is reviewkit_may_store's, read for session_user (inside this
-- SECURITY DEFINER function current_user is the owner). The superuser, which bypasses the
-- policies, still gets the checks and the shadow (setting a server up by hand).
CREATE OR REPLACE FUNCTION reviewkit_events_check() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    parsed jsonb;
    me public.members;
BEGIN
    SELECT * INTO me FROM public.members m WHERE m.login = session_user;
    IF NOT FOUND THEN
        IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = session_user
                       AND (r.rolsuper OR r.rolbypassrls)) THEN
            RETURN NEW;  -- no member here (another review's login): the policy refuses it
        END IF;
    ELSIF NOT (me.role = 'lead'
               OR (me.role IN ('reviewer', 'arbiter') AND NEW.reviewer = me.reviewer
                   AND (NEW.log NOT LIKE 'screening/%'
                        OR NEW.log = 'screening/' || NEW.stage || '/' || NEW.reviewer
                           || '.jsonl')
                   AND (NEW.kind <> 'resolution' OR me.role = 'arbiter'))) THEN
        RETURN NEW;
    END IF;
    IF NEW.kind = 'resolution' THEN
        IF EXISTS (
                SELECT 1 FROM screening_shadow s
                WHERE s.kind = 'decision' AND s.stage = NEW.stage AND s.record = NEW.record
                  AND s.reviewer = NEW.reviewer) THEN
            RAISE EXCEPTION
                'reviewkit: % decided % at % and may not resolve it; ask an arbiter',
                NEW.reviewer, NEW.record, NEW.stage;
        END IF;
    ELSIF NEW.kind = 'decision' THEN
        IF EXISTS (
                SELECT 1 FROM screening_shadow s
                WHERE s.kind = 'resolution' AND s.stage = NEW.stage AND s.record = NEW.record
                  AND s.reviewer = NEW.reviewer) THEN
            RAISE EXCEPTION 'reviewkit: % resolved % at % and may not decide it as well',
                NEW.reviewer, NEW.record, NEW.stage;
        END IF;
    END IF;
    IF NEW.log LIKE 'screening/%' AND NEW.kind IN ('decision', 'undo', 'resolution') THEN
        parsed := NEW.line::jsonb;
        INSERT INTO screening_shadow
            VALUES (NEW.event_id, NEW.stage, NEW.record, NEW.reviewer, NEW.kind,
                    parsed ->> 'decision', parsed ->> 'target', NEW.seq)
            ON CONFLICT DO NOTHING;
        IF FOUND AND NEW.stage IS NOT NULL AND NEW.record IS NOT NULL THEN
            IF NEW.kind = 'decision' THEN
                IF NOT reviewkit_decided_leased(NEW.stage, NEW.reviewer, NEW.record) THEN
                    PERFORM reviewkit_decided(NEW.stage, NEW.reviewer, NEW.record);
                END IF;
            ELSIF NEW.kind = 'undo' THEN
                PERFORM reviewkit_undecided(NEW.stage, NEW.reviewer, NEW.record);
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

-- Decisions already on the server count when their records are allocated. A stage pushed
-- first and allocated after ("lead pushes the folder, then allocates") got a pool that knew
-- none of them: a reviewer was leased records they had decided, and a record with its k
-- decisions was given to a further reviewer. Called by allocate after it adds records;
-- reviewkit_decided skips what is counted already, so a second call counts nothing twice.
CREATE FUNCTION reviewkit_count_decided(p_stage text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    d record;
    n integer := 0;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM members m WHERE m.login = session_user AND m.role = 'lead')
       AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = session_user
                       AND (r.rolsuper OR r.rolbypassrls)) THEN
        RAISE EXCEPTION 'reviewkit: only the lead (or the database owner) allocates a stage'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOR d IN SELECT c.reviewer, c.record FROM reviewkit_current_decisions() c
             JOIN pool p ON p.stage = c.stage AND p.record = c.record
             WHERE c.stage = p_stage
             AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.stage = p_stage
                             AND a.record = c.record AND a.reviewer = c.reviewer
                             AND a.decided_at IS NOT NULL) LOOP
        PERFORM reviewkit_decided(p_stage, d.reviewer, d.record);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION reviewkit_count_decided(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reviewkit_count_decided(text) TO reviewkit_lead;
