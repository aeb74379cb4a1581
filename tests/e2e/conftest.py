"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

Every page state a test reaches is checked with axe-core (vendored in ``vendor/axe.min.js``):
a "serious" or "critical" violation fails the test. Pages are watched from the moment they are
created, and a test that lets a page load without checking it fails at teardown, so a new step
in a journey cannot silently escape the accessibility check. Use ``visit(page, path)`` to open a
page and ``axe.check(page)`` after a click that loads a new page (a form submission, a link).
"""

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

E2E_DIR = Path(__file__).resolve().parent
AXE_SCRIPT = E2E_DIR / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API runs an event loop in the test thread; the ORM calls tests make between
# browser steps (factories, reading the outbox's models) are not concurrent with it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

expect.set_options(timeout=5_000)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Everything under tests/e2e is a browser test (before ``-m`` selects on markers)."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


# --- axe-core ----------------------------------------------------------------------------------


class AxeViolation(AssertionError):
    pass


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core: {len(violations)} serious/critical violation(s) on {url}"]
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(json.dumps(part) for part in node["target"])
            lines.append(f"    target {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


class Axe:
    """Runs axe on the current page; remembers which loaded documents were checked."""

    def __init__(self):
        self.documents: dict[Page, list[str]] = {}  # page -> URLs of the documents it loaded
        self.checked: dict[Page, set[int]] = {}  # page -> indexes of checked documents
        self.runs = 0

    def watch(self, page: Page) -> Page:
        documents = self.documents.setdefault(page, [])
        self.checked.setdefault(page, set())

        def on_response(response):
            request = response.request
            if (
                request.is_navigation_request()
                and request.frame == page.main_frame
                and not 300 <= response.status < 400
            ):
                documents.append(f"{request.method} {response.url} → {response.status}")

        page.on("response", on_response)
        return page

    def check(self, page: Page) -> list[dict]:
        """Fail on serious/critical violations; return every violation found."""
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.add_script_tag(path=str(AXE_SCRIPT))
        results = page.evaluate(
            "async () => await window.axe.run(document, {resultTypes: ['violations']})"
        )
        self.runs += 1
        documents = self.documents.get(page)
        if documents:
            self.checked[page].add(len(documents) - 1)
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            raise AxeViolation(format_violations(page.url, blocking))
        return results["violations"]

    def unchecked(self) -> list[str]:
        return [
            url
            for page, documents in self.documents.items()
            for index, url in enumerate(documents)
            if index not in self.checked[page]
        ]


@pytest.fixture
def axe():
    checker = Axe()
    yield checker
    unchecked = checker.unchecked()
    if unchecked:
        pytest.fail(
            "These page states were loaded but never checked with axe "
            "(call axe.check(page) after each navigation):\n" + "\n".join(unchecked)
        )


@pytest.fixture
def page(context, axe, live_server) -> Page:
    """The browser tab of the test, watched by axe."""
    return axe.watch(context.new_page())


@pytest.fixture
def new_page(new_context, axe, live_server):
    """Another person's browser: a fresh context (no cookies) and its tab, watched by axe."""

    def make() -> Page:
        return axe.watch(new_context().new_page())

    return make


@pytest.fixture
def visit(axe, live_server):
    """Open a path of the live server and check the page it shows."""

    def go(page: Page, path: str, *, status: int = 200) -> Page:
        url = path if path.startswith("http") else f"{live_server.url}{path}"
        response = page.goto(url)
        assert response is not None
        assert response.status == status, f"GET {url} answered {response.status}"
        axe.check(page)
        return page

    return go


@pytest.fixture
def login_as(visit, axe):
    """Sign in through the login page, like a person would; check the page it leads to."""

    def do_login(page: Page, user, password: str):
        visit(page, "/connexion/")
        page.get_by_label("Adresse e-mail ou identifiant").fill(user.email)
        page.get_by_label("Mot de passe", exact=True).fill(password)
        page.get_by_role("button", name="Se connecter").click()
        expect(page).not_to_have_url(re.compile(r"/connexion/"))
        axe.check(page)
        return page

    return do_login
