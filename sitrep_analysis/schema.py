"""Validation derived from the column dictionary.

Three passes, every problem collected before anything is raised:

1. **parse**: each CSV column (read as text) is converted to its kind; a value that does not
   parse (``2020-13-01`` as a date, ``2.5`` as a count) is a problem;
2. **pandera**: the typed frame is checked against a schema built from :mod:`columns`
   (required cells, allowed values, ranges, patterns, unique ids, row rules);
3. **cross-table**: foreign keys and the claims table's agreement with the records.

A problem names the file, the line, the column, the value and the rule it breaks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import cast

import pandas as pd
import pandera.pandas as pa

from sitrep_analysis.columns import (
    FIELDS,
    TABLES,
    TALLY_SCOPE_COUNTRIES,
    TALLY_SPLIT_COLUMNS,
    Field,
    Table,
)
from sitrep_analysis.parse import (
    INTEGER,
    Problem,
    in_coverage_period,
    other_digits_rule,
    split_list,
)


def _list_items_match(pattern: str) -> Callable[[pd.Series], pd.Series]:
    compiled = re.compile(pattern)

    def check(series: pd.Series) -> pd.Series:
        return series.map(
            lambda cell: all(compiled.fullmatch(item) for item in split_list(cell)),
            na_action="ignore",
        ).astype("boolean").fillna(True)

    return check


def _field_checks(field: Field) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if field.allowed is not None:
        allowed = list(field.allowed)
        checks.append(pa.Check.isin(allowed, error=f"must be one of: {', '.join(allowed)}"))
    if field.minimum is not None and field.maximum is not None:
        checks.append(pa.Check.in_range(field.minimum, field.maximum,
                                        error=f"must lie between {field.minimum:g} and "
                                              f"{field.maximum:g}"))
    elif field.minimum is not None:
        checks.append(pa.Check.ge(field.minimum, error=f"must be at least {field.minimum:g}"))
    if field.pattern is not None:
        if field.kind == "id_list":
            checks.append(pa.Check(_list_items_match(field.pattern),
                                   error=f"each `;`-separated item must match {field.pattern}"))
        else:
            checks.append(pa.Check.str_matches(f"^(?:{field.pattern})$",
                                               error=f"must match the pattern {field.pattern}"))
    return checks


RowRule = tuple[tuple[str, ...], Callable[[pd.DataFrame], pd.Series]]


def _row_rules(table: Table) -> dict[str, RowRule]:
    """Row rules by name: the columns they involve and an element-wise check (True = good)."""
    rules: dict[str, RowRule] = {
        "projectiles_low_not_above_high": (
            ("projectiles_low", "projectiles_high"),
            lambda f: (f["projectiles_low"] <= f["projectiles_high"]).fillna(True),
        ),
        "attribution_status_consistent": (
            ("attribution_status", "claimed_by", "attributed_to"),
            lambda f: f["attribution_status"].eq(expected_attribution_status(f)).fillna(False),
        ),
        "attributed_by_with_attribution": (
            ("attributed_by", "attributed_to"),
            lambda f: f["attributed_to"].isna() | f["attributed_by"].notna(),
        ),
        "in_coverage_period": (
            ("incident_date",),
            lambda f: in_coverage_period(f["incident_date"]) | f["incident_date"].isna(),
        ),
        "quote_complete": (
            ("quote_text", "quote_speaker", "quote_source_id", "source_ids"),
            lambda f: _quote_complete(f),
        ),
        "quote_one_sentence": (
            ("quote_text",),
            lambda f: f["quote_text"].isna() | (
                ~f["quote_text"].str.contains(_SENTENCE_BREAK, regex=True, na=False)
                & f["quote_text"].str.len().le(MAX_QUOTE_CHARS)),
        ),
        "responds_to_other_events": (
            ("responds_to_event_ids", "event_id"),
            lambda f: pd.Series([not isinstance(links, str) or own not in split_list(links)
                                 for links, own in zip(f["responds_to_event_ids"],
                                                       f["event_id"], strict=True)],
                                index=f.index),
        ),
        "stance_only_for_statements": (
            ("statement_stance", "category"),
            lambda f: f["statement_stance"].isna()
            | f["category"].isin(["militia_statement", "ceasefire"]).fillna(False),
        ),
        "start_not_after_end": (
            ("event_start_date", "event_date"),
            lambda f: (f["event_start_date"] <= f["event_date"]) | f["event_start_date"].isna()
            | f["event_date"].isna(),
        ),
        "dialogue_round_only_for_dialogue": (
            ("dialogue_round", "category"),
            lambda f: f["dialogue_round"].isna() | f["category"].eq("strategic_dialogue"),
        ),
        "date_end_not_before_date": (
            ("date_end", "date"),
            lambda f: (f["date_end"] >= f["date"]) | f["date_end"].isna() | f["date"].isna(),
        ),
        "period_within_as_of": (
            ("period_start", "as_of_date", "period_end"),
            lambda f: ((f["period_start"] <= f["as_of_date"]) | f["period_start"].isna()
                       | f["as_of_date"].isna())
            & ((f["period_end"] >= f["period_start"]) | f["period_end"].isna()
               | f["period_start"].isna()),
        ),
        "split_within_total": (
            (*TALLY_SPLIT_COLUMNS.values(), "attacks_count"),
            lambda f: ~f["count_qualifier"].eq("exact").fillna(False)
            | (sum(f[column].fillna(0) for column in TALLY_SPLIT_COLUMNS.values())
               <= f["attacks_count"]).fillna(True),
        ),
        "split_within_scope": (
            (*TALLY_SPLIT_COLUMNS.values(), "tally_scope"),
            lambda f: _split_within_scope(f),
        ),
        "membership_id_names_both": (
            ("membership_id", "member_actor_id", "umbrella_actor_id"),
            lambda f: f["membership_id"].eq(f["member_actor_id"] + "--"
                                            + f["umbrella_actor_id"]).fillna(True),
        ),
        "coordinates_complete": (
            ("latitude", "longitude", "coordinates_precision", "coordinates_basis"),
            lambda f: f[["latitude", "longitude", "coordinates_precision",
                         "coordinates_basis"]].notna().sum(axis=1).isin([0, 4]),
        ),
    }
    return {name: rules[name] for name in table.row_rules}


#: A quotation is one sentence at most: no full stop, question or exclamation mark followed by
#: a space and a capital letter inside it, and no longer than this.
MAX_QUOTE_CHARS = 300
_SENTENCE_BREAK = "[.!?][\"'\u201d\u2019]?\\s+[A-Z\u0600-\u06ff]"


def _quote_complete(frame: pd.DataFrame) -> pd.Series:
    parts = frame[["quote_text", "quote_speaker", "quote_source_id"]].notna()
    together = parts.all(axis=1) | ~parts.any(axis=1)
    cited = pd.Series([not isinstance(quoted, str) or quoted in split_list(sources)
                       for quoted, sources in zip(frame["quote_source_id"], frame["source_ids"],
                                                  strict=True)], index=frame.index)
    return together & cited


def _split_within_scope(frame: pd.DataFrame) -> pd.Series:
    good = pd.Series(True, index=frame.index)
    scope = frame["tally_scope"].astype("string")
    for country, column in TALLY_SPLIT_COLUMNS.items():
        inside = scope.map(lambda code, c=country: c in TALLY_SCOPE_COUNTRIES.get(code, (c,)),
                           na_action="ignore").astype("boolean").fillna(True)
        good &= inside | frame[column].isna()
    return good


def expected_attribution_status(frame: pd.DataFrame) -> pd.Series:
    """`claimed` if claimed_by is filled, else `attributed` if attributed_to is, else
    `unattributed`: the one rule linking the three attribution columns."""
    status = pd.Series("unattributed", index=frame.index, dtype="string")
    status = status.mask(frame["attributed_to"].notna(), "attributed")
    return status.mask(frame["claimed_by"].notna(), "claimed")


def build_schema(table: Table) -> pa.DataFrameSchema:
    """The pandera schema of one table, built from the column dictionary."""
    columns = {
        name: pa.Column(
            checks=_field_checks(FIELDS[name]),
            nullable=name not in table.required,
            unique=name == table.primary_key or name in table.unique,
            required=True,
            title=name,
            description=FIELDS[name].description,
        )
        for name in table.columns
    }
    checks = [
        pa.Check(rule, name=name, error=f"{table.row_rules[name]} (row rule {name})")
        for name, (_, rule) in _row_rules(table).items()
    ]
    return pa.DataFrameSchema(columns, checks=checks, name=table.name)


def run_schema(table: Table, typed: pd.DataFrame, lines: Callable[[int], int]) -> list[Problem]:
    """Check a typed frame with the table's pandera schema; map failures to problems."""
    try:
        build_schema(table).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _failure_problems(table, errors.failure_cases, lines)
    return []


def _failure_problems(table: Table, cases: pd.DataFrame,
                      lines: Callable[[int], int]) -> list[Problem]:
    rule_columns = {
        f"{table.row_rules[name]} (row rule {name})": columns
        for name, (columns, _) in _row_rules(table).items()
    }
    problems = []
    # a field named "index" would hide the tuple's own index method: read the columns
    for check, column, failure, index in zip(cases["check"], cases["column"],
                                             cases["failure_case"], cases["index"], strict=True):
        rule = str(check)
        if rule in rule_columns:
            if column not in rule_columns[rule]:
                continue  # pandera repeats a row rule's failure for every column
        elif rule == "not_nullable":
            rule = "must not be empty"
        elif rule == "field_uniqueness":
            rule = ("must be unique: the same id appears on another line"
                    if column == table.primary_key else
                    "must be unique: another line has the same value")
        row = None if pd.isna(index) else int(index)
        value = None if pd.isna(failure) else _show(failure)
        problems.append(Problem(table.filename, None if row is None else lines(row),
                                None if pd.isna(column) else str(column), value, rule))
    return problems


def _show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


# --- pass 3: across tables ----------------------------------------------------------------------

def _position(label: Hashable) -> int:
    """A loaded table's row label: the row's position in its file, as ``lines`` take it."""
    return cast(int, label)


def foreign_key_problems(frames: dict[str, pd.DataFrame],
                         lines: dict[str, Callable[[int], int]],
                         unread: dict[str, frozenset[str]] | None = None) -> list[Problem]:
    """Every foreign key of every table resolves in the table it names.

    ``unread``: table -> keys of its rows that could not be read (already reported on their
    own lines); a reference to one of them is not reported again.
    """
    problems = []
    for table in TABLES.values():
        frame = frames.get(table.name)
        if frame is None:
            continue
        for key in table.foreign_keys:
            target = frames.get(key.table)
            if target is None or key.column not in frame:
                continue
            known = set(target[TABLES[key.table].primary_key].dropna())
            known |= (unread or {}).get(key.table, frozenset())
            for label, cell in frame[key.column].items():
                for item in split_list(cell):
                    if item not in known:
                        problems.append(Problem(
                            table.filename, lines[table.name](_position(label)), key.column, item,
                            f"no row of {TABLES[key.table].filename} has "
                            f"{TABLES[key.table].primary_key} {item!r}"))
    return problems


RANGE_FIELDS = {"projectiles": ("projectiles_low", "projectiles_high")}


def claim_problems(frames: dict[str, pd.DataFrame],
                   lines: dict[str, Callable[[int], int]],
                   unread: dict[str, frozenset[str]] | None = None) -> list[Problem]:
    """Each claim names an existing record and field; records agree with their claims.

    A numeric record value must equal one of the values claimed for it, and a projectile range
    must span every claimed count: the curated value is always one a source gave.
    """
    claims = frames.get("claims")
    if claims is None:
        return []
    problems: list[Problem] = []
    line = lines["claims"]
    by_record: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    # each record table's ids -> row position, built once (not once per claim)
    positions = {name: {key: position for position, key in
                        zip(frames[name].index, frames[name][TABLES[name].primary_key],
                            strict=True) if pd.notna(key)}
                 for name in TABLES if name in frames}
    for label, claim in claims.iterrows():
        index = _position(label)
        table_name, record_id, field_name = (claim["record_table"], claim["record_id"],
                                             claim["field_name"])
        if pd.isna(table_name) or pd.isna(record_id) or pd.isna(field_name):
            continue
        table, records = TABLES[table_name], frames.get(table_name)
        if records is None:
            continue
        if record_id not in positions[table_name]:
            if record_id in (unread or {}).get(table_name, frozenset()):
                continue  # its row could not be read: reported there
            problems.append(Problem("claims.csv", line(index), "record_id", record_id,
                                    f"no row of {table.filename} has {table.primary_key} "
                                    f"{record_id!r}"))
            continue
        numeric = field_name in RANGE_FIELDS or (
            field_name in table.columns and FIELDS[field_name].kind == "integer")
        if field_name not in table.columns and not (
                table_name == "incidents" and field_name in RANGE_FIELDS):
            problems.append(Problem("claims.csv", line(index), "field_name", field_name,
                                    f"is not a column of {table.filename}"))
            continue
        if numeric:
            value = claim["claimed_value"]
            if pd.isna(value) or not INTEGER.fullmatch(str(value)):
                rule = f"must be a whole number for field {field_name}"
                other_digits = None if pd.isna(value) else other_digits_rule(str(value))
                problems.append(Problem("claims.csv", line(index), "claimed_value",
                                        None if pd.isna(value) else str(value),
                                        f"{rule}: {other_digits}" if other_digits else rule))
                continue
            by_record.setdefault((table_name, record_id, field_name), []).append(
                (index, int(value)))
    for (table_name, record_id, field_name), claimed in by_record.items():
        table, records = TABLES[table_name], frames[table_name]
        position = positions[table_name][record_id]
        record = records.loc[position]
        values = sorted({value for _, value in claimed})
        if field_name in RANGE_FIELDS:
            low_column, high_column = RANGE_FIELDS[field_name]
            low, high = record[low_column], record[high_column]
            outside = [v for v in values if (pd.notna(low) and v < low)
                       or (pd.notna(high) and v > high)]
            if outside:
                problems.append(Problem(
                    table.filename, lines[table_name](position), f"{low_column}/{high_column}",
                    f"{_show(low)}-{_show(high)}",
                    f"the range must span every claimed count in claims.csv {values}"))
        elif pd.notna(record[field_name]) and int(record[field_name]) not in values:
            problems.append(Problem(
                table.filename, lines[table_name](position), field_name,
                _show(record[field_name]),
                f"must equal one of the values claimed in claims.csv {values}"))
    return problems
