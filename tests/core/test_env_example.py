"""``.env.example`` lists every environment variable Tessera reads (README: "lists them all with their defaults")."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: ``NAME=value`` or, for a value left at its default, ``# NAME=``.
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
#: os.environ.setdefault only supplies a default for others (DJANGO_SETTINGS_MODULE in wsgi.py).
READERS = {"get", "getenv", "str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "path",
           "db_url", "db", "cache_url", "cache", "email_url", "email", "search_url", "decimal", "parse_value"}


def names_read(tree: ast.AST) -> set[str]:
    """Names passed as the first argument of env.<reader>(...), env(...), os.environ.get, os.getenv, or
    used as os.environ[...]."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func
            reads = (
                isinstance(function, ast.Name) and function.id == "env"
                or isinstance(function, ast.Attribute) and function.attr in READERS
                and ast.unparse(function.value) in {"env", "os.environ", "os", "environ"}
            )
            if reads and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
        ):
            names.add(node.slice.value)
    return names


def environment_read_by_tessera() -> dict[str, set[str]]:
    read: dict[str, set[str]] = {}
    for path in [ROOT / "manage.py", *sorted((ROOT / "tessera").rglob("*.py"))]:
        for name in names_read(ast.parse(path.read_text(), filename=str(path))):
            read.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return read


def test_the_scan_finds_the_settings_it_must_find():
    read = environment_read_by_tessera()
    # One of each way settings.py reads: env.str, env.bool, env.int, env.list, env.path, env.db_url, env.email_url.
    for name in ("TESSERA_SITE_URL", "TESSERA_DEBUG", "TESSERA_DESK_QUEUE_PAGE_SIZE", "TESSERA_ALLOWED_HOSTS",
                 "TESSERA_MEDIA_ROOT", "DATABASE_URL", "TESSERA_EMAIL_URL", "TESSERA_LOGIN_COOLOFF_MINUTES"):
        assert name in read, name
    assert "DJANGO_SETTINGS_MODULE" not in read


def test_env_example_lists_every_environment_variable_tessera_reads():
    listed = set(LISTED.findall((ROOT / ".env.example").read_text()))
    missing = {name: sorted(paths) for name, paths in environment_read_by_tessera().items() if name not in listed}
    assert not missing, f"add these to .env.example, with their default and a comment: {missing}"


def test_env_example_lists_nothing_tessera_does_not_read():
    listed = set(LISTED.findall((ROOT / ".env.example").read_text()))
    assert listed - set(environment_read_by_tessera()) == set()
