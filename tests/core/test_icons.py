import re
from pathlib import Path

from django.template import Context, Template

from tools.build_icons import ICONS

SPRITE = Path(__file__).resolve().parents[2] / "tessera/static/tessera/icons/sprite.svg"


def test_the_sprite_holds_every_listed_icon_and_nothing_else():
    ids = re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text())
    assert ids == ICONS
    assert "<use" not in SPRITE.read_text()  # every icon is drawn, none points elsewhere


def test_every_icon_a_template_names_is_in_the_sprite():
    templates = Path(__file__).resolve().parents[2] / "tessera/templates"
    named = set()
    for path in templates.rglob("*.html"):
        named.update(re.findall(r'{%\s*icon\s+"([^"]+)"', path.read_text()))
    assert named <= set(ICONS), sorted(named - set(ICONS))


def test_a_decorative_icon_is_hidden_and_a_labelled_one_is_announced():
    html = Template('{% load tessera %}{% icon "search" %}|{% icon "x" label="Close" %}').render(Context())
    decorative, labelled = html.split("|")
    assert 'aria-hidden="true"' in decorative and "sprite.svg#search" in decorative
    assert 'role="img"' in labelled and 'aria-label="Close"' in labelled
