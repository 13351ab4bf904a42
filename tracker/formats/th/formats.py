# Thai: "30 พ.ย. 2026", on every page, in the admin and in emails.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i (e)"
SHORT_DATETIME_FORMAT = "j M Y, H:i (e)"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
