"""The error every assessment rule raises; pages and the API answer with ``status``."""


class AssessmentError(Exception):
    def __init__(
        self, message: str, *, code: str, status: int = 400, details: list[str] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details = details or []
