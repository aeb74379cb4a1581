"""The error campaign rules raise (a French message, a stable code, an HTTP status)."""

from octets.errors import RuleError


class CampaignError(RuleError):
    """A campaign or participation rule was not met."""
