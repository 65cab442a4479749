"""Vendor the Lucide icons Tessera uses as one SVG sprite.

The sprite is committed: nothing is downloaded at run time. To add an icon, add
its Lucide name to ICONS and run, from the project's root:

    npm pack lucide-static && tar xzf lucide-static-*.tgz
    python tools/build_icons.py package/sprite.svg

The result replaces tessera/static/tessera/icons/sprite.svg.
"""

import re
import sys
from pathlib import Path

ICONS = [
    "alert-circle", "alert-triangle", "archive", "arrow-down", "arrow-left", "arrow-right",
    "arrow-up", "arrow-up-down", "at-sign", "bell", "building-2", "calendar", "check",
    "check-circle", "chevron-down", "chevron-left", "chevron-right", "chevron-up",
    "circle-help", "clipboard-list", "clock", "copy", "download", "external-link", "eye",
    "file", "file-text", "filter", "git-merge", "globe", "headset", "history", "home",
    "inbox", "info", "key-round", "languages", "layout-dashboard", "link", "list",
    "lock", "log-in", "log-out", "mail", "menu", "message-square", "paperclip", "pencil",
    "phone", "plus", "refresh-cw", "rotate-ccw", "save", "search", "send", "settings",
    "shield", "shield-check", "sliders-horizontal", "star", "tag", "ticket", "trash-2",
    "user", "user-check", "user-cog", "user-plus", "user-x", "users", "x", "x-circle",
]

ALIASES = {"alert-circle": "circle-alert", "alert-triangle": "triangle-alert",
           "check-circle": "circle-check-big", "x-circle": "circle-x", "home": "house"}


def build(source: str) -> str:
    symbols: dict[str, str] = {}
    for block, name in re.findall(r'(<symbol id="([^"]+)".*?</symbol>)', source, re.S):
        symbols[name] = block
    out = []
    for name in ICONS:
        block = symbols.get(name) or symbols.get(ALIASES.get(name, ""))
        # Lucide's sprite keeps old names as <use> of the new one: take the drawing itself.
        while block is not None and (alias := re.search(r'<use href="#([^"]+)"', block)):
            block = symbols.get(alias.group(1))
        if block is None:
            raise SystemExit(f"Lucide has no icon named {name!r}")
        block = re.sub(r'id="[^"]+"', f'id="{name}"', block, count=1)
        out.append("  " + re.sub(r"\s*\n\s*", "", block))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        "<!-- Lucide icons (ISC licence, LICENSE-lucide.txt); built by tools/build_icons.py -->\n"
        + "\n".join(out) + "\n</svg>\n"
    )


if __name__ == "__main__":
    sprite = build(Path(sys.argv[1]).read_text())
    target = Path(__file__).resolve().parent.parent / "tessera/static/tessera/icons/sprite.svg"
    target.write_text(sprite)
    print(f"{len(ICONS)} icons written to {target}")
