"""octets demo: a demo school with an admin and a teacher, a learner with a training history,
and the platform operator; safe to run again."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from octets.accounts.models import User
from octets.organizations.models import Membership, Organization

DEMO_UAI = "0750001A"
DEMO_PASSWORD = "Octets-Demo-2026"  # noqa: S105 (printed on purpose: demo accounts only)
DEMO_PEOPLE = [
    ("admin@college-demo.example", "Alice", "Martin", Membership.Role.ADMIN),
    ("prof@college-demo.example", "Paul", "Durand", Membership.Role.MEMBER),
]
OPERATOR = ("operateur@octets.example", "Olga", "Opératrice")
LEARNER = ("eleve@college-demo.example", "Lou", "Bernard")
# The demo learner knows every skill up to this level, in these competences (5: certifiable)…
LEARNER_KNOWN_LEVEL = 2
LEARNER_FINISHED = ("1.1", "2.1", "3.1", "4.1", "5.1")
# …and left a session on this one half-way (to show "Reprendre").
LEARNER_STARTED = "1.2"


class Command(BaseCommand):
    help = "Charge les données de démonstration (Collège Demo, UAI 0750001A) et affiche les identifiants."

    @transaction.atomic
    def handle(self, *args, **options):
        organization, _created = Organization.objects.get_or_create(
            type=Organization.Type.SCO,
            external_id=DEMO_UAI,
            defaults={
                "name": "Collège Demo",
                "email": "ce.0750001a@college-demo.example",
                "is_managing_students": True,
            },
        )
        lines = []
        for email, first_name, last_name, role in DEMO_PEOPLE:
            user = self._user(email, first_name, last_name)
            membership = Membership.objects.filter(
                user=user, organization=organization, disabled_at__isnull=True
            ).first()
            if membership is None:
                Membership.objects.create(user=user, organization=organization, role=role)
            elif membership.role != role:
                membership.role = role
                membership.save(update_fields=["role"])
            lines.append(f"  {Membership.Role(role).label:<16} {email:<32} {DEMO_PASSWORD}")
        operator = self._user(*OPERATOR, staff=True)
        lines.append(f"  {'Opérateur':<16} {operator.email:<32} {DEMO_PASSWORD}  (console /admin/)")
        learner = self._user(*LEARNER)
        lines.append(f"  {'Élève':<16} {learner.email:<32} {DEMO_PASSWORD}  (profil, entraînement)")
        self._learner_history(learner)
        pupil = self._demo_pupil(organization)
        lines.append(
            f"  {'':<16} identité de l'élève pour rejoindre une campagne : {pupil.first_name} "
            f"{pupil.last_name}, née le {pupil.birthdate:%d/%m/%Y} (classe {pupil.division})"
        )
        self.stdout.write(f"Données de démonstration prêtes : {organization.name} (UAI {DEMO_UAI})")
        self.stdout.write(f"Connexion sur {settings.OCTETS_BASE_URL}/connexion/ :")
        self.stdout.write("\n".join(lines))

    def _demo_pupil(self, organization):
        """The demo learner as a pupil of the demo school (not linked yet: joining a campaign
        checks her identity). The generated SIECLE export of ``make run`` includes her."""
        from octets.students.generator import DEMO_PUPIL
        from octets.students.models import OrganizationLearner

        pupil, _created = OrganizationLearner.objects.get_or_create(
            organization=organization,
            national_student_id=DEMO_PUPIL.ine,
            # as an import of the generated export writes her (nothing to change on import)
            defaults={
                "first_name": DEMO_PUPIL.first_name,
                "last_name": DEMO_PUPIL.last_name.upper(),
                "birthdate": DEMO_PUPIL.birthdate,
                "division": DEMO_PUPIL.division,
                "sex": DEMO_PUPIL.sex,
                "status": OrganizationLearner.Status.STUDENT,
                "birth_country_code": "100",
                "birth_city_code": "75056",
                "birth_province_code": "075",
                "birth_city": "PARIS",
                "mef_code": "10010012110",
            },
        )
        return pupil

    def _learner_history(self, learner):
        """Train the demo learner through the real services, once, then date it 8 days back
        so that improving and resetting are already possible."""
        from octets.assessments import services
        from octets.assessments.models import Answer, Assessment, KnowledgeElement
        from octets.assessments.presentation import expected_value
        from octets.content.selectors import NoContentLoaded, current_content
        from octets.engine.answers import SKIPPED_VALUE

        if Assessment.objects.filter(user=learner).exists():
            return
        try:
            content = current_content()
        except NoContentLoaded:
            self.stdout.write(
                "Pas de contenu pédagogique chargé : l'élève de démo n'a pas d'historique."
            )
            return

        def answer(assessment, limit):
            for _ in range(limit):
                challenge = services.next_challenge(assessment=assessment)
                if challenge is None:
                    return
                skill = content.get("skills", challenge.skill_id)
                known = skill.level <= LEARNER_KNOWN_LEVEL
                services.submit_answer(
                    assessment=assessment,
                    challenge_id=challenge.id,
                    value=expected_value(challenge) if known else SKIPPED_VALUE,
                )

        for index in LEARNER_FINISHED:
            if content.competence_by_index(index) is not None:
                answer(services.start_assessment(user=learner, competence_index=index), 200)
        past = timezone.now() - timedelta(days=8)
        KnowledgeElement.objects.filter(user=learner).update(created_at=past)
        Answer.objects.filter(assessment__user=learner).update(created_at=past)
        Assessment.objects.filter(user=learner).update(created_at=past)
        if content.competence_by_index(LEARNER_STARTED) is not None:
            answer(services.start_assessment(user=learner, competence_index=LEARNER_STARTED), 2)

    def _user(self, email, first_name, last_name, staff=False):
        user = User.objects.filter(email=email).first() or User(email=email)
        user.first_name, user.last_name = first_name, last_name
        user.is_active = True
        user.is_staff = user.is_superuser = staff
        user.cgu_accepted_at = user.cgu_accepted_at or timezone.now()
        user.must_change_password = False
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user
