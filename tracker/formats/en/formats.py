# The project's one way of writing dates in English, on every page, the admin and emails:
# "30 Nov 2026", and times with their zone named: "30 Nov 2026, 11:54 (Asia/Phnom_Penh)".
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i (e)"
SHORT_DATETIME_FORMAT = "j M Y, H:i (e)"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
