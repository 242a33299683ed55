"""Write ``sitrep_analysis/templates/sitrep/static/report.css``: JupyterLab's stylesheet, pruned.

nbconvert's lab template inlines JupyterLab's whole application stylesheet (``index.css``,
about 240 KB: menus, file browser, dialogs, editors) into every report, where only the rules
for notebook cells and rendered outputs can match anything. This keeps a rule's selector only
when every class it requires is one that nbconvert's lab and base templates can emit (classes
inside ``:not(...)`` are not required; selectors using ``:is``/``:where``/``:has`` and
selectors with no class at all are kept as they are). A selector whose required class never
appears on the page cannot match, so what remains styles the report exactly as before.

Run after upgrading nbconvert: ``.venv/bin/python tools/build_report_css.py``. Uses tinycss2,
which nbconvert already installs (through bleach's CSS sanitiser).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbconvert
import tinycss2

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "sitrep_analysis" / "templates" / "sitrep" / "static" / "report.css"
_CLASS = re.compile(r"\.(-?[_a-zA-Z][-_a-zA-Z0-9]*)")
_NOT = re.compile(r":not\([^()]*\)")
_KEEP_WHOLE = (":is(", ":where(", ":has(")


def nbconvert_templates() -> Path:
    """The folder holding nbconvert's ``lab`` and ``base`` templates in this environment."""
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("nbconvert", "templates"):
        if (Path(folder) / "lab" / "static" / "index.css").is_file():
            return Path(folder)
    raise SystemExit("nbconvert's lab template not found")


def template_classes(templates: Path) -> set[str]:
    """Every ``jp-`` class named in the lab and base templates (what a report can carry)."""
    names: set[str] = set()
    for template in [*(templates / "lab").glob("*.j2"), *(templates / "base").glob("*.j2")]:
        names.update(re.findall(r"jp-[A-Za-z0-9_-]+", template.read_text(encoding="utf-8")))
    return names


def selector_kept(selector: str, allowed: set[str]) -> bool:
    if any(token in selector for token in _KEEP_WHOLE):
        return True
    required = _CLASS.findall(_NOT.sub("", selector))
    return all(name in allowed for name in required)


def split_selectors(prelude: list) -> list[str]:
    """A rule's selector list, split at top-level commas (a comma inside ``:not(...)`` sits in
    a function token, so it never splits)."""
    parts, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(tinycss2.serialize([token]))
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def prune(rules: list, allowed: set[str]) -> list[str]:
    kept: list[str] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in split_selectors(rule.prelude) if selector_kept(s, allowed)]
            if selectors:
                kept.append(",\n".join(selectors) + " {" + tinycss2.serialize(rule.content)
                            + "}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
            inner = prune(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                   skip_whitespace=True), allowed)
            if inner:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{\n"
                            + "\n".join(inner) + "\n}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "import":
            raise SystemExit("index.css imports another stylesheet: a network reference")
        elif rule.type == "at-rule":
            kept.append(tinycss2.serialize([rule]))
    return kept


def drop_unused_properties(kept: list[str], also_reading: str) -> list[str]:
    """Remove custom-property declarations (``--name: ...``) no kept rule reads.

    ``:root`` in index.css defines JupyterLab's icons as data-URI variables (most of the
    pruned file); only the variables some kept rule, or ``also_reading`` (the theme, the
    template's own styles), reads with ``var(--name)`` stay.
    """
    while True:
        read = set(re.findall(r"var\(\s*(--[-_a-zA-Z0-9]+)", "\n".join(kept) + also_reading))
        result, dropped = [], 0
        for text in kept:
            rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
            if len(rules) != 1 or rules[0].type != "qualified-rule":
                result.append(text)
                continue
            declarations = tinycss2.parse_blocks_contents(rules[0].content, skip_comments=True,
                                                          skip_whitespace=True)
            shown = []
            for declaration in declarations:
                if (declaration.type == "declaration" and declaration.name.startswith("--")
                        and declaration.name not in read):
                    dropped += 1
                    continue
                shown.append(tinycss2.serialize([declaration]) + ";")
            if shown:
                result.append(tinycss2.serialize(rules[0].prelude).strip() + " {\n  "
                              + "\n  ".join(shown) + "\n}")
        kept = result
        if not dropped:
            return kept


def main() -> None:
    templates = nbconvert_templates()
    source = templates / "lab" / "static" / "index.css"
    allowed = template_classes(templates)
    rules = tinycss2.parse_stylesheet(source.read_text(encoding="utf-8"), skip_comments=True,
                                      skip_whitespace=True)
    kept = prune(rules, allowed)
    others = "".join(path.read_text(encoding="utf-8") for path in [
        templates / "lab" / "static" / "theme-light.css", templates / "lab" / "index.html.j2",
        ROOT / "sitrep_analysis" / "templates" / "sitrep" / "index.html.j2"])
    kept = drop_unused_properties(kept, others)
    header = (f"/* JupyterLab's notebook styles as nbconvert {nbconvert.__version__} ships them "
              f"(lab/static/index.css, {source.stat().st_size:,} bytes), pruned to the rules a "
              "report can match by tools/build_report_css.py. JupyterLab: Copyright (c) "
              "Jupyter Development Team, BSD 3-Clause licence. */\n")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(header + "\n".join(kept) + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {TARGET.stat().st_size:,} bytes from "
          f"{source.stat().st_size:,} ({len(kept)} rules kept)")


if __name__ == "__main__":
    main()
