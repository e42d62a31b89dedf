-- Decisions that do not wait for leases, and leases that walk only records with room
-- (measured with 20 reviewers deciding at once: 2.6 ms of a 4 ms send was spent waiting for
-- a pool row lock, and each lease walked past every record already taken by k).
--
-- Before, a lease and a decision both updated the record's pool row. The two reviewers of a
-- record lease it one right after the other, so the first one's decision waited for the
-- second one's lease to commit (its WAL flush included). Now the lease's counters live in
-- their own row, slots, which only leasing locks; the pool row keeps what decisions change
-- (decided, open). A decision on a record its reviewer holds leased leaves taken as it is:
-- it locks its own assignment and the pool row, never the slot; a lease locks slots only
-- (SKIP LOCKED) and never waits for a decision. A slot is full ("filled") once k hold it:
-- the lease's index leaves it out; a full slot whose lease may have run out is found by
-- next_expiry. (The k reviewers of a record still take turns on its pool row when they
-- decide it at the same instant: the count of decisions is one row.)
--
-- Lock order, whoever takes more than one: slot, then pool row, then assignment rows; a
-- decision on a held lease takes its assignment, then the pool row. Expired leases are
-- dropped only when nobody holds their row (SKIP LOCKED).
--
-- Also cheaper per key: each reviewer's share is a counter (shares) instead of a count of
-- their assignments on every lease; the events policies look their member up once (one
-- plpgsql call, its plan kept, instead of four SQL functions planned afresh on each insert);
-- the allocation follows a decision from the BEFORE trigger that makes its shadow row (no
-- AFTER trigger queue); reviewkit_send's lease checks its rights up front instead of running
-- in a subtransaction (an exception block); fewer statements per key (each one costs an
-- executor start and end, most of the server's time per key); and the per-key functions'
-- statements are planned once per session (plan_cache_mode = force_generic_plan: they are
-- keyed lookups whatever the values), not on each of a session's first five keys, which
-- made a screener's first keys the slowest (the bench's slowest 1%: half of them).

CREATE TABLE slots (
    stage        text NOT NULL,
    record       text NOT NULL,
    calibration  boolean NOT NULL DEFAULT false,   -- copied from pool
    rank         integer,                          -- copied from pool (a trigger keeps it)
    taken        integer NOT NULL DEFAULT 0,       -- assignments held (decided or leased)
    next_expiry  timestamptz,                      -- never after the earliest undecided lease's
    filled       boolean NOT NULL DEFAULT false,   -- taken >= k
    PRIMARY KEY (stage, record),
    FOREIGN KEY (stage, record) REFERENCES pool ON DELETE CASCADE
);
-- the lease walks the first index in order; the second finds full slots whose lease ran out
CREATE INDEX slots_free ON slots (stage, rank, record) WHERE NOT filled AND NOT calibration;
CREATE INDEX slots_expiry ON slots (stage, next_expiry) WHERE filled AND NOT calibration;

-- Each reviewer's assignments outside calibration at a stage (what their share is measured
-- against): kept by every function that adds or drops an assignment, so that a lease reads
-- one row instead of counting hundreds.
CREATE TABLE shares (
    stage      text NOT NULL,
    reviewer   text NOT NULL,
    held       integer NOT NULL DEFAULT 0,
    calibrated boolean NOT NULL DEFAULT false,  -- had every calibration record (a lease
                                                -- then skips looking; a new one resets it)
    PRIMARY KEY (stage, reviewer)
);

ALTER TABLE slots ENABLE ROW LEVEL SECURITY;   -- no policy: the functions' owner only
ALTER TABLE shares ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON slots, shares FROM PUBLIC;

INSERT INTO slots (stage, record, calibration, rank, taken, next_expiry, filled)
    SELECT p.stage, p.record, p.calibration, p.rank, p.taken, p.next_expiry, p.taken >= a.k
      FROM pool p JOIN allocation a USING (stage);
INSERT INTO shares (stage, reviewer, held)
    SELECT stage, reviewer, count(*) FROM assignments WHERE NOT calibration
     GROUP BY stage, reviewer;

-- "records still short of k" (open_records, asked while a reviewer waits for the others)
-- read from an index instead of the whole pool
CREATE INDEX pool_still_open ON pool (stage) WHERE open;

DROP FUNCTION reviewkit_recount(text, text, integer);
ALTER TABLE pool DROP COLUMN taken, DROP COLUMN next_expiry;

-- every pool row has its slot, however it was added (team allocate, or the lead by hand),
-- and the slot follows the pool's rank (team allocate --rank)
CREATE FUNCTION reviewkit_pool_slot() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO slots (stage, record, calibration, rank)
            VALUES (NEW.stage, NEW.record, NEW.calibration, NEW.rank) ON CONFLICT DO NOTHING;
        IF NEW.calibration THEN
            UPDATE shares h SET calibrated = false WHERE h.stage = NEW.stage AND h.calibrated;
        END IF;
    ELSE
        UPDATE slots s SET rank = NEW.rank WHERE s.stage = NEW.stage AND s.record = NEW.record;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER pool_slot AFTER INSERT ON pool
    FOR EACH ROW EXECUTE FUNCTION reviewkit_pool_slot();
CREATE TRIGGER pool_slot_rank AFTER UPDATE OF rank ON pool
    FOR EACH ROW WHEN (OLD.rank IS DISTINCT FROM NEW.rank)
    EXECUTE FUNCTION reviewkit_pool_slot();

-- Recount one locked slot from its assignments, dropping leases that have expired (a lease
-- whose row someone holds this instant is being decided: it stays, and counts).
CREATE FUNCTION reviewkit_recount_slot(p_stage text, p_record text, p_k integer)
RETURNS slots
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET jit = off
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    counted slots;
BEGIN
    WITH gone AS (
        DELETE FROM assignments a USING (
            SELECT b.reviewer FROM assignments b
             WHERE b.stage = p_stage AND b.record = p_record AND b.decided_at IS NULL
               AND b.expires_at < now()
             FOR UPDATE SKIP LOCKED) g
         WHERE a.stage = p_stage AND a.record = p_record AND a.reviewer = g.reviewer
        RETURNING a.reviewer, a.calibration)
    UPDATE shares h SET held = h.held - 1 FROM gone
     WHERE h.stage = p_stage AND h.reviewer = gone.reviewer AND NOT gone.calibration;
    UPDATE slots s SET taken = c.taken, next_expiry = c.next_expiry, filled = c.taken >= p_k
      FROM (SELECT count(*)::integer AS taken,
                   min(a.expires_at) FILTER (WHERE a.decided_at IS NULL) AS next_expiry
              FROM assignments a WHERE a.stage = p_stage AND a.record = p_record) c
     WHERE s.stage = p_stage AND s.record = p_record
    RETURNING s.* INTO counted;
    RETURN counted;
END
$$;

-- Recount one locked pool row's decisions (a statement after the lock: it sees every
-- decision committed before the lock was granted).
CREATE FUNCTION reviewkit_recount_pool(p_stage text, p_record text, p_k integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET jit = off
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    UPDATE pool p SET decided = c.decided, open = c.decided < p_k
      FROM (SELECT count(*)::integer AS decided FROM assignments a
             WHERE a.stage = p_stage AND a.record = p_record
               AND a.decided_at IS NOT NULL) c
     WHERE p.stage = p_stage AND p.record = p_record;
END
$$;

-- The caller may act as p_reviewer (as in 0010; the member lookup first, the common case).
CREATE OR REPLACE FUNCTION reviewkit_may_act(p_reviewer text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM members m WHERE m.login = session_user
                   AND m.reviewer = p_reviewer AND m.role IN ('reviewer', 'arbiter', 'lead'))
       AND session_user <> current_user
       AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
        RAISE EXCEPTION 'reviewkit: % may not screen as %', session_user, p_reviewer
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

-- The next lease for p_reviewer at p_stage, or a row with only "refused" set (the message
-- without its "reviewkit: " prefix) when they may not have one: reviewkit_send's lease, so
-- that the events sent with it stay stored. A lease held comes back first, then the
-- calibration sample, then a full slot whose lease ran out, then open records in rank order.
-- Written for few statements per call: each costs an executor start and end, which was
-- most of the server's time per key.
CREATE FUNCTION reviewkit_take(p_stage text, p_reviewer text)
RETURNS TABLE (record text, calibration boolean, expires_at timestamptz, refused text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
-- every query here is a keyed lookup or an ordered index walk (see 0010: right after a stage
-- is allocated the statistics say the tables are empty)
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET jit = off
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    alloc record;  -- the stage's allocation (NULLs: none), and "screens": the login is a
                   -- member who may screen as p_reviewer
    cand slots;
    share shares;
    under text[];   -- set past the quota: reviewers still under it
    seen text[] := '{}';  -- full slots recounted in this call: not again
    give_up timestamptz := clock_timestamp() + interval '5 seconds';
    until timestamptz;
BEGIN
    SELECT a.*, EXISTS (SELECT 1 FROM members m WHERE m.login = session_user
                        AND m.reviewer = p_reviewer
                        AND m.role IN ('reviewer', 'arbiter', 'lead')) AS screens
      INTO alloc FROM (SELECT 1) one LEFT JOIN allocation a ON a.stage = p_stage;
    IF NOT alloc.screens AND session_user <> current_user
       AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
        RETURN QUERY SELECT NULL::text, NULL::boolean, NULL::timestamptz,
                            format('%s may not screen as %s', session_user, p_reviewer);
        RETURN;
    END IF;
    IF alloc.stage IS NULL THEN
        RETURN QUERY SELECT NULL::text, NULL::boolean, NULL::timestamptz,
                            format('stage %s has not been allocated', p_stage);
        RETURN;
    END IF;
    until := now() + make_interval(secs => alloc.lease_seconds);

    -- 1. a lease already held (renewed; a concurrent reclaim of it wins or loses by row lock)
    RETURN QUERY
        UPDATE assignments a SET expires_at = until
         WHERE (a.stage, a.reviewer, a.record) IN (
               SELECT b.stage, b.reviewer, b.record FROM assignments b
                WHERE b.stage = p_stage AND b.reviewer = p_reviewer AND b.decided_at IS NULL
                ORDER BY b.leased_at, b.record LIMIT 1)
           AND a.decided_at IS NULL
        RETURNING a.record, a.calibration, a.expires_at, NULL::text;
    IF FOUND THEN
        RETURN;
    END IF;

    -- 2. the calibration sample goes to everyone, whatever k says
    SELECT * INTO share FROM shares h WHERE h.stage = p_stage AND h.reviewer = p_reviewer;
    IF NOT coalesce(share.calibrated, false) THEN
        RETURN QUERY
            INSERT INTO assignments AS a (stage, reviewer, record, calibration, expires_at)
            SELECT p.stage, p_reviewer, p.record, true, until FROM pool p
             WHERE p.stage = p_stage AND p.calibration
               AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.stage = p.stage
                               AND x.reviewer = p_reviewer AND x.record = p.record OFFSET 0)
             ORDER BY p.rank NULLS LAST, p.record LIMIT 1
            ON CONFLICT DO NOTHING
            RETURNING a.record, a.calibration, a.expires_at, NULL::text;
        IF FOUND THEN
            RETURN;
        END IF;
        INSERT INTO shares AS h (stage, reviewer, calibrated) VALUES (p_stage, p_reviewer, true)
            ON CONFLICT (stage, reviewer) DO UPDATE SET calibrated = true;
    END IF;

    -- 3. balanced workloads: past the quota, only records that every reviewer still under
    -- it already holds (the end game, see 0010)
    IF alloc.quota IS NOT NULL AND coalesce(share.held, 0) >= alloc.quota THEN
        SELECT coalesce(array_agg(h.reviewer), '{}') INTO under FROM shares h
         WHERE h.stage = p_stage AND h.reviewer <> p_reviewer
           AND h.held > 0 AND h.held < alloc.quota;
    END IF;

    LOOP
        -- 4. a full slot whose lease may have run out, nobody holding it locked right now
        SELECT s.* INTO cand FROM slots s
         WHERE s.stage = p_stage AND s.filled AND NOT s.calibration AND s.next_expiry < now()
           AND s.record <> ALL (seen)
           AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.stage = s.stage
                           AND x.reviewer = p_reviewer AND x.record = s.record OFFSET 0)
           AND (under IS NULL OR NOT EXISTS (
                SELECT 1 FROM unnest(under) AS u(reviewer)
                 WHERE NOT EXISTS (SELECT 1 FROM assignments y WHERE y.stage = s.stage
                                   AND y.reviewer = u.reviewer AND y.record = s.record)))
         ORDER BY s.next_expiry LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF FOUND THEN
            cand := reviewkit_recount_slot(p_stage, cand.record, alloc.k);
            seen := seen || cand.record;
        ELSE
            -- 5. the first record with room in rank order, nobody holding it locked right now
            SELECT s.* INTO cand FROM slots s
             WHERE s.stage = p_stage AND NOT s.filled AND NOT s.calibration
               AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.stage = s.stage
                               AND x.reviewer = p_reviewer AND x.record = s.record OFFSET 0)
               AND (under IS NULL OR NOT EXISTS (
                    SELECT 1 FROM unnest(under) AS u(reviewer)
                     WHERE NOT EXISTS (SELECT 1 FROM assignments y WHERE y.stage = s.stage
                                       AND y.reviewer = u.reviewer AND y.record = s.record)))
             ORDER BY s.rank NULLS LAST, s.record LIMIT 1 FOR UPDATE SKIP LOCKED;
            IF NOT FOUND THEN
                -- none free: either none is left, or each is locked this instant by a lease
                -- being taken: then look again
                PERFORM 1 FROM slots s
                 WHERE s.stage = p_stage AND NOT s.filled AND NOT s.calibration
                   AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.stage = s.stage
                                   AND x.reviewer = p_reviewer AND x.record = s.record OFFSET 0)
                   AND (under IS NULL OR NOT EXISTS (
                        SELECT 1 FROM unnest(under) AS u(reviewer)
                         WHERE NOT EXISTS (SELECT 1 FROM assignments y
                                           WHERE y.stage = s.stage AND y.reviewer = u.reviewer
                                             AND y.record = s.record)))
                 LIMIT 1;
                IF NOT FOUND OR clock_timestamp() > give_up THEN
                    RETURN;  -- nothing left for this reviewer
                END IF;
                PERFORM pg_sleep(0.001);
                CONTINUE;
            END IF;
            -- the locked slot is exact unless one of its leases may have run out
            IF cand.next_expiry < now() THEN
                cand := reviewkit_recount_slot(p_stage, cand.record, alloc.k);
            END IF;
        END IF;
        IF cand.taken < alloc.k THEN
            -- the lease, its slot and the reviewer's share: one statement
            RETURN QUERY
                WITH leased AS (
                    INSERT INTO assignments (stage, reviewer, record, calibration, expires_at)
                    VALUES (p_stage, p_reviewer, cand.record, false, until)
                    RETURNING 1),
                slot AS (
                    UPDATE slots s SET taken = cand.taken + 1, filled = cand.taken + 1 >= alloc.k,
                                       next_expiry = LEAST(cand.next_expiry, until)
                     WHERE s.stage = p_stage AND s.record = cand.record
                    RETURNING 1),
                counted AS (
                    INSERT INTO shares AS h (stage, reviewer, held)
                    VALUES (p_stage, p_reviewer, 1)
                    ON CONFLICT (stage, reviewer) DO UPDATE SET held = h.held + 1
                    RETURNING 1)
                SELECT cand.record, false, until, NULL::text FROM leased, slot, counted;
            RETURN;
        END IF;
        -- full after all (its expired leases were decided meanwhile): look further
    END LOOP;
END
$$;

-- The record p_reviewer screens next at p_stage, leased until expires_at; no row when there
-- is nothing left for them (as in 0010: a refusal is an error).
CREATE OR REPLACE FUNCTION reviewkit_next_record(p_stage text, p_reviewer text)
RETURNS TABLE (record text, calibration boolean, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM reviewkit_may_act(p_reviewer);
    IF NOT EXISTS (SELECT 1 FROM allocation a WHERE a.stage = p_stage) THEN
        RAISE EXCEPTION 'reviewkit: stage % has not been allocated', p_stage
            USING ERRCODE = 'no_data_found';
    END IF;
    RETURN QUERY SELECT t.record, t.calibration, t.expires_at
                   FROM reviewkit_take(p_stage, p_reviewer) t;
END
$$;

-- The common decision, on a record its reviewer holds leased: their assignment decided and
-- one more decision on the pool row, in one statement; false when they held no lease on it.
CREATE FUNCTION reviewkit_decided_leased(p_stage text, p_reviewer text, p_record text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    WITH held AS (
        UPDATE assignments a SET decided_at = now()
         WHERE a.stage = p_stage AND a.reviewer = p_reviewer AND a.record = p_record
           AND a.decided_at IS NULL
        RETURNING a.stage, a.record)
    UPDATE pool p SET decided = p.decided + 1,
           open = p.decided + 1 < (SELECT a.k FROM allocation a WHERE a.stage = p.stage)
      FROM held WHERE p.stage = held.stage AND p.record = held.record;
    RETURN FOUND;
END
$$;

-- p_reviewer has decided p_record (called by the events trigger for every decision stored,
-- however it came). On a record they hold leased: their assignment and the pool row only. A
-- decision without a lease (made offline, or after the lease ran out and was taken back) is
-- counted too, under the slot's lock: a decision is never refused, so such a record may
-- pass k.
CREATE OR REPLACE FUNCTION reviewkit_decided(p_stage text, p_reviewer text, p_record text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET jit = off
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    alloc allocation;
    in_share boolean;  -- the assignment added counts in the reviewer's share
BEGIN
    IF reviewkit_decided_leased(p_stage, p_reviewer, p_record) THEN
        RETURN;  -- a lease held: taken is unchanged, one more decision
    END IF;
    SELECT * INTO alloc FROM allocation a WHERE a.stage = p_stage;
    IF NOT FOUND THEN
        RETURN;  -- a stage not allocated: the event alone is the truth
    END IF;
    IF EXISTS (SELECT 1 FROM assignments a WHERE a.stage = p_stage
               AND a.reviewer = p_reviewer AND a.record = p_record) THEN
        RETURN;  -- decided before (a changed decision): nothing to count
    END IF;
    PERFORM 1 FROM slots s WHERE s.stage = p_stage AND s.record = p_record FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;  -- a record not allocated
    END IF;
    PERFORM 1 FROM pool p WHERE p.stage = p_stage AND p.record = p_record
        FOR NO KEY UPDATE;
    INSERT INTO assignments (stage, reviewer, record, calibration, expires_at, decided_at)
    SELECT p_stage, p_reviewer, p_record, p.calibration, now(), now()
      FROM pool p WHERE p.stage = p_stage AND p.record = p_record
    ON CONFLICT DO NOTHING
    RETURNING NOT assignments.calibration INTO in_share;
    IF in_share THEN
        INSERT INTO shares AS h (stage, reviewer, held) VALUES (p_stage, p_reviewer, 1)
            ON CONFLICT (stage, reviewer) DO UPDATE SET held = h.held + 1;
    END IF;
    PERFORM reviewkit_recount_slot(p_stage, p_record, alloc.k);
    PERFORM reviewkit_recount_pool(p_stage, p_record, alloc.k);
END
$$;

-- p_reviewer undid their decision on p_record and no earlier one stands: they hold it
-- again as a lease (the screener shows it again).
CREATE OR REPLACE FUNCTION reviewkit_undecided(p_stage text, p_reviewer text, p_record text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET jit = off
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    alloc allocation;
BEGIN
    SELECT * INTO alloc FROM allocation a WHERE a.stage = p_stage;
    PERFORM 1 FROM slots s WHERE s.stage = p_stage AND s.record = p_record FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM 1 FROM pool p WHERE p.stage = p_stage AND p.record = p_record
        FOR NO KEY UPDATE;
    IF EXISTS (SELECT 1 FROM screening_shadow s WHERE s.kind = 'decision'
               AND s.stage = p_stage AND s.record = p_record AND s.reviewer = p_reviewer
               AND NOT EXISTS (SELECT 1 FROM screening_shadow u
                               WHERE u.kind = 'undo' AND u.target = s.event_id)) THEN
        RETURN;  -- a changed decision was undone: the one before it stands
    END IF;
    UPDATE assignments a SET decided_at = NULL,
           expires_at = now() + make_interval(secs => alloc.lease_seconds)
     WHERE a.stage = p_stage AND a.reviewer = p_reviewer AND a.record = p_record;
    PERFORM reviewkit_recount_slot(p_stage, p_record, alloc.k);
    PERFORM reviewkit_recount_pool(p_stage, p_record, alloc.k);
END
$$;

-- The screener's one round trip per key (as in 0010): the events, then the next lease.
CREATE OR REPLACE FUNCTION reviewkit_send(p_id text[], p_log text[], p_kind text[],
                                          p_stage text[], p_record text[], p_reviewer text[],
                                          p_line text[], lease_stage text, lease_reviewer text)
RETURNS TABLE (record text, calibration boolean, expires_at timestamptz, refused text)
LANGUAGE plpgsql SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF cardinality(p_id) = 1 THEN  -- the usual key: one event, no unnest, no sort
        INSERT INTO events (event_id, log, kind, stage, record, reviewer, line)
        VALUES (p_id[1], p_log[1], p_kind[1], p_stage[1], p_record[1], p_reviewer[1],
                p_line[1])
        ON CONFLICT (event_id) DO NOTHING;
    ELSIF cardinality(p_id) > 1 THEN
        INSERT INTO events (event_id, log, kind, stage, record, reviewer, line)
        SELECT e.i, e.l, e.k, e.s, e.r, e.v, e.t
          FROM unnest(p_id, p_log, p_kind, p_stage, p_record, p_reviewer, p_line)
               WITH ORDINALITY AS e(i, l, k, s, r, v, t, n)
         ORDER BY e.n
        ON CONFLICT (event_id) DO NOTHING;
    END IF;
    IF lease_stage IS NOT NULL THEN
        RETURN QUERY SELECT * FROM reviewkit_take(lease_stage, lease_reviewer);
    END IF;
END
$$;

-- The shadow copy and the party check (as in 0002), the line parsed once; and the
-- allocation's count of a decision or undo (0010 did it from an AFTER trigger, which queued
-- every row to run at the statement's end). It runs when the shadow row is new: a retried
-- event id inserts nothing and counts nothing. A row a policy then refuses fails the
-- statement, and what this did goes with it. Nested IFs: a condition with a subquery costs
-- a query even when its first part is false.
CREATE OR REPLACE FUNCTION reviewkit_events_check() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    parsed jsonb;
BEGIN
    IF NEW.kind = 'resolution' THEN
        IF EXISTS (
                SELECT 1 FROM members m WHERE m.login = session_user
                  AND (m.role = 'lead' OR (m.role = 'arbiter' AND m.reviewer = NEW.reviewer)))
           AND EXISTS (
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
DROP TRIGGER events_to_allocation ON events;
DROP FUNCTION reviewkit_events_allocation();

-- The connecting login's member row, looked up in plpgsql (its plan kept for the session; a
-- SQL function here was planned again on every statement that used it). No SET clause (it
-- would cost a configuration save and restore per call): every name is schema-qualified.
CREATE OR REPLACE FUNCTION reviewkit_me() RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT m.reviewer FROM public.members m WHERE m.login = current_user);
END
$$;
CREATE OR REPLACE FUNCTION reviewkit_my_role() RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT m.role FROM public.members m WHERE m.login = current_user);
END
$$;

-- May the connecting login store this event? The rule of 0002's events_write, with one
-- member lookup instead of four.
CREATE FUNCTION reviewkit_may_store(p_reviewer text, p_log text, p_stage text, p_kind text)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
    me public.members;
BEGIN
    SELECT * INTO me FROM public.members m WHERE m.login = current_user;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    RETURN me.role = 'lead'
        OR (me.role IN ('reviewer', 'arbiter') AND p_reviewer = me.reviewer
            AND (p_log NOT LIKE 'screening/%'
                 OR p_log = 'screening/' || p_stage || '/' || p_reviewer || '.jsonl')
            AND (p_kind <> 'resolution' OR me.role = 'arbiter'));
END
$$;

DROP POLICY events_write ON events;
CREATE POLICY events_write ON events FOR INSERT
    TO reviewkit_reviewer, reviewkit_arbiter, reviewkit_lead WITH CHECK (
    author = current_user AND reviewkit_may_store(reviewer, log, stage, kind));

REVOKE EXECUTE ON FUNCTION reviewkit_pool_slot(), reviewkit_recount_slot(text, text, integer),
    reviewkit_recount_pool(text, text, integer), reviewkit_take(text, text),
    reviewkit_decided_leased(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reviewkit_take(text, text)
    TO reviewkit_reviewer, reviewkit_arbiter, reviewkit_lead;
