-- The change feed (000006) for the holiday tables of 000005: a post's
-- closures and exclusions notify 'post:<code>'; a base calendar's uploads and
-- closures notify 'calendars' (every post using it may change, so replicas
-- reload the stored calendars and rebuild every post's holiday sets).
-- A separate file because franja_watch is defined in 000006, after 000005.
SELECT franja_watch('post_closures', 'post', 'post');
SELECT franja_watch('post_exclusions', 'post', 'post');
SELECT franja_watch('calendar_closures', 'calendars', '');
SELECT franja_watch('calendar_uploads', 'calendars', '');
SELECT franja_watch('calendar_upload_holidays', 'calendars', '');
