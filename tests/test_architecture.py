"""The floors of DESIGN.md hold: no import goes up a floor, none crosses interfaces, and no cycle.

``lint-imports`` (run by ``make test``) checks the contracts of pyproject.toml; these
tests run the same contracts inside pytest, and add what import-linter does not
check: that no two modules import each other, directly or through others.
"""

import grimp
import pytest
from importlinter.application import use_cases
from importlinter.configuration import configure

GRAPH = grimp.build_graph("tessera", include_external_packages=False, exclude_type_checking_imports=True)


def _import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    imports = {module: sorted(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in sorted(imports):
        if root in order:
            continue
        work = [(root, iter(imports[root]))]
        order[root] = low[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in order:
                    order[child] = low[child] = len(order)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(imports[child])))
                elif child in on_stack:
                    low[module] = min(low[module], order[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == order[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_no_module_imports_itself_through_others():
    assert _import_cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _import_cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_core_imports_nothing_of_the_apps_above_it():
    upward = {
        (importer, imported)
        for importer in GRAPH.find_descendants("tessera.core")
        for imported in GRAPH.find_modules_directly_imported_by(importer)
        if not imported.startswith("tessera.core")
    }
    assert upward == set()


def test_the_layers_contracts_of_pyproject_are_kept():
    configure()
    kept = use_cases.lint_imports(cache_dir=None, no_logo=True)
    assert kept, "lint-imports found a broken contract: run .venv/bin/lint-imports to see it"


@pytest.mark.parametrize("interface", ["tessera.portal", "tessera.desk"])
def test_no_domain_app_imports_an_interface(interface):
    domain = ("tessera.core", "tessera.branding", "tessera.notifications", "tessera.accounts", "tessera.organizations",
              "tessera.audit", "tessera.tickets")
    chains = {
        (importer, imported)
        for app in domain
        for importer in GRAPH.find_descendants(app) | {app}
        for imported in GRAPH.find_modules_directly_imported_by(importer)
        if imported == interface or imported.startswith(interface + ".")
    }
    assert chains == set()
