-- Import performance (BENCHMARKS.md, Bulk import). Same rules, cheaper to
-- check; and one function fixed.
--
-- 1. A bounded repetition such as {0,127} makes PostgreSQL's regex engine
--    build one NFA state per repetition: checking external_ref cost ~2 µs a
--    row, about a fifth of a 200,000-row leave import (425 ms of 2.2 s).
--    "Then * and a length limit" accepts exactly the same strings at ~0.2 µs.
--    The constraints keep their names (the API maps them to fields).
ALTER TABLE leaves DROP CONSTRAINT leaves_external_ref_check,
    ADD CONSTRAINT leaves_external_ref_check
    CHECK (external_ref ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]*$' AND length(external_ref) <= 128);
ALTER TABLE people DROP CONSTRAINT people_external_id_check,
    ADD CONSTRAINT people_external_id_check
    CHECK (external_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$' AND length(external_id) <= 64);
ALTER TABLE posts DROP CONSTRAINT posts_code_check,
    ADD CONSTRAINT posts_code_check
    CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]*$' AND length(code) <= 32);

-- 2. valid_time_zone catches an error, which opens a subtransaction, which
--    PostgreSQL forbids in a parallel worker: declared PARALLEL SAFE, a
--    parallel scan that calls it (e.g. an import's check of the zones of a
--    large staging table) failed with "cannot start subtransactions during a
--    parallel operation".
ALTER FUNCTION valid_time_zone(text) PARALLEL UNSAFE;
