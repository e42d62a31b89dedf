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
