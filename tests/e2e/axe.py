"""axe-core, as the browser tests run it: the violations that block (serious or critical), one line each."""

from axe_playwright_python.sync_playwright import Axe

BLOCKING = frozenset({"serious", "critical"})


def blocking_violations(page) -> list[str]:
    """Run axe-core on the page as it is now; each serious or critical violation with its first targets."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
