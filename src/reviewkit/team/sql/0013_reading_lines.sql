-- A screening line whose JSON escapes a NUL character (\u0000, e.g. in a pasted note) is
-- valid JSON the folder's readers take, but jsonb refuses it: the events trigger's parse
-- failed the whole statement, so one such line stopped every `team push` and every send of
-- the screener's outbox, for good ("unsupported Unicode escape sequence"). The trigger now
-- parses such a line with the escape swapped for U+2400; it reads only 'decision' and
-- 'target', which the swap cannot change. The stored line is the folder's, byte for byte.
-- (E'\\u0000' is the six characters whatever standard_conforming_strings says.)
--
-- And a decision word is read as the folder's readers read it, case-blind and trimmed:
-- "Include" in one log and "include" in another were a conflict here (so the arbiter saw
-- both decisions of a record in agreement). Lines the readers skip come as kind 'invalid'
-- (team/folder.py screening_kind) and are not counted at all.
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
        -- jsonb cannot hold NUL: the escape becomes U+2400 (the NUL symbol) for this parse
        -- only. The text swap keeps the JSON valid whether or not the backslash before it
        -- is itself escaped; the stored line is untouched.
        IF strpos(NEW.line, E'\\u0000') > 0 THEN
            parsed := replace(NEW.line, E'\\u0000', E'\\u2400')::jsonb;
        ELSE
            parsed := NEW.line::jsonb;
        END IF;
        INSERT INTO screening_shadow
            VALUES (NEW.event_id, NEW.stage, NEW.record, NEW.reviewer, NEW.kind,
                    lower(btrim(parsed ->> 'decision')), parsed ->> 'target', NEW.seq)
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

-- the decisions a server holds already, read the same way
UPDATE screening_shadow SET decision = lower(btrim(decision))
 WHERE decision IS DISTINCT FROM lower(btrim(decision));
