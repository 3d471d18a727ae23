"""Units as the sources print them, understood by pint.

A row keeps the unit it was transcribed in; figures and derived numbers use the quantity's
display unit, converted here. Two units can be converted only when pint finds the same
dimension, so a unit of another dimension is caught rather than drawn on the wrong axis.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pint

# Units of relative intensity have no SI dimension; each gets its own, so that "% VO2max" and
# "% of Wmax" cannot be converted into each other (or into a plain percentage).
_DEFINITIONS = """
fold = [] = fold_change
percent_VO2max = [fraction_of_VO2max]
percent_VO2peak = [fraction_of_peak_VO2]
percent_Wmax = [fraction_of_peak_power]
thigh = []
"""

# How the sources write units that pint does not read as written.
ALIASES = {
    "1": "dimensionless",
    "%": "percent",
    "% of control": "percent",
    "% VO2max": "percent_VO2max",
    "% VO2peak": "percent_VO2peak",
    "% peak VO2": "percent_VO2peak",
    "% of Wmax": "percent_Wmax",
    "yr": "year",
}

# The physical dimensions a quantity may declare, by name, each with a unit that measures it.
DIMENSIONS = {
    "mass concentration": "g/l",
    "mass flow": "g/min",
    "mass flow per mass": "g/min/kg",
    "volume flow": "l/min",
    "volume flow per mass": "ml/kg/min",
    "volume": "l",
    "mass": "kg",
    "length": "m",
    "time": "s",
    "power": "W",
    "dimensionless": "1",
    "fraction of VO2max": "% VO2max",
    "fraction of peak VO2": "% VO2peak",
    "fraction of peak power": "% of Wmax",
}

# Statistics that are not in the quantity's own dimension, and the unit each must carry.
STATISTIC_UNITS = {"fold change": "fold", "percent change": "%", "count": "count",
                   "r": "1", "F": "1", "P": "1"}


# What a printed unit may contain: ASCII letters and digits, '%', '/', '.', '*', '^', '(', ')',
# '-' and single spaces between words.
UNIT_TEXT = re.compile(r"[A-Za-z0-9%/.*^()\-]+( [A-Za-z0-9%/.*^()\-]+)*")


class UnitError(ValueError):
    """A unit text pint cannot read, or a dimension that does not fit."""


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    units = pint.UnitRegistry()
    for line in _DEFINITIONS.strip().splitlines():
        units.define(line)
    return units


@lru_cache(maxsize=None)
def parse(text: str) -> pint.Unit:
    """The pint unit of a unit as printed (e.g. 'pg/ml', 'ng/min/kg', '% VO2max')."""
    if not UNIT_TEXT.fullmatch(text):
        # pint forgives stray characters (it reads 'count;' as 'count'); the contract does not.
        raise UnitError(f"unknown unit {text!r}")
    expression = ALIASES.get(text, text)
    try:
        unit = registry().Unit(expression)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError):
        raise UnitError(f"unknown unit {text!r}") from None
    return unit


def dimension_of(text: str) -> str:
    """The dimension name of a unit, or its pint dimensionality when no name fits."""
    found = parse(text).dimensionality
    for name, reference in DIMENSIONS.items():
        if found == parse(reference).dimensionality:
            return name
    return str(found)


def check_dimension_name(name: str) -> None:
    if name not in DIMENSIONS:
        raise UnitError(f"unknown dimension {name!r} (known: {', '.join(DIMENSIONS)})")


def fits(unit_text: str, dimension: str) -> bool:
    """Whether a unit measures the named dimension."""
    return parse(unit_text).dimensionality == parse(DIMENSIONS[dimension]).dimensionality


@lru_cache(maxsize=None)
def factor(from_text: str, to_text: str) -> float:
    """The number that converts a value in ``from_text`` to ``to_text`` (same dimension)."""
    source, target = parse(from_text), parse(to_text)
    if source.dimensionality != target.dimensionality:
        raise UnitError(f"cannot convert {from_text!r} to {to_text!r}: "
                        f"{source.dimensionality} is not {target.dimensionality}")
    # Rounded to 12 significant digits so that 1 ng/l gives exactly 1 pg/ml.
    return float(f"{registry().Quantity(1, source).to(target).magnitude:.12g}")
