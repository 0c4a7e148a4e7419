"""Parse an iCalendar file with python3-icalendar (Debian's, an independent
implementation) and print its calendar properties and events as JSON, so
that a Go test can compare them with what golang-ical reads.

Usage: /usr/bin/python3 icalendar_events.py FILE
"""
import datetime
import json
import sys

import icalendar


def value(v):
    """A DATE as YYYYMMDD, a UTC DATE-TIME as YYYYMMDDTHHMMSSZ."""
    d = v.dt
    if isinstance(d, datetime.datetime):
        if d.tzinfo is None or d.utcoffset() != datetime.timedelta(0):
            raise SystemExit("a date-time that is not in UTC: %r" % (d,))
        return d.strftime("%Y%m%dT%H%M%SZ")
    return d.strftime("%Y%m%d")


with open(sys.argv[1], "rb") as f:
    cal = icalendar.Calendar.from_ical(f.read())
out = {
    "calendar": {k: str(cal[k]) for k in ("PRODID", "VERSION", "METHOD", "X-WR-CALNAME", "X-PUBLISHED-TTL") if k in cal},
    "events": [],
}
for ev in cal.walk("VEVENT"):
    out["events"].append({
        "uid": str(ev["UID"]),
        "summary": str(ev["SUMMARY"]),
        "transp": str(ev.get("TRANSP", "")),
        "start": value(ev["DTSTART"]),
        "end": value(ev["DTEND"]),
        "dtstamp": value(ev["DTSTAMP"]),
    })
json.dump(out, sys.stdout, ensure_ascii=False)
