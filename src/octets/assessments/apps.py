from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "octets.assessments"
    label = "assessments"
    verbose_name = "Évaluations"
