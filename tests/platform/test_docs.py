"""Every dotted name of the project that the documentation cites resolves to a real module or attribute.

Cited means: in a docstring or a comment of the project's Python modules, or anywhere in README.md
and docs/*.md. A name is a run of dotted identifiers starting with one of the project's packages
(``matching.scoring``, ``events.schedule_service.event_schedule``); an app label followed by a model
name (``matching.Match``) counts as the model.
"""

import ast
import io
import re
import tokenize
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "accounts", "matching", "events", "seeds", "bench", "tests")
DOTTED = re.compile(rf"(?<![\w./@-])(?:{'|'.join(PACKAGES)})(?:\.[A-Za-z_]\w*)+")


def python_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def docstrings_and_comments(source: str):
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            if docstring:
                yield docstring
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.string


def cited_names(text: str) -> set[str]:
    return set(DOTTED.findall(text))


def citations() -> dict[str, set[str]]:
    """Each cited name and the files that cite it."""
    cited: dict[str, set[str]] = {}
    sources = [(path, "\n".join(docstrings_and_comments(path.read_text()))) for path in python_files()]
    sources += [(path, path.read_text()) for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]]
    for path, text in sources:
        for name in cited_names(text):
            cited.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return cited


def resolves(name: str) -> bool:
    """Statically, from the source files: importing every cited module would run its side effects."""
    parts = name.split(".")
    for length in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:length])
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                return defines(ast.parse(path.read_text()).body, parts[length:])
    return False


def defines(body: list[ast.stmt], attributes: list[str]) -> bool:
    """Whether ``body`` binds ``attributes[0]`` (a class for what follows it)."""
    if not attributes:
        return True
    first, rest = attributes[0], attributes[1:]
    for node in body:
        if isinstance(node, ast.ClassDef) and node.name == first:
            return defines(node.body, rest)
        if not rest and first in bound_names(node):
            return True
    return False


def bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return {node.name}
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name)}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return set()


def has_attributes(target, attributes) -> bool:
    for attribute in attributes:
        if not hasattr(target, attribute):
            return False
        target = getattr(target, attribute)
    return True


def is_model(name: str) -> bool:
    label, _, rest = name.partition(".")
    model_name, _, attributes = rest.partition(".")
    try:
        model = apps.get_model(label, model_name)
    except LookupError:
        return False
    return has_attributes(model, attributes.split(".") if attributes else [])


def test_the_finder_sees_names_in_text_code_and_docstrings_but_not_paths_or_addresses():
    text = (
        "``matching.scoring`` and `events.scheduling.schedule`, then matching.Match. Not "
        "matching/scoring.py, bd@events.local, /events.ics or my.matching.thing."
    )
    assert cited_names(text) == {"matching.scoring", "events.scheduling.schedule", "matching.Match"}
    source = '"""Uses ``accounts.audit``."""\n# see seeds.loader\nx = "matching.tasks"\n'
    assert cited_names("\n".join(docstrings_and_comments(source))) == {"accounts.audit", "seeds.loader"}


def test_the_resolver_tells_real_names_from_stale_ones():
    assert resolves("matching.scoring") and resolves("matching.proposals.solve") and resolves("tests.services")
    assert not resolves("matching.requests") and not resolves("matching.scoring.no_such_function")
    assert is_model("matching.Match") and is_model("accounts.AuditEvent")
    assert not is_model("matching.Meeting") and not is_model("matching.scoring")


def test_every_cited_module_name_exists():
    unresolved = {name: sorted(files) for name, files in citations().items() if not (resolves(name) or is_model(name))}
    assert unresolved == {}
