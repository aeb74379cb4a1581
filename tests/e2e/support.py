"""Helpers shared by the browser tests (fixtures live in conftest.py)."""

import re

from playwright.sync_api import Locator, Page, expect

TEACHER_EMAIL = "camille.martin@college-jean-moulin.example"
JOIN_PATH = re.compile(r"/rejoindre/\d+/[A-Za-z0-9]+/")


def join_path(message) -> str:
    """The /rejoindre/<id>/<code>/ path of an invitation e-mail (its host is OCTETS_BASE_URL)."""
    match = JOIN_PATH.search(message.body)
    assert match, f"no invitation link in:\n{message.body}"
    return match.group(0)


def url_path(live_server, path: str) -> re.Pattern:
    """A pattern for ``expect(page).to_have_url``: exactly this path, no query string."""
    return re.compile(re.escape(f"{live_server.url}{path}") + r"$")


def members_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Membres de l'équipe")


def member_row(page: Page, email: str) -> Locator:
    return members_table(page).get_by_role("row").filter(has_text=email)


def expect_described_error(field: Locator, message: str) -> None:
    """The field is marked invalid and its description (aria-describedby) holds the error."""
    expect(field).to_have_attribute("aria-invalid", "true")
    described_by = field.get_attribute("aria-describedby") or ""
    assert described_by, "the field has no aria-describedby"
    page = field.page
    texts = []
    for element_id in described_by.split():
        described = page.locator(f"[id='{element_id}']")
        expect(described).to_have_count(1)
        texts.append(described.inner_text())
    assert any(message in text for text in texts), (
        f"{message!r} is not in the description of the field: {texts}"
    )
    expect(field).to_have_accessible_description(re.compile(re.escape(message)))
