DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['people', 'leaves', 'posts', 'schedules', 'schedules_post'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_ins', split_part(t, '_', 1));
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_upd', split_part(t, '_', 1));
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_del', split_part(t, '_', 1));
    END LOOP;
END $$;
DROP FUNCTION franja_watch(regclass, text, text, text);
DROP FUNCTION franja_notify_rows();
DROP FUNCTION franja_notify_keys(text, text[]);
