"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

Every page state a test reaches is checked with axe-core (vendored in ``vendor/axe.min.js``):
a "serious" or "critical" violation, or an id used twice, fails the test. Pages are watched from
the moment they are created, and a test that lets a document load without checking it fails at
teardown, so a new step in a journey cannot silently escape the check. Open pages with
``visit(page, path)``; wrap a click or a key press that loads a new page (a form submission, a
link) in ``with axe.navigating(page):``; ``axe.check(page)`` checks the current state again
(after htmx swapped part of it, for instance).
"""

import hashlib
import json
import os
import re
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

E2E_DIR = Path(__file__).resolve().parent
AXE_SCRIPT = E2E_DIR / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
CHROMIUM = "/usr/bin/chromium"
AUTH_BACKEND = "octets.accounts.backends.EmailOrUsernameBackend"


expect.set_options(timeout=10_000)

# One round trip: whether axe is loaded, the ids used twice, and the page as it stands (without
# the CSRF tokens, which change on every response) to recognise a state already checked.
PAGE_STATE = """() => {
  const seen = new Set(), duplicated = new Set();
  for (const element of document.querySelectorAll("[id]")) {
    (seen.has(element.id) ? duplicated : seen).add(element.id);
  }
  const html = document.documentElement.outerHTML
    .replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, "");
  return {axe: typeof window.axe === "object", duplicated: [...duplicated], html};
}"""
# Only the violations cross back: Playwright decoding axe's whole result object costs more than
# the analysis itself.
RUN_AXE = """async () => {
  const results = await window.axe.run(document, {resultTypes: ["violations"]});
  return results.violations;
}"""


@pytest.fixture(scope="session", autouse=True)
def _orm_next_to_playwright():
    """Playwright's sync API runs an event loop in the test thread, where Django then refuses
    ORM calls (factories, refresh_from_db). The test code and the live server never use the
    database at the same time. Set for the rest of the run once a browser test starts (the loop
    lives until the session ends), and only then: other test runs keep Django's check."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Everything under tests/e2e is a browser test (marked before ``-m`` selects)."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


def call_failed(request) -> bool:
    return request.node.stash.get(CALL_FAILED, False)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,  # never a browser downloaded by Playwright
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
def base_url(live_server):
    """Pages open relative to the live server. (This also replaces pytest-playwright's fallback
    ``base_url`` fixture, an instance method pytest 9 warns about.)"""
    return live_server.url


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
            lines.append(f"    target {' '.join(json.dumps(part) for part in node['target'])}")
            lines.append(f"      {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


# Results by page state, for the whole run: a state met again (the empty login page before
# each sign-in, say) is not analysed twice. Minor and moderate findings are listed at the end.
RESULTS: dict[str, list[dict]] = {}
NON_BLOCKING: dict[str, set[str]] = defaultdict(set)


class Axe:
    """Checks pages with axe; remembers which loaded documents were checked."""

    def __init__(self):
        self.documents: dict[Page, list[str]] = {}  # page -> the documents it loaded
        self.checked: dict[Page, set[int]] = {}  # page -> indexes of the checked ones
        self.listeners = {}
        self.errors: dict[Page, list[str]] = {}  # page -> uncaught JavaScript errors

    def watch(self, page: Page) -> Page:
        documents = self.documents.setdefault(page, [])
        self.checked.setdefault(page, set())

        # One event per document (listening to every response would cost more).
        def on_document(loaded_page):
            documents.append(loaded_page.url)

        # A script error (the design system's included) can silently break a component.
        errors = self.errors.setdefault(page, [])

        def on_error(error):
            errors.append(f"{page.url}: {error}")

        page.on("domcontentloaded", on_document)
        page.on("pageerror", on_error)
        self.listeners[page] = (on_document, on_error)
        return page

    def unwatch(self, page: Page) -> None:
        on_document, on_error = self.listeners.pop(page)
        page.remove_listener("domcontentloaded", on_document)
        page.remove_listener("pageerror", on_error)

    def check(self, page: Page) -> list[dict]:
        """Fail on serious/critical violations and duplicated ids; return all violations."""
        page.wait_for_load_state("load")
        # The design system's script decorates the page once started (it marks <html> with
        # data-fr-js): checking before that judges markup no visitor keeps (e.g. the header
        # menu before the script turns it into an inline menu or a dialog).
        page.wait_for_function(
            "() => !document.querySelector('script[src*=\"dsfr\"]')"
            " || document.documentElement.hasAttribute('data-fr-js')",
            timeout=10_000,
        )
        documents = self.documents.get(page)
        if documents:
            self.checked[page].add(len(documents) - 1)
        if self.errors.get(page):
            raise AxeViolation("JavaScript errors:\n" + "\n".join(self.errors[page]))
        state = page.evaluate(PAGE_STATE)
        # axe reports an id used twice as "needs review" only; yet a label or an
        # aria-describedby then points at the wrong element.
        if state["duplicated"]:
            raise AxeViolation(f"id(s) used twice on {page.url}: {', '.join(state['duplicated'])}")
        key = hashlib.sha256(state["html"].encode()).hexdigest()
        if key not in RESULTS:
            if not state["axe"]:
                page.add_script_tag(path=str(AXE_SCRIPT))
            RESULTS[key] = page.evaluate(RUN_AXE)
        violations = RESULTS[key]
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            raise AxeViolation(format_violations(page.url, blocking))
        for violation in violations:
            NON_BLOCKING[f"[{violation['impact']}] {violation['id']}"].add(page.url)
        return violations

    @contextmanager
    def navigating(self, page: Page):
        """Wrap an action that loads a new page (submit, link): the new page is then checked."""
        with page.expect_event("load"):
            yield
        self.check(page)

    def unchecked(self) -> list[str]:
        return [
            document
            for page, documents in self.documents.items()
            for index, document in enumerate(documents)
            if index not in self.checked[page]
        ]


def pytest_terminal_summary(terminalreporter):
    if NON_BLOCKING:
        terminalreporter.section("axe-core: minor and moderate findings (not failing)")
        for rule, urls in sorted(NON_BLOCKING.items()):
            terminalreporter.line(f"{rule}: {', '.join(sorted(urls))}")


@pytest.fixture
def axe(request):
    checker = Axe()
    yield checker
    unchecked = checker.unchecked()
    if unchecked and not call_failed(request):
        pytest.fail(
            "These pages were loaded but never checked with axe (use visit(), "
            "`with axe.navigating(page):` or axe.check(page)):\n" + "\n".join(unchecked)
        )


# --- browser tabs --------------------------------------------------------------------------------


class Tabs:
    """Browser tabs reused from test to test, each in its own context (its own cookies).

    Opening a context and a tab, adding axe to it and loading the DSFR assets (1.3 MB) into a
    fresh cache costs about a second on a small machine; tests only need a clean person, so a
    returned tab is reset instead: cookies and storage cleared. (It stays on its last page:
    leaving for about:blank would start a new renderer, which costs as much again.)
    """

    def __init__(self, browser, context_args):
        self.browser = browser
        self.context_args = context_args
        self.free: list[Page] = []
        self.contexts = []

    def take(self) -> Page:
        if self.free:
            return self.free.pop()
        context = self.browser.new_context(**self.context_args)
        # axe is added to each document as it is created (instead of page.add_script_tag at each
        # check): the script crosses the wire once per tab, not once per page.
        context.add_init_script(path=str(AXE_SCRIPT))
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    def give_back(self, page: Page) -> None:
        try:
            if page.url.startswith("http"):
                page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            page.context.clear_cookies()
        except Exception:  # a tab left in a bad state by a failed test is not reused
            page.context.close()
            self.contexts.remove(page.context)
            return
        self.free.append(page)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="session")
def _tabs(browser, browser_context_args):
    tabs = Tabs(browser, browser_context_args)
    yield tabs
    tabs.close()


@pytest.fixture
def new_page(_tabs, axe, live_server, request, output_path):
    """Open another person's browser tab (own cookies), watched by axe. When the test fails,
    each tab's screenshot is saved in pytest-playwright's output folder (``--output``)."""
    taken = []

    def make() -> Page:
        page = _tabs.take()
        taken.append(page)
        return axe.watch(page)

    yield make
    for number, page in enumerate(taken, start=1):
        if call_failed(request):
            page.screenshot(path=Path(output_path) / f"tab-{number}.png", full_page=True)
        axe.unwatch(page)
        _tabs.give_back(page)


@pytest.fixture
def page(new_page) -> Page:
    """The browser tab of the test (a person with no cookies yet), watched by axe."""
    return new_page()


@pytest.fixture
def visit(axe, live_server):
    """Open a path of the live server, check the answer's status and the page it shows."""

    def go(page: Page, path: str, *, status: int = 200) -> Page:
        response = page.goto(path)
        assert response is not None
        assert response.status == status, f"GET {path} answered {response.status}"
        axe.check(page)
        return page

    return go


@pytest.fixture
def login_as(visit, axe):
    """Sign in through the login page, like a person would."""

    def do_login(page: Page, user, password: str) -> Page:
        visit(page, "/connexion/")
        page.get_by_label("Adresse e-mail ou identifiant").fill(user.email)
        page.get_by_label("Mot de passe", exact=True).fill(password)
        with axe.navigating(page):
            page.get_by_role("button", name="Se connecter").click()
        expect(page).not_to_have_url(re.compile(r"/connexion/"))
        return page

    return do_login


@pytest.fixture
def signed_in(live_server):
    """Give a browser the session of ``user`` (for tests about what comes after signing in)."""

    def sign_in(page: Page, user) -> Page:
        client = Client()
        client.force_login(user, backend=AUTH_BACKEND)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return sign_in


# --- the school most browser tests work in ------------------------------------------------------


@pytest.fixture
def school(transactional_db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory(
        name="Collège Jean Moulin", external_id="0750001A", email="ce.0750001a@ac-test.example"
    )


@pytest.fixture
def admin(school):
    from octets.organizations.models import Membership
    from tests.factories import MembershipFactory

    return MembershipFactory(
        organization=school,
        role=Membership.Role.ADMIN,
        user__first_name="Alice",
        user__last_name="Durand",
        user__email="alice.durand@college-jean-moulin.example",
    ).user


@pytest.fixture
def teacher_membership(school):
    from octets.organizations.models import Membership
    from tests.e2e.support import TEACHER_EMAIL
    from tests.factories import MembershipFactory

    return MembershipFactory(
        organization=school,
        role=Membership.Role.MEMBER,
        user__first_name="Camille",
        user__last_name="Martin",
        user__email=TEACHER_EMAIL,
    )


@pytest.fixture
def member(teacher_membership):
    return teacher_membership
