"""Every package Tessera's code imports is installed by ``pip install -c requirements.lock .``, the install of
docs/deploy.md and the Containerfile: a main dependency of pyproject.toml or one of theirs, never only a ``dev``
extra. (The SMTP receiver once imported aiosmtpd, a test dependency: ``manage.py run_mail_receiver`` failed on a
production install.)"""

import ast
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def imported_modules() -> dict[str, str]:
    """Top-level names imported anywhere in tessera/ (at module level or inside a function), with one file each."""
    found: dict[str, str] = {}
    for path in (ROOT / "tessera").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.partition(".")[0], str(path.relative_to(ROOT)))
    return found


def installed_by_main_dependencies() -> set[str]:
    """The distributions pip installs for the main dependencies, their dependencies included (no extras)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pending = [Requirement(line) for line in project["dependencies"]]
    seen: set[str] = set()
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        extras = requirement.extras
        if name in seen and not extras:
            continue
        seen.add(name)
        try:
            lines = requires(requirement.name) or []
        except PackageNotFoundError:
            continue
        for line in lines:
            needed = Requirement(line)
            marker = needed.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras or {""}):
                pending.append(needed)
    return seen


def test_every_imported_package_is_a_main_dependency_or_one_of_theirs():
    distributions = packages_distributions()
    main = installed_by_main_dependencies()
    missing = {}
    for module, where in imported_modules().items():
        if module == "tessera" or module in sys.stdlib_module_names:
            continue
        owners = {canonicalize_name(owner) for owner in distributions.get(module, [])}
        if not owners & main:
            missing[module] = where
    assert missing == {}
