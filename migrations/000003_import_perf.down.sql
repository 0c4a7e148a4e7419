ALTER FUNCTION valid_time_zone(text) PARALLEL SAFE;
ALTER TABLE posts DROP CONSTRAINT posts_code_check,
    ADD CONSTRAINT posts_code_check CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$');
ALTER TABLE people DROP CONSTRAINT people_external_id_check,
    ADD CONSTRAINT people_external_id_check CHECK (external_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$');
ALTER TABLE leaves DROP CONSTRAINT leaves_external_ref_check,
    ADD CONSTRAINT leaves_external_ref_check CHECK (external_ref ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$');
