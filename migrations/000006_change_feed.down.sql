DROP TRIGGER schedules_notify_post_ins ON schedules;
DROP TRIGGER schedules_notify_post_upd ON schedules;
DROP TRIGGER schedules_notify_post_del ON schedules;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['people', 'leaves', 'posts', 'schedules'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_ins', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_upd', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_del', t);
    END LOOP;
END $$;
DROP FUNCTION franja_watch(regclass, text, text);
DROP FUNCTION franja_notify_entity();
DROP FUNCTION franja_notify_posts();
DROP FUNCTION franja_notify_people();
DROP FUNCTION franja_notify_keys(text, text[]);
