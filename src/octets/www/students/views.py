"""Pupils pages (Orga "Élèves"): the list, a pupil, logins for pupils, the SIECLE import."""

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from octets.students import selectors, services
from octets.students.models import LearnerImport
from octets.www.orga.views import PAGE_SIZES, paginate
from octets.www.students.forms import ImportForm, LearnerFilterForm
from octets.www.students.permissions import students_required

CSV_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def _problem(request, exc, status=None, template="students/problem.html", context=None):
    return render(
        request,
        template,
        {"problem": exc, "nav": "students", **(context or {})},
        status=status or exc.status,
    )


# --- list and pupil --------------------------------------------------------------------------


@students_required()
def learner_list(request):
    org, user = request.organization, request.user
    divisions = selectors.divisions(viewer=user, organization=org)
    filters = LearnerFilterForm(request.GET or None, divisions=divisions)
    data = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.learners(
        viewer=user,
        organization=org,
        search=data.get("search", ""),
        divisions=data.get("classe", ()),
        login_methods=data.get("connexion", ()),
        certifiability=data.get("certificabilite", ()),
        include_disabled=data.get("partis", False),
        sort=data.get("tri") or "nom",
    )
    page = paginate(request, qs)
    rows = [(learner, selectors.login_methods_of(learner)) for learner in page.object_list]
    context = {
        "nav": "students",
        "tab": "list",
        "filters": filters,
        "page_obj": page,
        "rows": rows,
        "result_count": page.paginator.count,
        "page_sizes": PAGE_SIZES,
        "page_size": page.paginator.per_page,
        "divisions": divisions,
        "filtered": bool(request.GET.dict().keys() - {"page", "taille", "tri"}),
    }
    template = "students/list.html#learners-table" if request.htmx else "students/list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _own_learner(request, learner_id):
    learner = selectors.learner(
        viewer=request.user, organization=request.organization, learner_id=learner_id
    )
    if learner is None:
        raise Http404(_("Cet élève n'existe pas dans votre établissement."))
    return learner


@students_required()
def learner_detail(request, learner_id: int):
    learner = _own_learner(request, learner_id)
    return render(
        request,
        "students/detail.html",
        {
            "nav": "students",
            "learner": learner,
            "login_methods": selectors.login_methods_of(learner),
            "participations": list(selectors.participations_of_learner(learner)),
        },
    )


def _credentials_page(request, learner, credential, title):
    return render(
        request,
        "students/credentials.html",
        {
            "nav": "students",
            "learner": learner,
            "credential": credential,
            "title": title,
            "login_methods": selectors.login_methods_of(
                selectors.learner(
                    viewer=request.user, organization=request.organization, learner_id=learner.pk
                )
            ),
        },
    )


@require_POST
@students_required()
def add_username(request, learner_id: int):
    learner = _own_learner(request, learner_id)
    try:
        credential = services.add_username(learner=learner, by=request.user)
    except services.StudentsError as exc:
        return _problem(request, exc)
    return _credentials_page(request, learner, credential, _("Identifiant ajouté"))


@require_POST
@students_required()
def reset_password(request, learner_id: int):
    learner = _own_learner(request, learner_id)
    try:
        credential = services.reset_password(learner=learner, by=request.user)
    except services.StudentsError as exc:
        return _problem(request, exc)
    return _credentials_page(request, learner, credential, _("Mot de passe réinitialisé"))


def _csv_cell(value: str) -> str:
    value = value or ""
    return "'" + value if value.startswith(CSV_DANGEROUS_START) else value


@require_POST
@students_required()
def batch_credentials(request):
    org = request.organization
    division = request.POST.get("classe", "").strip()
    ids = [int(v) for v in request.POST.getlist("eleves") if v.isdigit()]
    qs = selectors.learners(viewer=request.user, organization=org)
    if division:
        qs = qs.filter(division=division)
    elif ids:
        qs = qs.filter(pk__in=ids)
    else:
        return _problem(
            request,
            services.StudentsError(
                _("Choisissez une classe ou cochez au moins un élève."), code="NOTHING_SELECTED"
            ),
        )
    outcome = services.generate_credentials(learners=list(qs), by=request.user)
    if outcome.skipped:
        messages.info(
            request,
            ngettext(
                "%(count)s élève se connecte par adresse e-mail ou par le Médiacentre : son compte n'a pas été modifié.",
                "%(count)s élèves se connectent par adresse e-mail ou par le Médiacentre : leurs comptes n'ont pas été modifiés.",
                len(outcome.skipped),
            )
            % {"count": len(outcome.skipped)},
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["division", "nom", "prénom", "identifiant", "mot de passe"])
    for credential in outcome.credentials:
        learner = credential.learner
        writer.writerow(
            [
                _csv_cell(learner.division),
                _csv_cell(learner.last_name),
                _csv_cell(learner.first_name),
                credential.username,
                credential.password,
            ]
        )
    stamp = timezone.localtime().strftime("%Y%m%d_%H%M")
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{stamp}_identifiants_eleves.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- import --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@students_required(admin=True)
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    last = selectors.imports(viewer=request.user, organization=request.organization).first()
    context = {"nav": "students", "form": form, "last_import": last}
    if request.method == "GET":
        return render(request, "students/import.html", context)
    if not form.is_valid():
        return render(request, "students/import.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        learner_import = services.start_import(
            organization=request.organization,
            uploaded_by=request.user,
            file_name=upload.name,
            upload=upload,
        )
    except services.StudentsError as exc:
        return render(
            request, "students/import.html", {**context, "problem": exc}, status=exc.status
        )
    return redirect("students:import_detail", import_id=learner_import.pk)


def _own_import(request, import_id) -> LearnerImport:
    learner_import = selectors.learner_import(
        viewer=request.user, organization=request.organization, import_id=import_id
    )
    if learner_import is None:
        raise Http404(_("Cet import n'existe pas pour votre établissement."))
    return learner_import


@students_required(admin=True)
def import_detail(request, import_id: int):
    learner_import = _own_import(request, import_id)
    context = {"nav": "students", "learner_import": learner_import, "Status": LearnerImport.Status}
    template = (
        "students/import_detail.html#import-status"
        if request.htmx
        else "students/import_detail.html"
    )
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@require_POST
@students_required(admin=True)
def import_confirm(request, import_id: int):
    learner_import = _own_import(request, import_id)
    try:
        services.confirm_import(learner_import=learner_import, by=request.user)
    except services.StudentsError as exc:
        return _problem(request, exc)
    return redirect("students:import_detail", import_id=learner_import.pk)


@require_POST
@students_required(admin=True)
def import_cancel(request, import_id: int):
    learner_import = _own_import(request, import_id)
    try:
        services.cancel_import(learner_import=learner_import)
    except services.StudentsError as exc:
        return _problem(request, exc)
    messages.info(request, _("L'import a été annulé : aucun élève n'a été modifié."))
    return redirect("students:import")


@students_required(admin=True)
def import_history(request):
    qs = selectors.imports(viewer=request.user, organization=request.organization)
    page = paginate(request, qs)
    return render(
        request,
        "students/imports.html",
        {"nav": "students", "page_obj": page, "result_count": page.paginator.count},
    )
