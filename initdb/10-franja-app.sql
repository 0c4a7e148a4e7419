-- docker-compose.yml: the service's own role. The schema belongs to
-- POSTGRES_USER (franja), which runs the migrations; at every start-up
-- Franja grants franja_app what the service needs and no more (only SELECT
-- and INSERT on the audit records). Runs once, when the volume is new: on
-- an existing volume, run this statement by hand (psql -U franja franja).
CREATE ROLE franja_app LOGIN PASSWORD 'franja_app';
