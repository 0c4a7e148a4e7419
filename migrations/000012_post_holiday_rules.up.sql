-- A post's holiday rules beyond whole base calendars (issue 14):
--   holiday_picks         named days taken from calendars the post does not
--                         take whole, chosen by holiday, not by date, so they
--                         follow the holiday every year:
--                         [{"calendar": "CO", "holiday": "Independencia"}, …]
--   holidays_beyond_data  what decisions do on a date whose holidays cannot
--                         be known (a calendar without data for its year):
--                         'flag' decides on what is known and says so;
--                         'closed' treats the date as not worked.
-- Both live on posts, so the change feed's 'post:<code>' already carries
-- them to every replica.
ALTER TABLE posts
    ADD COLUMN holiday_picks jsonb NOT NULL DEFAULT '[]'
        CONSTRAINT posts_holiday_picks_check CHECK (jsonb_typeof(holiday_picks) = 'array' AND jsonb_array_length(holiday_picks) <= 40),
    ADD COLUMN holidays_beyond_data text NOT NULL DEFAULT 'flag'
        CONSTRAINT posts_holidays_beyond_data_check CHECK (holidays_beyond_data IN ('flag', 'closed'));
