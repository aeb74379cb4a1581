"""The error a domain rule raises: a French message for the person, a stable code, the HTTP
status pages and API answer with, and the list of what went wrong (e.g. each bad e-mail)."""


class RuleError(Exception):
    def __init__(
        self, message: str, *, code: str, status: int = 400, details: list[str] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details = details or []
