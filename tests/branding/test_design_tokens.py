"""The badges of tessera.css: every text colour is readable on its background (WCAG AA, 4.5:1)."""

import re
from pathlib import Path

import pytest

from tessera.branding.colors import contrast_ratio
from tessera.tickets.models import Priority
from tessera.tickets.workflow import StatusCategory

CSS = re.sub(
    r"/\*.*?\*/",
    "",
    (Path(__file__).resolve().parents[2] / "tessera/static/tessera/tessera.css").read_text(),
    flags=re.S,
)
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def declarations(class_name: str) -> dict[str, str]:
    """The declarations of the rules whose selector list names ``.class_name`` exactly."""
    found: dict[str, str] = {}
    for selectors, body in RULE.findall(CSS):
        if any(s.strip() == f".{class_name}" for s in selectors.split(",")):
            for declaration in body.split(";"):
                if ":" in declaration:
                    name, value = declaration.split(":", 1)
                    found[name.strip()] = value.strip()
    return found


BADGES = (
    [f"badge-status-{category}" for category in StatusCategory.values]
    + [f"badge-priority-{priority}" for priority in Priority.values]
    + ["badge"]
)


@pytest.mark.parametrize("badge", BADGES)
def test_every_badge_has_a_colour_that_passes_aa(badge):
    rule = declarations(badge)
    assert rule.get("background", "").startswith("#") and rule.get("color", "").startswith("#"), (badge, rule)
    assert contrast_ratio(rule["color"], rule["background"]) >= 4.5, badge


def test_each_status_category_has_its_own_colour():
    backgrounds = [declarations(f"badge-status-{category}")["background"] for category in StatusCategory.values]
    assert len(set(backgrounds)) == len(backgrounds)


@pytest.mark.parametrize(
    "token",
    ["--color-text-muted", "--color-danger", "--color-success", "--color-info", "--color-warning", "--color-primary"],
)
def test_text_colours_pass_aa_on_white(token):
    value = re.search(rf"{token}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)
    assert contrast_ratio(value, "#ffffff") >= 4.5, token
