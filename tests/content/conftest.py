"""Shared helpers for the content tests: the small TOML fixture and release surgery."""

import copy
from pathlib import Path

import pytest

from octets.content.sources import build_release

FIXTURE_SOURCE = Path(__file__).parent / "fixtures" / "source"


def fixture_release() -> dict:
    release, problems = build_release(FIXTURE_SOURCE)
    assert problems == []
    return release


_RELEASE = fixture_release()


@pytest.fixture
def release() -> dict:
    """A fresh deep copy of the valid release built from ``fixtures/source``."""
    return copy.deepcopy(_RELEASE)


def entity(release: dict, kind: str, id: str) -> dict:
    return next(item for item in release[kind] if item["id"] == id)


def found(problems) -> set[tuple[str, str, str]]:
    return {(p.code, p.entity, p.id) for p in problems}
