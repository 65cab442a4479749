"""The category tree (at most four levels, routing to service teams) and the values of category fields."""

import pytest
from django.core.exceptions import ValidationError

from tessera.tickets.category_fields import MAX_TEXT_LENGTH, clean_field_values
from tessera.tickets.models import Category, CategoryField

from ..factories import CategoryFactory, CategoryFieldFactory, ServiceTeamFactory

Kind = CategoryField.Kind


@pytest.fixture
def tree(db):
    """Four levels: software › practice management › invoices › reminders."""
    team = ServiceTeamFactory(name="Practice software")
    level1 = CategoryFactory(name="Software", service_team=team)
    level2 = CategoryFactory(name="Practice management", parent=level1, service_team=None)
    level3 = CategoryFactory(name="Invoices", parent=level2, service_team=None)
    level4 = CategoryFactory(name="Reminders", parent=level3, service_team=None)
    return team, [level1, level2, level3, level4]


# --- the tree --------------------------------------------------------------------------------------------------


def test_depth_is_computed_from_the_parent(tree):
    _, levels = tree
    assert [node.depth for node in levels] == [1, 2, 3, 4]
    assert [Category.objects.get(pk=node.pk).depth for node in levels] == [1, 2, 3, 4]


def test_depth_ignores_what_the_caller_sets(tree):
    _, (level1, *_rest) = tree
    node = Category.objects.create(name="Hardware", parent=level1, depth=4)
    assert Category.objects.get(pk=node.pk).depth == 2


def test_a_fifth_level_is_refused_on_save(tree):
    _, levels = tree
    with pytest.raises(ValidationError):
        Category.objects.create(name="Fifth", parent=levels[3])
    assert not Category.objects.filter(name="Fifth").exists()


def test_a_fifth_level_is_refused_by_full_clean(tree):
    _, levels = tree
    node = Category(name="Fifth", parent=levels[3])
    with pytest.raises(ValidationError) as refused:
        node.full_clean()
    assert "parent" in refused.value.message_dict
    Category(name="Fourth", parent=levels[2]).full_clean()  # one level higher is fine


def test_a_category_cannot_be_placed_under_itself_or_its_descendants(tree):
    _, levels = tree
    level1 = levels[0]
    for new_parent in (level1, levels[2]):
        level1.parent = new_parent
        with pytest.raises(ValidationError) as refused:
            level1.full_clean()
        assert "parent" in refused.value.message_dict


def test_moving_a_subtree_below_the_fourth_level_is_refused(tree):
    _, levels = tree
    hardware = CategoryFactory(name="Hardware")
    printers = CategoryFactory(name="Printers", parent=hardware)
    # Hardware itself would land on level 4, its child Printers on level 5.
    hardware.parent = levels[2]
    with pytest.raises(ValidationError) as refused:
        hardware.full_clean()
    assert "parent" in refused.value.message_dict
    with pytest.raises(ValidationError):
        hardware.save()
    assert Category.objects.get(pk=hardware.pk).parent is None
    assert Category.objects.get(pk=printers.pk).depth == 2


def test_moving_a_subtree_updates_the_levels_below(tree):
    _, levels = tree
    hardware = CategoryFactory(name="Hardware")
    printers = CategoryFactory(name="Printers", parent=hardware)
    lasers = CategoryFactory(name="Laser printers", parent=printers)
    hardware.parent = levels[0]
    hardware.full_clean()
    hardware.save()
    assert [Category.objects.get(pk=c.pk).depth for c in (hardware, printers, lasers)] == [2, 3, 4]
    hardware.parent = None
    hardware.save()
    assert [Category.objects.get(pk=c.pk).depth for c in (hardware, printers, lasers)] == [1, 2, 3]


def test_path_and_name(tree):
    _, levels = tree
    assert levels[3].path() == levels
    assert str(levels[3]) == "Software › Practice management › Invoices › Reminders"
    assert str(levels[0]) == "Software"


def test_routing_team_is_inherited_from_the_nearest_ancestor_that_names_one(tree):
    team, levels = tree
    assert [node.routing_team() for node in levels] == [team, team, team, team]
    billing = ServiceTeamFactory(name="Billing")
    levels[2].service_team = billing
    levels[2].save()
    fresh = [Category.objects.get(pk=node.pk) for node in levels]
    assert [node.routing_team() for node in fresh] == [team, team, billing, billing]


def test_a_tree_without_teams_routes_nowhere(db):
    root = CategoryFactory(service_team=None)
    assert CategoryFactory(parent=root, service_team=None).routing_team() is None


def test_names_are_unique_per_parent_only(tree):
    _, levels = tree
    CategoryFactory(name="Invoices", parent=levels[0])  # same name, other parent
    with pytest.raises(ValidationError):
        Category(name="Invoices", parent=levels[1]).full_clean()


def test_all_fields_lists_ancestors_fields_first(tree):
    _, (level1, level2, level3, level4) = tree
    own_b = CategoryFieldFactory(category=level4, key="due", position=2)
    own_a = CategoryFieldFactory(category=level4, key="amount", position=1)
    top = CategoryFieldFactory(category=level1, key="version", position=9)
    middle = CategoryFieldFactory(category=level3, key="invoice_number", position=0)
    CategoryFieldFactory(category=CategoryFactory(name="Elsewhere"), key="unrelated")
    CategoryFieldFactory(category=CategoryFactory(name="Sibling", parent=level3), key="sibling")
    assert level4.all_fields() == [top, middle, own_a, own_b]
    assert level3.all_fields() == [top, middle]
    assert level2.all_fields() == [top]


def test_all_fields_are_read_once_per_instance_until_it_is_reloaded(tree, django_assert_num_queries):
    _, levels = tree
    version = CategoryFieldFactory(category=levels[0], key="version")
    node = levels[3]
    assert node.all_fields() == [version]
    due = CategoryFieldFactory(category=node, key="due")
    with django_assert_num_queries(0):
        assert node.all_fields() == [version]  # what a form showed is what its service checks
    node.refresh_from_db()
    assert node.all_fields() == [version, due]


def test_the_active_tree_is_read_in_one_query_and_walked_without_more(tree, django_assert_num_queries):
    team, levels = tree
    CategoryFactory(name="Retired", parent=levels[0], is_active=False)
    CategoryFactory(name="Hardware", position=5, service_team=None)
    with django_assert_num_queries(1):
        children = Category.active_tree()
        [deepest] = children[levels[2].pk]
        assert deepest.path() == levels
        assert deepest.routing_team() == team
        software, hardware = children[None]
        assert hardware.routing_team() is None
    assert [software.name, hardware.name] == ["Software", "Hardware"]
    assert [node.name for node in children[levels[0].pk]] == ["Practice management"]  # not the inactive one
    assert levels[3].pk not in children  # no children


def test_a_choice_field_needs_options(tree):
    _, levels = tree
    field = CategoryField(category=levels[0], key="module", label="Module", kind=Kind.CHOICE, choices=" \n ")
    with pytest.raises(ValidationError) as refused:
        field.full_clean()
    assert "choices" in refused.value.message_dict
    field.choices = "Agenda\n\n  Billing  \n"
    field.full_clean()
    assert field.choice_list == ["Agenda", "Billing"]


# --- values of category fields ---------------------------------------------------------------------------------


def _field(kind, key="value", required=False, choices=""):
    return CategoryField(key=key, label=key.title(), kind=kind, required=required, choices=choices)


def _clean(field, raw):
    return clean_field_values([field], {field.key: raw} if raw is not ... else {})


def _error(field, raw) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        _clean(field, raw)
    assert set(refused.value.message_dict) == {field.key}
    return refused.value.message_dict[field.key]


def test_text_is_stripped_and_blank_is_left_out():
    field = _field(Kind.TEXT)
    assert _clean(field, "  PC-3 \n") == {"value": "PC-3"}
    assert _clean(field, "   ") == {}
    assert _clean(field, None) == {}
    assert _clean(field, ...) == {}
    assert _clean(field, 42) == {"value": "42"}


def test_text_has_a_maximum_length():
    field = _field(Kind.TEXT)
    assert _clean(field, "x" * MAX_TEXT_LENGTH) == {"value": "x" * MAX_TEXT_LENGTH}
    _error(field, "x" * (MAX_TEXT_LENGTH + 1))


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("3", "3"), ("1,5", "1.5"), ("1.5", "1.5"), (" -2 ", "-2"), ("0", "0"), (7, "7"), ("1.50", "1.50")],
)
def test_numbers_accept_a_decimal_comma(raw, stored):
    assert _clean(_field(Kind.NUMBER), raw) == {"value": stored}


@pytest.mark.parametrize("raw", ["abc", "1,5,5", "1.2.3", "NaN", "Infinity", "-inf", "12 kg"])
def test_numbers_refuse_what_is_not_a_finite_number(raw):
    _error(_field(Kind.NUMBER), raw)


def test_choice():
    field = _field(Kind.CHOICE, choices="Agenda\nBilling\n")
    assert _clean(field, "Billing") == {"value": "Billing"}
    assert _clean(field, " Agenda ") == {"value": "Agenda"}
    _error(field, "Imaging")
    _error(field, "billing")


@pytest.mark.parametrize(("raw", "stored"), [("2024-02-29", "2024-02-29"), (" 2025-01-09 ", "2025-01-09")])
def test_date(raw, stored):
    assert _clean(_field(Kind.DATE), raw) == {"value": stored}


@pytest.mark.parametrize("raw", ["2023-02-29", "31/12/2024", "yesterday", "2024-13-01"])
def test_invalid_dates_are_refused(raw):
    _error(_field(Kind.DATE), raw)


@pytest.mark.parametrize("raw", [True, "on", "true", "1", 1])
def test_checkbox_checked(raw):
    assert _clean(_field(Kind.CHECKBOX), raw) == {"value": True}


@pytest.mark.parametrize("raw", [False, "", "off", "0", 0, None, ...])
def test_checkbox_unchecked_is_stored_as_false(raw):
    assert _clean(_field(Kind.CHECKBOX), raw) == {"value": False}


KINDS = [(Kind.TEXT, ""), (Kind.NUMBER, ""), (Kind.CHOICE, "A\nB"), (Kind.DATE, ""), (Kind.CHECKBOX, "")]
EMPTY = [
    *((kind, choices, raw) for kind, choices in KINDS for raw in (..., None, "", "   ")),
    (Kind.CHECKBOX, "", False),
    (Kind.CHECKBOX, "", "off"),
]


@pytest.mark.parametrize(("kind", "choices", "raw"), EMPTY)
def test_required_fields_must_be_filled(kind, choices, raw):
    with pytest.raises(ValidationError) as refused:
        _clean(_field(kind, required=True, choices=choices), raw)
    assert refused.value.error_dict["value"][0].code == "required"


def test_a_required_checkbox_must_be_ticked():
    assert _clean(_field(Kind.CHECKBOX, required=True), "on") == {"value": True}


def test_errors_are_collected_for_every_field_and_unknown_keys_are_dropped():
    fields = [
        _field(Kind.NUMBER, key="copies"),
        _field(Kind.DATE, key="since"),
        _field(Kind.TEXT, key="workstation", required=True),
        _field(Kind.CHOICE, key="module", choices="Agenda"),
    ]
    with pytest.raises(ValidationError) as refused:
        clean_field_values(fields, {"copies": "many", "since": "never", "module": "Agenda", "extra": "x"})
    assert set(refused.value.message_dict) == {"copies", "since", "workstation"}
    assert clean_field_values(fields, {"workstation": "PC-3", "module": "Agenda", "extra": "x"}) == {
        "workstation": "PC-3", "module": "Agenda",
    }
