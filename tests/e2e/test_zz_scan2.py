import time

from tests.factories import InvitationFactory, OrganizationFactory


def test_scan2(browser, live_server):
    org = OrganizationFactory()
    inv = InvitationFactory(organization=org)
    ctx = browser.new_context()
    page = ctx.new_page()
    page.on("requestfinished", lambda r: print("  req", r.url[-60:], r.timing["responseEnd"]))
    page.on("console", lambda m: print("  console", m.text))
    t = time.time()
    page.goto(live_server.url + f"/rejoindre/{inv.pk}/{inv.code}/")
    print("goto", time.time() - t)
    t = time.time()
    page.add_script_tag(path="tests/e2e/vendor/axe.min.js")
    print("add", time.time() - t)
    t = time.time()
    res = page.evaluate("async () => await axe.run(document)")
    print("run", time.time() - t)
    print(res["testEngine"], len(res["passes"]), len(res["violations"]), len(res["incomplete"]))
    for v in res["incomplete"]:
        print("incomplete", v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
    print([p["id"] for p in res["passes"]])
    print(page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id).join(' ')"))
