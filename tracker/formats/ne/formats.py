# Nepali: "30 नोभेम्बर 2026", on every page, in the admin and in emails.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i (e)"
SHORT_DATETIME_FORMAT = "j F Y, H:i (e)"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
