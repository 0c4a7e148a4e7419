DROP TABLE access_log;
DROP TABLE audit_exceptions;
DROP FUNCTION franja_append_only();
