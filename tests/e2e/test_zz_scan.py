from tests.factories import PASSWORD, InvitationFactory, MembershipFactory, OrganizationFactory


def dump(page, label):
    page.wait_for_load_state("load")
    page.add_script_tag(path="tests/e2e/vendor/axe.min.js")
    res = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    print(f"\n=== {label} {page.url}")
    for v in res["violations"]:
        print(f"  [{v['impact']}] {v['id']}: {v['help']}")
        for n in v["nodes"][:6]:
            print("      ", n["target"], n["html"][:150])


def test_scan(browser, live_server):
    org = OrganizationFactory(name="Collège Jean Moulin", external_id="0750001A")
    admin = MembershipFactory(organization=org, role="ADMIN").user
    member = MembershipFactory(organization=org, role="MEMBER")
    inv = InvitationFactory(organization=org)
    ctx = browser.new_context()
    page = ctx.new_page()
    u = live_server.url
    for path in [
        "/connexion/",
        "/inscription/",
        "/mot-de-passe-oublie/",
        "/demande-administration-sco/",
        "/conditions-generales/",
        f"/rejoindre/{inv.pk}/{inv.code}/",
        f"/rejoindre/{inv.pk}/WRONG/",
    ]:
        page.goto(u + path)
        dump(page, path)
    page.goto(u + "/inscription/")
    page.get_by_role("button", name="Créer mon compte").click()
    dump(page, "signup errors")
    page.goto(u + "/connexion/")
    page.get_by_role("button", name="Se connecter").click()
    dump(page, "login errors")
    page.goto(u + "/demande-administration-sco/")
    page.get_by_role("button", name="Envoyer la demande").click()
    dump(page, "activate errors")
    page.goto(u + f"/rejoindre/{inv.pk}/{inv.code}/")
    page.get_by_role("button", name="Créer mon compte et rejoindre").click()
    dump(page, "join errors")
    page.goto(u + "/connexion/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_url("**/equipe/membres/")
    for path in [
        "/equipe/membres/",
        "/equipe/invitations/",
        "/equipe/inviter/",
        "/equipe/quitter/",
        f"/equipe/membres/{member.pk}/supprimer/",
    ]:
        page.goto(u + path)
        dump(page, path)
    page.goto(u + "/equipe/inviter/")
    page.get_by_role("button", name="Envoyer les invitations").click()
    dump(page, "invite errors")
    page.goto(u + "/equipe/inviter/")
    page.fill("#id_emails", "pas-une-adresse")
    page.get_by_role("button", name="Envoyer les invitations").click()
    dump(page, "invite problem")
