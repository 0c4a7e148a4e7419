-- Franja's first schema: a marker table so that readiness can tell a migrated
-- database from an empty one. The domain tables follow in their own files.
CREATE TABLE franja_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO franja_meta (key, value) VALUES ('created_at', now()::text);
