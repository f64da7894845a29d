"""Figures and citations written the way readers read them."""

from __future__ import annotations

from bot.engine.records import Estimate, Source, SourceRef

MONTHS = "January February March April May June July August September October November December".split()


def readable_date(date: str, short: bool = False) -> str:
    """ "1959-07-14" -> "14 July 1959" (short: "14 Jul 1959"); "1959-07" -> "July 1959"; "1959" -> "1959"."""
    parts = date.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    month = month[:3] if short else month
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def number(value: float, unit: str = "") -> str:
    """1958 -> "1958" for years; 26000 -> "26,000"; 45.0 -> "45"; 10.7 -> "10.7"."""
    if unit == "year":
        return str(int(value))
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def figure(estimate: Estimate, unit: str) -> str:
    """ "45 million", "at least 45 million", "43-46 million", "10.7 million tonnes", "1961"."""
    if estimate.value is not None:
        amount = number(estimate.value, unit)
        if estimate.lower_bound:
            amount = f"at least {amount}"
    else:
        amount = f"{number(estimate.low, unit)}–{number(estimate.high, unit)}"  # type: ignore[arg-type]
    return amount if unit == "year" else f"{amount} {unit}"


def pages(ref: SourceRef) -> str:
    if not ref.pages:
        return ""
    plural = any(ch in ref.pages for ch in "-–,")
    return f", {'pp.' if plural else 'p.'} {ref.pages}"


def citation(source: Source, ref: SourceRef | None = None, journal: bool = True) -> str:
    """Author, *Title*, Journal (year), pp. x-y — book titles italic, article titles in quotes."""
    title = f"“{source.title}”" if source.kind == "article" else f"*{source.title}*"
    where = f", {source.journal}" if journal and source.journal else ""
    return f"{source.author}, {title}{where} ({source.year}){pages(ref) if ref else ''}"
