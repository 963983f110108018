"""Every URL pattern and API operation has an access rule, and every role gets what
the rule says (tests/access/matrix.py explains the rules and the actors)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.access.matrix import Rule, World, check, resolves, uncovered

HERE = Path(__file__).parent
MODULES = sorted(path.stem for path in HERE.glob("rules_*.py"))


def rules_module(name: str) -> ModuleType:
    return importlib.import_module(f"tests.access.{name}")


def all_rules() -> list[Rule]:
    return [rule for name in MODULES for rule in rules_module(name).RULES]


def world_for(modules: list[str]) -> World:
    world = World.build()
    for name in modules:
        world.require(name)
    return world


def test_every_url_pattern_and_api_operation_has_a_rule(db: None) -> None:
    missing = uncovered(all_rules())
    assert not missing, "No access rule (add one to tests/access/rules_<app>.py) for:\n" + (
        "\n".join(missing)
    )


def test_no_two_rules_for_the_same_pattern_and_method() -> None:
    seen: set[tuple[str, str]] = set()
    twice = []
    for rule in all_rules():
        key = (rule.name or rule.path, rule.method)
        if key in seen and not rule.covers:
            twice.append(f"{rule.method} {rule.name}")
        seen.add(key)
    assert not twice, twice


@pytest.mark.parametrize("module", MODULES)
def test_every_role_gets_what_the_rules_say(
    module: str, db: None, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in MODULES:
        for key, value in getattr(rules_module(name), "SETTINGS", {}).items():
            setattr(settings, key, value)
    # Every module's setup runs: a rule may use another app's objects (an alert of an
    # incident), and the same world must hold whatever any rule refers to.
    world = world_for(MODULES)
    rules = rules_module(module).RULES
    astray = [rule.label() for rule in rules if not resolves(rule, world)]
    assert not astray, f"these rules' URLs reach another pattern: {astray}"
    wrong = check(world, rules)
    assert not wrong, f"{len(wrong)} answers differ from {module}:\n" + "\n".join(wrong)


def test_a_url_pattern_or_operation_without_a_rule_is_named(db: None) -> None:
    rules = [r for r in all_rules() if r.name not in {"rumors", "api:deliveries"}]
    missing = "\n".join(uncovered(rules))
    assert "URL pattern 'rumors'" in missing
    assert "API operation GET /api/v1/alerts/{alert_id}/deliveries" in missing


def test_a_rule_that_lets_too_many_in_fails(db: None, settings: Any) -> None:
    world = world_for([])
    too_open = Rule("console", allowed={"anonymous", "mara", "dani", "ana"})
    wrong = check(world, [too_open])
    assert wrong == [
        "GET console as anonymous: allowed, but refused with 302",
        "GET console as mara: allowed, but refused with 403",
    ]
    too_closed = Rule("api:me", allowed={"dani"})
    wrong = check(world, [too_closed])
    assert {line.split(":")[1].split(" as ")[1] for line in wrong} == {
        "rosa",
        "carmen",
        "olga",
        "ana",
    }
