-- Holidays kept in the database, layered over the computed base calendars
-- (package calendars, see calendars/stored.go for how they combine):
--   calendar_uploads (+ _holidays)  a year's list uploaded for a base
--                                   calendar; it REPLACES the computed list
--                                   of that calendar and year
--   calendar_closures               a one-off closure declared on a base
--                                   calendar (a national día cívico on CO),
--                                   for every post using that calendar
--   post_closures                   a post's own closures (a local vacancia)
--   post_exclusions                 base holidays a post works through
-- Each row is keyed so that re-sending it is idempotent: one closure per
-- (calendar or post, date), one exclusion per (post, date).

-- An upload row exists even for an empty list: "no holidays this year"
-- (Ukraine under martial law) is an upload too, and after an upload that
-- year counts as covered even beyond the computed range.
CREATE TABLE calendar_uploads (
    calendar    text NOT NULL CHECK (calendar ~ '^[A-Z]{2}$'),
    year        integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (calendar, year)
);

-- Two holidays may share a date (30 Jun 2025 in CO), hence the name in the key.
CREATE TABLE calendar_upload_holidays (
    calendar text NOT NULL,
    year     integer NOT NULL,
    date     date NOT NULL,
    name     text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    PRIMARY KEY (calendar, year, date, name),
    FOREIGN KEY (calendar, year) REFERENCES calendar_uploads (calendar, year) ON DELETE CASCADE,
    CONSTRAINT calendar_upload_holidays_year_check CHECK (extract(year FROM date) = year)
);

CREATE TABLE calendar_closures (
    calendar   text NOT NULL CHECK (calendar ~ '^[A-Z]{2}$'),
    date       date NOT NULL CHECK (date >= '1900-01-01' AND date < '2201-01-01'),
    name       text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    -- The act that declared it, e.g. 'Decreto 0123 de 2025'.
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (calendar, date)
);

CREATE TABLE post_closures (
    post       text NOT NULL REFERENCES posts (code) ON DELETE CASCADE,
    date       date NOT NULL CHECK (date >= '1900-01-01' AND date < '2201-01-01'),
    name       text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post, date)
);

-- An exclusion removes every base-calendar holiday on its date (including a
-- calendar closure: the consulate that stayed open on the día cívico), never
-- the post's own closure.
CREATE TABLE post_exclusions (
    post       text NOT NULL REFERENCES posts (code) ON DELETE CASCADE,
    date       date NOT NULL CHECK (date >= '1900-01-01' AND date < '2201-01-01'),
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post, date)
);
