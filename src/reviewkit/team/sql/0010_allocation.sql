-- Allocation: each record of a stage to k reviewers, a calibration sample to everyone first,
-- "next record" leased in one transaction (FOR UPDATE SKIP LOCKED), leases that expire.
--
-- Every change to a record's assignments happens while its pool row is locked, so the
-- count kept on that row (taken) is exact and concurrent reviewers never exceed k.
-- Lock order is always pool row, then assignment rows (no deadlock between the functions).

CREATE TABLE allocation (
    stage          text PRIMARY KEY,
    k              integer NOT NULL CHECK (k >= 1),
    quota          integer CHECK (quota >= 1),     -- records per reviewer (NULL: no cap)
    lease_seconds  integer NOT NULL CHECK (lease_seconds >= 1)
);

CREATE TABLE pool (
    stage        text NOT NULL REFERENCES allocation,
    record       text NOT NULL,
    calibration  boolean NOT NULL DEFAULT false,   -- screened by everyone, before the rest
    rank         integer,                          -- the shared ranker's order; NULL last
    taken        integer NOT NULL DEFAULT 0,       -- assignments held (decided or leased)
    decided      integer NOT NULL DEFAULT 0,
    next_expiry  timestamptz,                      -- earliest expiry of an undecided lease
    open         boolean NOT NULL DEFAULT true,    -- false once k reviewers have decided
    PRIMARY KEY (stage, record)
);

-- the lease query walks this index in order and skips rows other reviewers hold locked
CREATE INDEX pool_open ON pool (stage, rank, record) WHERE open AND NOT calibration;
CREATE INDEX pool_calibration ON pool (stage, rank, record) WHERE calibration;

CREATE TABLE assignments (
    stage        text NOT NULL,
    reviewer     text NOT NULL,
    record       text NOT NULL,
    calibration  boolean NOT NULL DEFAULT false,
    leased_at    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    decided_at   timestamptz,
    PRIMARY KEY (stage, reviewer, record),
    FOREIGN KEY (stage, record) REFERENCES pool
);

CREATE INDEX assignments_record ON assignments (stage, record);
-- a reviewer's unfinished leases (the first thing every lease looks for): a small index
CREATE INDEX assignments_held ON assignments (stage, reviewer, leased_at, record)
    WHERE decided_at IS NULL;

-- The caller may act as p_reviewer: the database owner, a superuser, or the member whose
-- login this is (a reviewer cannot lease or decide in another's name).
CREATE FUNCTION reviewkit_may_act(p_reviewer text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF session_user = current_user
       OR (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM members m WHERE m.login = session_user
                   AND m.reviewer = p_reviewer AND m.role IN ('reviewer', 'arbiter', 'lead')) THEN
        RAISE EXCEPTION 'reviewkit: % may not screen as %', session_user, p_reviewer
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

-- Recount one locked pool row from its assignments, dropping leases that have expired.
CREATE FUNCTION reviewkit_recount(p_stage text, p_record text, p_k integer) RETURNS pool
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET jit = off AS $$
DECLARE
    counted pool;
BEGIN
    DELETE FROM assignments a WHERE a.stage = p_stage AND a.record = p_record
        AND a.decided_at IS NULL AND a.expires_at < now();
    UPDATE pool p SET taken = c.taken, decided = c.decided, next_expiry = c.next_expiry,
                      open = c.decided < p_k
      FROM (SELECT count(*)::integer AS taken,
                   (count(*) FILTER (WHERE a.decided_at IS NOT NULL))::integer AS decided,
                   min(a.expires_at) FILTER (WHERE a.decided_at IS NULL) AS next_expiry
              FROM assignments a WHERE a.stage = p_stage AND a.record = p_record) c
     WHERE p.stage = p_stage AND p.record = p_record
    RETURNING p.* INTO counted;
    RETURN counted;
END
$$;

-- The record p_reviewer screens next at p_stage, leased until expires_at; no row when there
-- is nothing left for them. A lease they still hold comes back first (a restarted screener
-- resumes it), then the calibration sample, then open records in rank order.
CREATE FUNCTION reviewkit_next_record(p_stage text, p_reviewer text)
RETURNS TABLE (record text, calibration boolean, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
-- every query here is a keyed lookup or an ordered index walk; right after a stage is
-- allocated the statistics say the tables are empty, and the planner would sort the whole
-- pool and scan the assignments per row (270 ms a lease at 3,000 records, measured)
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET jit = off AS $$
DECLARE
    alloc allocation;
    cand pool;
    fresh pool;
    mine integer;
    under text[];  -- set past the quota: reviewers still under it
    give_up timestamptz := clock_timestamp() + interval '5 seconds';
    until timestamptz;
BEGIN
    PERFORM reviewkit_may_act(p_reviewer);
    SELECT * INTO alloc FROM allocation a WHERE a.stage = p_stage;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'reviewkit: stage % has not been allocated', p_stage
            USING ERRCODE = 'no_data_found';
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
        RETURNING a.record, a.calibration, a.expires_at;
    IF FOUND THEN
        RETURN;
    END IF;

    -- 2. the calibration sample goes to everyone, whatever k says
    RETURN QUERY
        INSERT INTO assignments AS a (stage, reviewer, record, calibration, expires_at)
        SELECT p.stage, p_reviewer, p.record, true, until FROM pool p
         WHERE p.stage = p_stage AND p.calibration
           AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.stage = p.stage
                           AND x.reviewer = p_reviewer AND x.record = p.record OFFSET 0)
         ORDER BY p.rank NULLS LAST, p.record LIMIT 1
        ON CONFLICT DO NOTHING
        RETURNING a.record, a.calibration, a.expires_at;
    IF FOUND THEN
        RETURN;
    END IF;

    -- 3. balanced workloads: past the quota, only records that every reviewer still under
    -- it already holds (the end game: without this a record could wait for ever for its
    -- k-th reviewer while the only people who have not seen it are at their quota)
    IF alloc.quota IS NOT NULL THEN
        SELECT count(*) INTO mine FROM assignments x
         WHERE x.stage = p_stage AND x.reviewer = p_reviewer AND NOT x.calibration;
        IF mine >= alloc.quota THEN
            SELECT array_agg(w.reviewer) INTO under FROM (
                SELECT x.reviewer FROM assignments x
                 WHERE x.stage = p_stage AND NOT x.calibration AND x.reviewer <> p_reviewer
                 GROUP BY x.reviewer HAVING count(*) < alloc.quota) w;
            under := coalesce(under, '{}');
        END IF;
    END IF;

    -- 4. the first open record in rank order that nobody else holds locked right now
    -- ("OFFSET 0" keeps each NOT EXISTS a keyed lookup per row, never a join over all of
    -- this reviewer's assignments)
    LOOP
        SELECT * INTO cand FROM pool p
         WHERE p.stage = p_stage AND p.open AND NOT p.calibration
           AND (p.taken < alloc.k OR p.next_expiry < now())
           AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.stage = p.stage
                           AND x.reviewer = p_reviewer AND x.record = p.record OFFSET 0)
           AND (under IS NULL OR NOT EXISTS (
                SELECT 1 FROM unnest(under) AS u(reviewer)
                 WHERE NOT EXISTS (SELECT 1 FROM assignments y WHERE y.stage = p.stage
                                   AND y.reviewer = u.reviewer AND y.record = p.record)))
         ORDER BY p.rank NULLS LAST, p.record
         LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            -- none free: either none is left, or each is locked this instant by a lease
            -- being taken (a transaction of microseconds): then look again
            PERFORM 1 FROM pool p
             WHERE p.stage = p_stage AND p.open AND NOT p.calibration
               AND (p.taken < alloc.k OR p.next_expiry < now())
               AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.stage = p.stage
                               AND x.reviewer = p_reviewer AND x.record = p.record OFFSET 0)
               AND (under IS NULL OR NOT EXISTS (
                    SELECT 1 FROM unnest(under) AS u(reviewer)
                     WHERE NOT EXISTS (SELECT 1 FROM assignments y WHERE y.stage = p.stage
                                       AND y.reviewer = u.reviewer AND y.record = p.record)))
             LIMIT 1;
            IF NOT FOUND OR clock_timestamp() > give_up THEN
                RETURN;  -- nothing left for this reviewer
            END IF;
            PERFORM pg_sleep(0.001);
            CONTINUE;
        END IF;
        fresh := reviewkit_recount(p_stage, cand.record, alloc.k);
        IF fresh.taken < alloc.k THEN
            INSERT INTO assignments (stage, reviewer, record, calibration, expires_at)
            VALUES (p_stage, p_reviewer, cand.record, false, until);
            UPDATE pool p SET taken = fresh.taken + 1,
                              next_expiry = LEAST(fresh.next_expiry, until)
             WHERE p.stage = p_stage AND p.record = cand.record;
            RETURN QUERY SELECT cand.record, false, until;
            RETURN;
        END IF;
        -- full after all (its expired leases were decided meanwhile): the recount closed it
    END LOOP;
END
$$;

-- p_reviewer has decided p_record. Called by the trigger below for every decision stored,
-- however it came (the screener's outbox, `team push` of a folder screened offline), in the
-- transaction that stores it. A decision without a lease (made offline, or after the lease
-- ran out) is counted too: a decision is never refused, so such a record may pass k.
CREATE FUNCTION reviewkit_decided(p_stage text, p_reviewer text, p_record text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET jit = off AS $$
DECLARE
    alloc allocation;
BEGIN
    SELECT * INTO alloc FROM allocation a WHERE a.stage = p_stage;
    PERFORM 1 FROM pool p WHERE p.stage = p_stage AND p.record = p_record FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;  -- a stage or record not allocated: the event alone is the truth
    END IF;
    INSERT INTO assignments AS a (stage, reviewer, record, calibration, expires_at, decided_at)
    SELECT p_stage, p_reviewer, p_record, p.calibration, now(), now()
      FROM pool p WHERE p.stage = p_stage AND p.record = p_record
    ON CONFLICT (stage, reviewer, record)
        DO UPDATE SET decided_at = COALESCE(a.decided_at, now());
    PERFORM reviewkit_recount(p_stage, p_record, alloc.k);
END
$$;

-- p_reviewer undid their decision on p_record and no earlier one stands: they hold it
-- again as a lease (the screener shows it again).
CREATE FUNCTION reviewkit_undecided(p_stage text, p_reviewer text, p_record text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET jit = off AS $$
DECLARE
    alloc allocation;
BEGIN
    SELECT * INTO alloc FROM allocation a WHERE a.stage = p_stage;
    PERFORM 1 FROM pool p WHERE p.stage = p_stage AND p.record = p_record FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM screening_shadow s WHERE s.kind = 'decision'
               AND s.stage = p_stage AND s.record = p_record AND s.reviewer = p_reviewer
               AND NOT EXISTS (SELECT 1 FROM screening_shadow u
                               WHERE u.kind = 'undo' AND u.target = s.event_id)) THEN
        RETURN;  -- a changed decision was undone: the one before it stands
    END IF;
    UPDATE assignments a SET decided_at = NULL,
           expires_at = now() + make_interval(secs => alloc.lease_seconds)
     WHERE a.stage = p_stage AND a.reviewer = p_reviewer AND a.record = p_record;
    PERFORM reviewkit_recount(p_stage, p_record, alloc.k);
END
$$;

CREATE FUNCTION reviewkit_events_allocation() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- who may store which event is the events policies' business (0002), not this one's
    IF NEW.log LIKE 'screening/%' AND NEW.stage IS NOT NULL AND NEW.record IS NOT NULL THEN
        IF NEW.kind = 'decision' THEN
            PERFORM reviewkit_decided(NEW.stage, NEW.reviewer, NEW.record);
        ELSIF NEW.kind = 'undo' THEN
            PERFORM reviewkit_undecided(NEW.stage, NEW.reviewer, NEW.record);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- AFTER triggers fire in name order: this one after events_shadow, whose rows it reads
CREATE TRIGGER events_to_allocation AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION reviewkit_events_allocation();

-- The screener's one round trip per key: store the events waiting (as the caller, so the
-- events policies of 0002 decide; a retried id inserts nothing), then, with p_stage, lease
-- the next record. A refused lease (stage not allocated, rights) keeps the events stored
-- and comes back as a row with only "refused" set.
CREATE FUNCTION reviewkit_send(p_id text[], p_log text[], p_kind text[], p_stage text[],
                               p_record text[], p_reviewer text[], p_line text[],
                               lease_stage text, lease_reviewer text)
RETURNS TABLE (record text, calibration boolean, expires_at timestamptz, refused text)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO events (event_id, log, kind, stage, record, reviewer, line)
    SELECT e.i, e.l, e.k, e.s, e.r, e.v, e.t
      FROM unnest(p_id, p_log, p_kind, p_stage, p_record, p_reviewer, p_line)
           WITH ORDINALITY AS e(i, l, k, s, r, v, t, n)
     ORDER BY e.n
    ON CONFLICT (event_id) DO NOTHING;
    IF lease_stage IS NULL THEN
        RETURN;
    END IF;
    BEGIN
        RETURN QUERY SELECT n.record, n.calibration, n.expires_at, NULL::text
                       FROM reviewkit_next_record(lease_stage, lease_reviewer) n;
    EXCEPTION WHEN no_data_found OR insufficient_privilege THEN
        RETURN QUERY SELECT NULL::text, NULL::boolean, NULL::timestamptz,
                            regexp_replace(SQLERRM, '^reviewkit: ', '');
    END;
END
$$;

-- Group roles are cluster-wide: only this review's members read its allocation, and only
-- the lead and viewers see who holds what (the functions run as the owner, unaffected).
ALTER TABLE allocation ENABLE ROW LEVEL SECURITY;
ALTER TABLE pool ENABLE ROW LEVEL SECURITY;
ALTER TABLE assignments ENABLE ROW LEVEL SECURITY;
CREATE POLICY allocation_members ON allocation FOR SELECT USING (reviewkit_me() IS NOT NULL);
CREATE POLICY pool_members ON pool FOR SELECT USING (reviewkit_me() IS NOT NULL);
CREATE POLICY assignments_lead ON assignments FOR SELECT
    USING (reviewkit_my_role() IN ('lead', 'viewer'));
-- the lead allocates a stage and sets its ranking (team allocate)
CREATE POLICY allocation_lead ON allocation FOR ALL TO reviewkit_lead
    USING (reviewkit_my_role() = 'lead') WITH CHECK (reviewkit_my_role() = 'lead');
CREATE POLICY pool_lead ON pool FOR ALL TO reviewkit_lead
    USING (reviewkit_my_role() = 'lead') WITH CHECK (reviewkit_my_role() = 'lead');

REVOKE ALL ON allocation, pool, assignments FROM PUBLIC;
GRANT SELECT ON allocation, pool TO reviewkit_reviewer, reviewkit_arbiter, reviewkit_lead,
    reviewkit_viewer;
GRANT SELECT ON assignments TO reviewkit_lead, reviewkit_viewer;
GRANT INSERT, UPDATE ON allocation TO reviewkit_lead;
GRANT INSERT, UPDATE (rank) ON pool TO reviewkit_lead;
REVOKE EXECUTE ON FUNCTION reviewkit_may_act(text), reviewkit_recount(text, text, integer),
    reviewkit_next_record(text, text), reviewkit_decided(text, text, text),
    reviewkit_undecided(text, text, text), reviewkit_events_allocation() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION reviewkit_send(text[], text[], text[], text[], text[], text[],
    text[], text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reviewkit_next_record(text, text), reviewkit_send(text[], text[],
    text[], text[], text[], text[], text[], text, text)
    TO reviewkit_reviewer, reviewkit_arbiter, reviewkit_lead;
