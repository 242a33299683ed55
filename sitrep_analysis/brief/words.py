"""Small wording helpers for briefs: dates, distances in days, counts in words, ordinals.

>>> long_date(pd.Timestamp("2021-05-24")), long_date(pd.Timestamp("2021-01-01"), "month")
('24 May 2021', 'January 2021')
>>> days_before_words(0), days_before_words(1), days_before_words(47)
('the same day', 'one day before', '47 days before')
>>> counted(1, "rocket"), counted(3, "attack"), counted(12, "mortar round")
('one rocket', 'three attacks', '12 mortar rounds')
>>> ordinal(3), ordinal(4), ordinal(11)
('third', 'fourth', '11th')
"""

from __future__ import annotations

import re

import pandas as pd

from sitrep_analysis.narrative.text import prose_date

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten")
_ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
             "eighth", "ninth", "tenth")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
#: Words ending in a full stop that do not end a sentence.
_ABBREVIATIONS = re.compile(r"(?:\b(?:Col|Gen|Lt|Maj|Capt|Sgt|Adm|Mr|Mrs|Dr|St|No|Sen|Rep|Gov)|"
                            r"\b[A-Z]\.[A-Z]?)\.$")


def long_date(day: pd.Timestamp, precision: object = "day") -> str:
    """A date for prose, as exactly as it is known (``date_precision``)."""
    if precision == "month":
        return f"{day:%B %Y}"
    text = prose_date(day)
    return f"about {text}" if precision == "approximate" else text


def days_before_words(days: int) -> str:
    """How long before the attack, in words."""
    if days == 0:
        return "the same day"
    return f"{number_word(days)} day{'' if days == 1 else 's'} before"


def number_word(count: int) -> str:
    """Counts up to ten in words, larger ones in figures."""
    return _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else f"{count:,}"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` of ``noun`` in words, plural as needed."""
    return f"{number_word(count)} {noun if count == 1 else plural or noun + 's'}"


def ordinal(number: int) -> str:
    """An ordinal in words up to the tenth, else in figures."""
    if 0 <= number < len(_ORDINALS):
        return _ORDINALS[number]
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10,
                                                                                 "th")
    return f"{number}{suffix}"


def cite_each_sentence(text: str, marker: str) -> str:
    """Put ``marker`` after every sentence of ``text`` (a data description may hold two).

    >>> cite_each_sentence("Col. Wayne Marotto said so. U.S. forces were there", "[1]")
    'Col. Wayne Marotto said so.[1] U.S. forces were there.[1]'
    """
    text = text.strip()
    if not text:
        return ""
    if text[-1] not in ".!?":
        text += "."
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if sentences and _ABBREVIATIONS.search(sentences[-1]):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return " ".join(sentence + marker for sentence in sentences)
