DROP TRIGGER api_keys_notify ON api_keys;
DROP FUNCTION franja_notify_key();
