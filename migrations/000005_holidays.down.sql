DROP TABLE post_exclusions;
DROP TABLE post_closures;
DROP TABLE calendar_closures;
DROP TABLE calendar_upload_holidays;
DROP TABLE calendar_uploads;
