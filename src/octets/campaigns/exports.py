"""CSV exports of a campaign's results: the columns (assessment and profile collection), the
streamed file, and the background export of big campaigns (file kept in the default storage).

Choices made for teachers who open the file in a French spreadsheet (LibreOffice, Excel):
- `;` separator, UTF-8 with a BOM (so accents survive a double-click), CRLF line ends;
- percentages are whole numbers from 0 to 100 (the header says "%"): no decimal separator at
  all, so the cell is a number whatever the spreadsheet's locale (a "0.75" is text in a French
  sheet, a "0,75" is text in an English one);
- counts are plain integers, yes/no cells are "Oui"/"Non", dates are ``JJ/MM/AAAA HH:MM`` in
  Europe/Paris time (recognised as dates by French spreadsheets);
- result cells of a participation not sent yet say "NA";
- a text cell starting with ``= + - @``, a tab or a carriage return gets a leading ``'`` so a
  spreadsheet never runs it as a formula.

Exports of more than ``settings.OCTETS_EXPORT_SYNC_MAX`` participations run as a job; the
file is written under ``exports/campaigns/`` of the default storage and removed when the
campaign is exported again or 7 days later (``purge_expired_exports``).
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from octets.assessments import selectors as assessment_selectors
from octets.campaigns import selectors
from octets.campaigns.models import Campaign, Participation
from octets.content.selectors import current_content
from octets.engine.knowledge import latest_by_skill
from octets.engine.results import mastery_percentage, progression, results_by
from octets.jobs.models import Job

EXPORT_JOB_KIND = "campaign_results_export"
EXPORT_RETENTION = timedelta(days=7)
EXPORT_DIR = "exports/campaigns"
CHUNK_SIZE = 2000
PARIS = ZoneInfo("Europe/Paris")
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
NA = "NA"
YES, NO = "Oui", "Non"


def text(value) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(DANGEROUS_START) else value


def date_cell(value) -> str:
    if value is None:
        return NA
    return timezone.localtime(value, PARIS).strftime("%d/%m/%Y %H:%M")


def yes_no(value: bool) -> str:
    return YES if value else NO


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Participation], object]


def _name_columns(campaign: Campaign) -> list[Column]:
    organization = campaign.organization
    columns = [
        Column("Nom du Participant", lambda p: text(selectors.participant_name(p)[0])),
        Column("Prénom du Participant", lambda p: text(selectors.participant_name(p)[1])),
    ]
    if organization.is_managing_students:
        columns.append(
            Column(
                "Classe",
                lambda p: text(p.organization_learner.division if p.organization_learner else ""),
            )
        )
    if campaign.external_id_label:
        columns.append(
            Column(campaign.external_id_label, lambda p: text(p.participant_external_id))
        )
    return columns


def _campaign_columns(campaign: Campaign, *, with_profile: bool) -> list[Column]:
    columns = [
        Column("Nom de l'organisation", lambda p: text(campaign.organization.name)),
        Column("ID Campagne", lambda p: campaign.pk),
        Column("Code", lambda p: text(campaign.code)),
        Column("Nom de la campagne", lambda p: text(campaign.name)),
    ]
    if with_profile:
        profile_name = campaign.target_profile.name if campaign.target_profile else ""
        columns.append(Column("Nom du Profil Cible", lambda p: text(profile_name)))
    return columns


def _competences(p: Participation) -> dict:
    """The row's per-competence snapshot, read once per row (many columns use it)."""
    cached = p.__dict__.get("_export_competences")
    if cached is None:
        cached = p.__dict__["_export_competences"] = (p.snapshot or {}).get("competences") or {}
    return cached


def _shared_only(getter: Callable[[Participation], object]) -> Callable[[Participation], object]:
    return lambda p: getter(p) if p.is_shared else NA


def assessment_columns(campaign: Campaign) -> list[Column]:
    content, skills = selectors.campaign_skills(campaign)
    rules = selectors.profile_rules(campaign.target_profile_id)
    groups = results_by(lambda s: s.competence_id, skills, {})
    competences = [(content.get("competences", cid), group.total) for cid, group in groups.items()]
    competences = sorted(
        ((c, total) for c, total in competences if c is not None),
        key=lambda item: [int(x) if x.isdigit() else 0 for x in item[0].index.split(".")],
    )
    areas: dict[str, list] = {}
    for competence, _total in competences:
        areas.setdefault(competence.area_id, []).append(competence.id)

    def live_progression(p: Participation):
        if p.status != Participation.Status.STARTED:
            return 100
        if p.user_id is None:
            return 0
        known = latest_by_skill(
            assessment_selectors.knowledge_of(p.user_id, skill_ids=[s.id for s in skills])
        )
        return progression(skills, known)

    columns = _campaign_columns(campaign, with_profile=True) + _name_columns(campaign)
    columns += [
        Column("% de progression", live_progression),
        Column("Date de début", lambda p: date_cell(p.created_at)),
        Column("Partage (O/N)", lambda p: yes_no(p.is_shared)),
        Column("Date du partage", lambda p: date_cell(p.shared_at)),
    ]
    if rules.stages:
        top = len(rules.stages) - 1
        columns.append(
            Column(
                f"Palier obtenu (/{top})",
                _shared_only(lambda p: max(0, (p.reached_stage or 1) - 1)),
            )
        )
    for badge in rules.badges:
        columns.append(
            Column(
                f"{badge.title} obtenu (O/N)",
                _shared_only(lambda p, key=badge.key: yes_no(key in (p.badge_keys or []))),
            )
        )
    columns.append(
        Column(
            "% maitrise de l'ensemble des acquis du profil",
            _shared_only(lambda p: round((p.mastery_rate or 0) * 100)),
        )
    )

    def competence_values(p: Participation, cid: str):
        return _competences(p).get(cid) or (0, 0)

    for competence, total in competences:
        name = competence.name
        columns += [
            Column(
                f"% de maitrise des acquis de la compétence {name}",
                _shared_only(
                    lambda p, cid=competence.id, t=total: mastery_percentage(
                        competence_values(p, cid)[0], t
                    )
                ),
            ),
            Column(
                f"Nombre d'acquis du profil cible dans la compétence {name}",
                lambda p, t=total: t,
            ),
            Column(
                f"Acquis maitrisés dans la compétence {name}",
                _shared_only(lambda p, cid=competence.id: competence_values(p, cid)[0]),
            ),
        ]
    totals = {c.id: t for c, t in competences}
    for area_id, competence_ids in areas.items():
        area = content.get("areas", area_id)
        name = area.name if area else area_id
        area_total = sum(totals[cid] for cid in competence_ids)

        def area_validated(p, ids=tuple(competence_ids)):
            return sum(competence_values(p, cid)[0] for cid in ids)

        columns += [
            Column(
                f"% de maitrise des acquis du domaine {name}",
                _shared_only(lambda p, f=area_validated, t=area_total: mastery_percentage(f(p), t)),
            ),
            Column(
                f"Nombre d'acquis du profil cible du domaine {name}",
                lambda p, t=area_total: t,
            ),
            Column(f"Acquis maitrisés du domaine {name}", _shared_only(area_validated)),
        ]
    return columns


def profiles_collection_columns(campaign: Campaign) -> list[Column]:
    content = current_content()
    competences = sorted(
        content.competences,
        key=lambda c: [int(x) if x.isdigit() else 0 for x in c.index.split(".")],
    )

    def level_and_pix(p: Participation, cid: str):
        return _competences(p).get(cid) or (0, 0)

    columns = _campaign_columns(campaign, with_profile=False) + _name_columns(campaign)
    columns += [
        Column("Envoi (O/N)", lambda p: yes_no(p.is_shared)),
        Column("Date de l'envoi", lambda p: date_cell(p.shared_at)),
        Column("Nombre de pix total", _shared_only(lambda p: p.pix_score or 0)),
        Column("Certifiable (O/N)", _shared_only(lambda p: yes_no(p.is_certifiable))),
        Column(
            "Nombre de compétences certifiables",
            _shared_only(lambda p: p.certifiable_competences or 0),
        ),
    ]
    for competence in competences:
        columns += [
            Column(
                f"Niveau pour la compétence {competence.name}",
                _shared_only(lambda p, cid=competence.id: level_and_pix(p, cid)[0]),
            ),
            Column(
                f"Nombre de pix pour la compétence {competence.name}",
                _shared_only(lambda p, cid=competence.id: level_and_pix(p, cid)[1]),
            ),
        ]
    return columns


def columns_for(campaign: Campaign) -> list[Column]:
    if campaign.is_assessment:
        return assessment_columns(campaign)
    return profiles_collection_columns(campaign)


EXPORTED_FIELDS = (
    "user",
    "organization_learner",
    "participant_external_id",
    "status",
    "created_at",
    "shared_at",
    "mastery_rate",
    "validated_skills_count",
    "pix_score",
    "reached_stage",
    "is_certifiable",
    "certifiable_competences",
    "badge_keys",
    "snapshot",
)


def exported_participations(campaign: Campaign):
    """The participations an export lists: each participant's latest, not deleted."""
    return (
        selectors.current_participations(campaign)
        .select_related("organization_learner", "user")
        # only what a row shows: fewer model fields to build and convert per row
        .only(
            *EXPORTED_FIELDS,
            "organization_learner__first_name",
            "organization_learner__last_name",
            "organization_learner__preferred_last_name",
            "organization_learner__division",
            "user__first_name",
            "user__last_name",
        )
        .order_by("pk")
    )


def export_size(campaign: Campaign) -> int:
    return selectors.current_participations(campaign).count()


def rows(campaign: Campaign) -> Iterator[list]:
    """The header then one row per participation, read in chunks (bounded memory)."""
    columns = columns_for(campaign)
    yield [text(column.header) for column in columns]
    for participation in exported_participations(campaign).iterator(chunk_size=CHUNK_SIZE):
        yield [column.value(participation) for column in columns]


class _Line:
    """A file-like object whose ``write`` hands the line back (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def csv_text(campaign: Campaign, *, batch: int = 200) -> Iterator[str]:
    """The CSV as text pieces: a BOM, then lines grouped by ``batch`` to keep writes large."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    pending: list[str] = []
    for row in rows(campaign):
        pending.append(writer.writerow(row))
        if len(pending) >= batch:
            yield "".join(pending)
            pending = []
    if pending:
        yield "".join(pending)


def export_filename(campaign: Campaign, now=None) -> str:
    """``Resultats-<name>-<id>-<date>.csv``, the name in plain ASCII letters, digits, - and _
    (accents dropped: every browser and archive tool keeps such a name intact)."""
    now = timezone.localtime(now or timezone.now(), PARIS)
    ascii_name = unicodedata.normalize("NFKD", campaign.name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9-]+", "_", ascii_name).strip("_")[:80] or "campagne"
    return f"Resultats-{name}-{campaign.pk}-{now:%Y-%m-%d}.csv"


# -- background export --------------------------------------------------------------------------


def export_jobs(campaign: Campaign):
    return Job.objects.filter(kind=EXPORT_JOB_KIND, payload__campaign_id=campaign.pk)


def latest_export_job(campaign: Campaign) -> Job | None:
    return export_jobs(campaign).order_by("-created_at", "-pk").first()


def is_expired(job: Job, now=None) -> bool:
    now = now or timezone.now()
    return job.finished_at is not None and job.finished_at < now - EXPORT_RETENTION


def _delete_file(job: Job) -> None:
    path = (job.result or {}).get("path")
    if path and default_storage.exists(path):
        default_storage.delete(path)
    if path:
        job.result = {**job.result, "path": "", "deleted": True}
        job.save(update_fields=["result"])


def start_export(*, campaign: Campaign, user) -> Job:
    """Ask for a background export; the previous export file of the campaign is deleted."""
    from octets.jobs.services import enqueue_job

    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        running = (
            export_jobs(campaign)
            .filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
            .order_by("-created_at")
            .first()
        )
        if running is not None:
            return running
        for job in export_jobs(campaign).filter(status=Job.Status.SUCCEEDED):
            _delete_file(job)
        return enqueue_job(
            kind=EXPORT_JOB_KIND,
            payload={"campaign_id": campaign.pk, "token": secrets.token_urlsafe(16)},
            organization=campaign.organization,
            created_by=user,
        )


def write_export(job: Job) -> dict:
    """Write the CSV of the job's campaign to the default storage (safe to run twice: the
    same job always writes the same path)."""
    campaign = Campaign.objects.select_related("organization", "target_profile").get(
        pk=job.payload["campaign_id"]
    )
    path = f"{EXPORT_DIR}/{job.pk}-{job.payload['token']}.csv"
    count = 0
    with tempfile.TemporaryFile() as handle:
        stream = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        stream.write("\ufeff")
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        for count, row in enumerate(rows(campaign)):  # noqa: B007 (the last index is the count)
            writer.writerow(row)
        stream.flush()
        stream.detach()
        handle.seek(0)
        if default_storage.exists(path):
            default_storage.delete(path)
        saved = default_storage.save(path, File(handle))
    return {"path": saved, "filename": export_filename(campaign), "rows": count}


def purge_expired_exports(now=None) -> int:
    """Delete the files of exports finished more than 7 days ago (called when an export page is
    opened and by every export job)."""
    now = now or timezone.now()
    done = 0
    for job in Job.objects.filter(
        kind=EXPORT_JOB_KIND,
        status=Job.Status.SUCCEEDED,
        finished_at__lt=now - EXPORT_RETENTION,
    ):
        if (job.result or {}).get("path"):
            _delete_file(job)
            done += 1
    return done


def streaming_response(campaign: Campaign):
    """The CSV as an HTTP download streamed row by row (pages and API)."""
    from django.http import StreamingHttpResponse
    from django.utils.http import content_disposition_header

    response = StreamingHttpResponse(
        (piece.encode("utf-8") for piece in csv_text(campaign)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=export_filename(campaign)
    )
    response["Cache-Control"] = "no-store"
    return response
