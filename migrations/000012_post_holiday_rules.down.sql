ALTER TABLE posts DROP COLUMN holiday_picks, DROP COLUMN holidays_beyond_data;
