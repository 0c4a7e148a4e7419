DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['post_closures', 'post_exclusions', 'calendar_closures',
                             'calendar_uploads', 'calendar_upload_holidays'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_ins', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_upd', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_del', t);
    END LOOP;
END $$;
