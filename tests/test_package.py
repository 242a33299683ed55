"""The package's top level: every exported name resolves, and loading data stays light."""

from __future__ import annotations

import doctest
import importlib
import json
import os
import shutil
import subprocess
import sys

import pytest

import sitrep_analysis


def test_every_exported_name_resolves():
    for name in sitrep_analysis.__all__:
        assert getattr(sitrep_analysis, name) is not None, name


def test_importing_the_package_or_the_scheduler_loads_no_heavy_library():
    """`sitrep schedule` with nothing to render answers in about 0.1 s because of this."""
    code = ("import sys, sitrep_analysis, sitrep_analysis.schedule; "
            "sitrep_analysis.schedule.load_config('reports.toml'); print(sorted(m for m in "
            "('pandas', 'pandera', 'plotly', 'scipy', 'papermill', 'nbconvert') "
            "if m in sys.modules))")
    from tests.helpers import REPO

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=REPO)
    assert result.stdout.strip() == "[]"


def test_three_lines_give_the_timeline_the_forest_plot_and_the_map():
    """The analyst's path from the README: load, then one call per figure."""
    import sitrep_analysis as sa

    data = sa.load_all()
    in_2020_2021 = data.political_events[data.political_events["event_date"].dt.year.isin(
        [2020, 2021])]
    figures = [sa.timeline_figure(data.incidents, data.political_events, data.troop_levels),
               sa.event_forest_figure(sa.event_windows(data.incidents, in_2020_2021)),
               sa.incident_map_figure(data.incidents)]
    assert [len(f.data) > 0 for f in figures] == [True, True, True]


def test_docstring_examples_are_collected_by_pytest():
    """`--doctest-modules` in pyproject.toml runs every module's examples; this pins that the
    setting stays, and that the modules it covers hold examples."""
    import tomllib

    from tests.helpers import REPO

    options = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_options = options["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in pytest_options["addopts"]
    assert "sitrep_analysis" in pytest_options["testpaths"]
    finder = doctest.DocTestFinder()
    for name in ("analysis", "figures.style", "narrative.text", "render.parameters",
                 "schedule.index", "brief.words", "brief.citations", "brief.schedule"):
        module = importlib.import_module(f"sitrep_analysis.{name}")
        assert any(test.examples for test in finder.find(module)), name


@pytest.mark.slow
def test_an_installed_copy_finds_its_data_and_the_briefs_notebook(tmp_path):
    """`pip install .` (not editable): the wheel carries the curated data and the notebooks,
    so an installed copy loads the data from anywhere, with no checkout beside it."""
    from tests.helpers import REPO

    # built from a copy: setuptools leaves build/ behind in the tree it builds, and a stale
    # build/ would put files deleted since into the wheel
    source = tmp_path / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "reports", "*.egg-info", "__pycache__", ".*_cache"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(wheels), str(source)], check=True,
                   capture_output=True, timeout=300)
    target = tmp_path / "installed"
    wheel = next(wheels.glob("sitrep_analysis-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True,
                   timeout=300)
    code = ("import json, sitrep_analysis as sa; "
            "from sitrep_analysis.brief.report import BRIEF_NOTEBOOK; "
            "from sitrep_analysis.data import default_data_dir; "
            "print(json.dumps([sa.__file__, str(default_data_dir()), len(sa.load_incidents()), "
            "BRIEF_NOTEBOOK.is_file(), str(BRIEF_NOTEBOOK)]))")
    environment = {key: value for key, value in os.environ.items()
                   if key != "SITREP_DATA_DIR"} | {"PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    package, data_dir, incidents, has_notebook, notebook = json.loads(result.stdout)
    assert package.startswith(str(target))
    assert data_dir.startswith(str(target)) and incidents == len(
        sitrep_analysis.load_incidents())
    assert has_notebook and notebook.startswith(str(target))
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "sitrep_analysis/figures/__init__.py" in names
    assert "sitrep_analysis/figures.py" not in names  # no module the tree no longer has


def test_every_library_the_package_imports_is_declared():
    """A library imported only because another brings it breaks when that one stops: each
    distribution the package's modules import (at any depth in a module, but not for the type
    checker alone) is a dependency in pyproject.toml."""
    import ast
    import importlib.metadata
    import re
    import tomllib

    from tests.helpers import REPO

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
                for requirement in project["dependencies"]}
    distributions = importlib.metadata.packages_distributions()
    imported: dict[str, str] = {}
    for path in sorted((REPO / "sitrep_analysis").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for_type_checker = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If)
                            and ast.unparse(node.test) == "TYPE_CHECKING"
                            for inner in ast.walk(node)}
        for node in ast.walk(tree):
            if id(node) in for_type_checker:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top in sys.stdlib_module_names or top == "sitrep_analysis":
                    continue
                for distribution in distributions.get(top, [top]):
                    imported[distribution.lower().replace("_", "-")] = path.name
    assert {name: where for name, where in imported.items() if name not in declared} == {}


def test_the_command_skips_jsonschemas_iri_grammars_and_nbformat_still_validates():
    """rfc3987-syntax compiles 38 grammars at import (about a second per `sitrep render`) for a
    check nbformat never makes: the command keeps it out, and notebooks are still checked."""
    # nbformat is imported after the command started, as in `sitrep render`
    code = ("import sys\n"
            "from sitrep_analysis.cli import app\n"
            "app(['validate', '--help'], standalone_mode=False)\n"
            "import nbformat\n"
            "notebook = nbformat.v4.new_notebook()\n"
            "nbformat.validate(notebook)\n"
            "notebook.cells = [{'cell_type': 'code', 'source': 1}]\n"
            "try:\n"
            "    nbformat.validate(notebook)\n"
            "except nbformat.ValidationError:\n"
            "    print('invalid notebook refused')\n"
            "print(sorted(name for name, module in sys.modules.items()\n"
            "             if name.startswith('rfc3987') and module is not None))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.splitlines()[-2:] == ["invalid notebook refused", "[]"]
