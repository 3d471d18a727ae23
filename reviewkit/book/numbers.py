"""Derived numbers at the precision of what they were derived from: 6.8 x 2.5 is 17, not 17.0,
and 9.69 x 2.5 is 24.2, not 24.225."""
from __future__ import annotations

import math


def significant_digits(text: str) -> int:
    """Significant digits of a number as printed: '6.8' 2, '0.36' 2, '120' 3, '2.70' 3."""
    digits = str(text).strip().lstrip("+-~<>=").replace(".", "").lstrip("0")
    return max(len(digits), 1)


def round_like(value: float, *printed: str) -> float:
    """``value`` rounded to the fewest significant digits among the printed inputs."""
    if value == 0 or not math.isfinite(value):
        return value
    digits = min(significant_digits(text) for text in printed)
    return float(round(value, digits - 1 - math.floor(math.log10(abs(value)))))
