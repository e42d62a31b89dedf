-- The events of a review: every log line of the folder, keyed by its "id".
-- Append-only: no role but the owner may update or delete, and a trigger refuses even the owner
-- (a correction is a new event, as in the folder).

CREATE TABLE events (
    event_id    text PRIMARY KEY,
    log         text NOT NULL,
    kind        text NOT NULL,
    stage       text,
    record      text,
    reviewer    text NOT NULL,
    author      name NOT NULL DEFAULT current_user,
    line        text NOT NULL,
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX events_seq ON events (seq);
CREATE INDEX events_log_seq ON events (log, seq);
CREATE INDEX events_stage_record ON events (stage, record);
CREATE INDEX events_reviewer ON events (reviewer);

-- Whole-file documents (casp/<study>/<reviewer>.yaml, extraction/<study>/<reviewer>.yaml):
-- each push of a changed file adds a version; the newest version (highest seq) is the file.
CREATE TABLE documents (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    path        text NOT NULL,
    reviewer    text NOT NULL,
    content     text NOT NULL,
    sha256      text NOT NULL,
    author      name NOT NULL DEFAULT current_user,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX documents_path_seq ON documents (path, seq);

CREATE FUNCTION reviewkit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reviewkit: % is append-only', TG_TABLE_NAME;
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION reviewkit_append_only();
CREATE TRIGGER documents_append_only BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION reviewkit_append_only();
