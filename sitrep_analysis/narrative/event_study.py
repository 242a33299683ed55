"""Key findings, sentences, tables and method notes of the event-study report."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from sitrep_analysis.analysis import (
    TOO_FEW_BOUNDS,
    code_list,
)
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, code_label
from sitrep_analysis.narrative.text import (
    counted,
    listing,
    markdown_escape,
    number_text,
    p_value_text,
    plural,
    prose_date,
    value_counts,
)


def event_window_sentence(window: pd.Series) -> str:
    """One plain-language sentence (and its caveats) for one row of
    :func:`sitrep_analysis.analysis.event_windows`.

    >>> row = pd.Series({"title": "IRCC announces a conditional ceasefire",
    ...     "event_date": pd.Timestamp("2020-10-10"), "days_before": 30, "days_after": 30,
    ...     "event_day_counted": "after", "n_before": 11, "n_after": 3,
    ...     "rate_ratio": 0.2727, "ci_low": 0.0489, "ci_high": 1.032, "p_value": 0.0574,
    ...     "too_few": False, "overlaps_other_event": False, "overlapping_event_ids": pd.NA,
    ...     "beyond_coverage": False})
    >>> print(event_window_sentence(row))  # doctest: +NORMALIZE_WHITESPACE
    In the 30 days from "IRCC announces a conditional ceasefire" (2020-10-10, counted in the
    after-window) there were 3 attacks, against 11 in the 30 days before (rate ratio 0.27,
    95% CI 0.049 to 1.0, p = 0.057). The interval includes 1: consistent with no change.
    """
    row = window
    when = f"{row['event_date']:%Y-%m-%d}"
    side = {"after": "counted in the after-window", "before": "counted in the before-window",
            "excluded": "not counted"}[row["event_day_counted"]]
    title = f'"{row["title"]}" ({when}, {side})'
    n_before, n_after = int(row["n_before"]), int(row["n_after"])
    if n_before + n_after == 0:
        text = (f"No attacks are recorded in the {row['days_before']} days before or the "
                f"{row['days_after']} days from {title}: there is nothing to compare.")
    else:
        ratio = ("not defined (none before)" if math.isinf(row["rate_ratio"])
                 else number_text(row["rate_ratio"]))
        text = (f"In the {row['days_after']} days from {title} there "
                f"{'was' if n_after == 1 else 'were'} {plural(n_after, 'attack')}, against "
                f"{n_before:,} in the {row['days_before']} days before (rate ratio {ratio}, "
                f"95% CI {number_text(row['ci_low'])} to {number_text(row['ci_high'])}, "
                f"{p_value_text(row['p_value'])}).")
        if row["too_few"]:
            text += (" Too few attacks to say anything: the data cannot tell a halving of the "
                     "rate from a doubling.")
        elif row["ci_low"] > 1 or row["ci_high"] < 1:
            direction = "rise" if row["ci_low"] > 1 else "fall"
            text += (f" The interval excludes 1: a {direction} larger than chance alone would "
                     "readily produce in these counts.")
        else:
            text += " The interval includes 1: consistent with no change."
    if row["overlaps_other_event"]:
        text += (f" Other events fall inside these windows ({row['overlapping_event_ids']}), "
                 "so a change cannot be put down to this one alone.")
    if row["beyond_coverage"]:
        text += (f" The windows reach outside the data's coverage ({COVERAGE_START} to "
                 f"{COVERAGE_END}), where a zero means not collected.")
    verdict = row.get("coverage") if hasattr(row, "get") else None
    if verdict == "low_coverage":
        text += (f" The data hold only {row['coverage_ratio']:.0%} of the attacks officials "
                 "counted in this period, so the counts are not used for conclusions.")
    elif verdict == "partly_tallied":
        text += (" Part of these windows lies where no official tallied attacks, so their "
                 "coverage is unknown and the counts are not used for conclusions.")
    elif verdict == "unknown":
        text += (" No official tallied attacks in this period: coverage is unknown, so the "
                 "counts are not used for conclusions.")
    return text


def event_window_sentences(windows: pd.DataFrame) -> str:
    """Markdown: one bullet per event of an :func:`~sitrep_analysis.analysis.event_windows`
    table, and the caveat that applies to all of them. Event titles are escaped
    (:func:`markdown_escape`)."""
    bullets = [f"- {markdown_escape(event_window_sentence(row))}"
               for _, row in windows.iterrows()]
    bullets.append("- Counts are of the attacks the data hold; only windows in well-covered "
                   "periods (see Coverage) show the attacks rather than the reporting of them.")
    return "\n".join(bullets)


# --- Markdown safety ------------------------------------------------------------------------------

#: Characters that Markdown (CommonMark, GFM tables and strikethrough, and the ``$`` of the math
#: extension nbconvert and JupyterLab use) reads as markup anywhere in a line.


def _window_phrase(row: pd.Series) -> str:
    return (f'"{markdown_escape(row["title"])}" ({row["event_date"]:%Y-%m-%d}): '
            f"{int(row['n_after']):,} after against {int(row['n_before']):,} before, rate ratio "
            + ("not defined (none before)" if math.isinf(row["rate_ratio"])
               else number_text(row["rate_ratio"]))
            + f" (95% CI {number_text(row['ci_low'])} to {number_text(row['ci_high'])}, "
              f"{p_value_text(row['p_value'])})")


def _where(countries: str | Sequence[str] | None) -> str:
    """Where attacks were counted, in words: ``"in Iraq and Syria"``."""
    chosen = code_list(countries, "countries") if countries else []
    return f"in {listing(chosen)}" if chosen else "in every country the data cover"


def _support(row: pd.Series) -> str:
    """What one well-covered window with enough attacks lets the data say."""
    phrase = _window_phrase(row)
    if row["ci_low"] > 1:
        return f"a rise after {phrase}"
    if row["ci_high"] < 1:
        return f"a fall after {phrase}"
    ruled_out = [name for name, out in (("a halving", row["ci_low"] > TOO_FEW_BOUNDS[0]),
                                        ("a doubling", row["ci_high"] < TOO_FEW_BOUNDS[1]))
                 if out]
    return f"no clear change after {phrase}, ruling out {' and '.join(ruled_out)}"


def event_study_findings(windows: pd.DataFrame, *,
                         countries: str | Sequence[str] | None = "") -> str:
    """Key findings of an event study (an
    :func:`~sitrep_analysis.analysis.event_windows` table), as Markdown bullets: how many
    events, how many windows hold enough attacks to say anything, the strongest changes, and
    the flags. ``countries`` names where attacks were counted (``""``: everywhere).

    When the windows carry coverage (:func:`sitrep_analysis.coverage.window_coverage`),
    conclusions are drawn only from windows in well-covered periods: the findings say which
    changes the data can support, and set the others aside with the reason.
    """
    where = _where(countries)
    if windows.empty:
        return ("- No event matches the selection (categories, event ids and dates): there is "
                "nothing to study.")
    n = len(windows)
    days_before, days_after = int(windows["days_before"].iloc[0]), int(
        windows["days_after"].iloc[0])
    side = {"after": "the event day counted in the after-window",
            "before": "the event day counted in the before-window",
            "excluded": "the event day counted in neither window"}[
        str(windows["event_day_counted"].iloc[0])]
    categories = value_counts(windows["category"].astype("string"))
    first, last = windows["event_date"].min(), windows["event_date"].max()
    bullets = [f"**{plural(n, 'event')}** from {prose_date(first)} to {prose_date(last)} ("
               f"{counted(categories, lambda c: code_label('category', c))}), each compared over "
               f"the {days_before} days before and the {days_after} days from the event "
               f"({side}); attacks counted {where}."]
    covered = "coverage" in windows
    usable = windows[windows["well_covered"]] if covered else windows
    if covered:
        bullets.append(_coverage_bullet(windows))
    base = "well-covered window" if covered else "window"
    enough = usable[~usable["too_few"]]
    m = len(usable)
    if covered and m == 0:
        bullets.append("**No window lies in a well-covered period, so the data support no "
                       "conclusion about these events**: their counts are shown below with "
                       "their flags, not read as changes in the attacks.")
    elif enough.empty:
        bullets.append(f"**None of the {plural(m, base)} holds enough attacks to tell a "
                       "halving of the attack rate from a doubling**: the data cannot say "
                       "whether attacks rose or fell after any of these events.")
    elif len(enough) * 2 < m:
        bullets.append(f"**Only {len(enough):,} of the {plural(m, base)} hold enough attacks "
                       "to tell a halving of the attack rate from a doubling.** In the other "
                       f"{m - len(enough):,} the 95% interval spans both.")
    else:
        rest = m - len(enough)
        verb = "holds" if len(enough) == 1 else "hold"
        bullets.append(f"{len(enough):,} of the {plural(m, base)} {verb}"
                       " enough attacks to tell a halving of the attack rate from a doubling; "
                       f"{rest:,} {'does' if rest == 1 else 'do'} not.")
    empty = int(((windows["n_before"] + windows["n_after"]) == 0).sum())
    if empty:
        bullets.append(f"{plural(empty, 'window pair')} {'holds' if empty == 1 else 'hold'} "
                       "no recorded attack at all, before or after.")
    if covered and len(enough):
        ordered = enough.sort_values(["event_date", "event_id"], kind="stable")
        bullets.append("**What the data can support** (well-covered windows with enough "
                       "attacks): " + "; ".join(_support(row) for _, row in ordered.iterrows())
                       + ".")
    elif len(enough):
        strongest = enough.sort_values(["p_value", "event_date"], kind="stable").head(3)
        label = ("Strongest change (smallest p-value" if len(strongest) == 1
                 else "Strongest changes (smallest p-values")
        bullets.append(f"{label} among the windows with enough attacks): "
                       + "; ".join(_window_phrase(row) for _, row in strongest.iterrows())
                       + ".")
    excluding = usable[(usable["ci_low"] > 1) | (usable["ci_high"] < 1)]
    unit = base if covered else "event"
    if m and excluding.empty:
        bullets.append(f"For no {unit} does the 95% interval exclude 1 (no change): no window "
                       "shows a change larger than chance alone would readily produce.")
    elif m:
        rises = int((excluding["ci_low"] > 1).sum())
        falls = len(excluding) - rises
        bullets.append(f"The 95% interval excludes 1 (no change) for "
                       f"{plural(len(excluding), unit)}: {rises:,} "
                       f"{'rise' if rises == 1 else 'rises'} and {falls:,} "
                       f"{'fall' if falls == 1 else 'falls'}. With {plural(m, unit)} tested, "
                       f"about {0.05 * m:.1f} such intervals are expected by chance alone "
                       "(1 in 20).")
    overlaps = int(windows["overlaps_other_event"].sum())
    beyond = int(windows["beyond_coverage"].sum())
    flags = []
    if overlaps:
        flags.append(f"{plural(overlaps, 'event')} {'has' if overlaps == 1 else 'have'} other "
                     f"studied events inside {'its' if overlaps == 1 else 'their'} windows, so "
                     "a change there cannot be put down to one event alone")
    if beyond:
        flags.append(f"{plural(beyond, 'window pair')} {'reaches' if beyond == 1 else 'reach'}"
                     " outside the data's collection period, where a zero means not collected")
    if flags:
        bullets.append("; ".join(flags)[0].upper() + "; ".join(flags)[1:] + ".")
    if not covered:
        bullets.append("Without officials' tallies for these periods the data's coverage is "
                       "unknown; a rise or fall may reflect reporting as much as attacks.")
    return "\n".join(f"- {text}" for text in bullets)


def _coverage_bullet(windows: pd.DataFrame) -> str:
    """How many windows lie in well-covered, poorly covered and untallied periods."""
    from sitrep_analysis.coverage import WELL_COVERED

    verdicts = windows["coverage"].value_counts()
    well = int(verdicts.get("well_covered", 0))
    low = int(verdicts.get("low_coverage", 0))
    partly = int(verdicts.get("partly_tallied", 0))
    unknown = int(verdicts.get("unknown", 0))
    text = (f"**{well} of the {len(windows)} window pairs lie in well-covered periods**, where "
            f"officials tallied every day and the data hold at least {WELL_COVERED:.0%} of the "
            "attacks they counted; conclusions are drawn from those alone.")
    aside = []
    if low:
        aside.append(f"{low} in periods where the data hold less than {WELL_COVERED:.0%}")
    if partly:
        aside.append(f"{partly} reaching into days no official tallied")
    if unknown:
        aside.append(f"{unknown} in periods no official tallied (coverage unknown, not low)")
    if aside:
        text += f" Set aside: {listing(aside)}."
    return text


_COVERAGE_FLAGS = {"low_coverage": "period below {share} coverage ({ratio})",
                   "partly_tallied": "partly in untallied days",
                   "unknown": "coverage unknown (no official tally)"}


def _flags(row: pd.Series) -> str:
    from sitrep_analysis.coverage import WELL_COVERED

    flags = []
    verdict = row.get("coverage")
    if isinstance(verdict, str) and verdict in _COVERAGE_FLAGS:
        ratio = row.get("coverage_ratio")
        flags.append(_COVERAGE_FLAGS[verdict].format(
            share=f"{WELL_COVERED:.0%}", ratio="" if pd.isna(ratio) else f"{ratio:.0%}"))
    if row["too_few"]:
        flags.append("too few attacks to say")
    if row["overlaps_other_event"]:
        flags.append(f"other events inside: {row['overlapping_event_ids']}".replace(";", ", "))
    if row["beyond_coverage"]:
        flags.append("beyond coverage")
    return "; ".join(flags)


def event_window_table(windows: pd.DataFrame) -> pd.DataFrame:
    """An :func:`~sitrep_analysis.analysis.event_windows` table with readable columns, for
    :func:`styled_table`: event date and title, category, the two windows' dates, attacks
    before and after, rate ratio, 95% CI, p-value and flags, oldest first, indexed from 1."""
    rows = windows.sort_values(["event_date", "event_id"], kind="stable")

    def span(first: pd.Timestamp, last: pd.Timestamp) -> str:
        return f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"

    table = pd.DataFrame({
        "Event date": rows["event_date"].to_numpy(),
        "Event": rows["title"].astype("string").to_numpy(),
        "Category": [code_label("category", code) for code in rows["category"].astype(object)],
        "Before window": [span(a, b) for a, b in zip(rows["before_start"], rows["before_end"],
                                                     strict=True)],
        "After window": [span(a, b) for a, b in zip(rows["after_start"], rows["after_end"],
                                                    strict=True)],
        "Attacks before": rows["n_before"].to_numpy(),
        "Attacks after": rows["n_after"].to_numpy(),
        "Rate ratio": ["" if math.isnan(v) else number_text(v) for v in rows["rate_ratio"]],
        "95% CI": [f"{number_text(low)} to {number_text(high)}" for low, high in
                   zip(rows["ci_low"], rows["ci_high"], strict=True)],
        "p": [p_value_text(v).removeprefix("p = ").removeprefix("p ") for v in rows["p_value"]],
        "Flags": [_flags(row) for _, row in rows.iterrows()],
    })
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


def event_study_method_notes(windows: pd.DataFrame) -> str:
    """Markdown bullets: how the event study counts and tests, with this table's window
    lengths and the thresholds the flags use."""
    from sitrep_analysis.coverage import WELL_COVERED

    days_before = int(windows["days_before"].iloc[0]) if len(windows) else 0
    days_after = int(windows["days_after"].iloc[0]) if len(windows) else 0
    low, high = TOO_FEW_BOUNDS
    return "\n".join([
        f"- **Windows.** For each event, attacks are counted in the {days_before} days before "
        f"it and in the {days_after} days from it. The event day itself is counted in the "
        "after-window: an event reported on a day can already shape that day's attacks.",
        "- **Test.** The rate ratio is the attacks per day after divided by the attacks per "
        "day before. Given the total number of attacks in the two windows, the number after "
        "is binomial, so an exact (Clopper-Pearson) 95% interval and an exact two-sided "
        "binomial test (the conditional test of two Poisson rates) need no large-sample "
        "approximation and work with counts of zero.",
        f"- **Too few to say.** A window pair is flagged when its interval holds both {low:g} "
        f"and {high:g}: the counts cannot tell a halving of the attack rate from a doubling.",
        "- **Overlap.** An event is flagged when another studied event falls inside its "
        "windows: any change is then shared between events and cannot be put down to one.",
        f"- **Coverage.** Incidents are collected from {COVERAGE_START} to {COVERAGE_END}; a "
        "window reaching outside is flagged, because a zero there means not collected.",
        "- **Coverage.** Officials published running counts of attacks (the Pentagon from "
        "October 2023, the Washington Post for September 2020, AFP for the first half of "
        "2021). Between two totals, the officials' count is compared with the incidents the "
        "data hold on those days. A window is used for conclusions only when officials "
        f"tallied all its days and the data hold at least {WELL_COVERED:.0%} of their count; "
        "where no official counted, coverage is unknown, not low.",
        "- **What is counted.** Publicly reported attacks, sourced one by one; a change in a "
        "poorly covered period may reflect reporting as much as attacks. With many events "
        "tested, about one in twenty intervals excludes 1 by chance alone.",
    ])
