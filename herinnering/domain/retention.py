"""How long tenant data is kept after the contract ended (AVG/GDPR storage limitation).

Pure: `parse_age("24m")` reads the `--older-than` argument, `cutoff(today, months)` gives the
last contract-end date that is old enough to purge. A month is a calendar month; the 31st
minus one month is the last day of the shorter month.
"""

from __future__ import annotations

import calendar
import re
from datetime import date


def parse_age(text: str) -> int:
    """'24m' → 24 months, '2y' → 24 months; a plain number means months."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([my]?)\s*", text.lower())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not an age like 24m (months) or 2y (years)")
    months = int(match.group(1)) * (12 if match.group(2) == "y" else 1)
    if months > 1200:
        raise ValueError(f"{text!r} is more than 100 years")
    return months


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cutoff(today: date, months: int) -> date:
    """Contracts that ended before this date are past retention."""
    return months_before(today, months)
