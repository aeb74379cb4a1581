"""The error every assessment rule raises; pages and the API answer with ``status``."""

from octets.errors import RuleError


class AssessmentError(RuleError):
    pass
