"""The handlers a Job kind runs. A handler takes the Job and must be safe to run twice."""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}


def job_handler(kind: str):
    def register(func: Callable) -> Callable:
        if kind in HANDLERS and HANDLERS[kind] is not func:
            raise ValueError(f"Job kind {kind!r} already has a handler")
        HANDLERS[kind] = func
        return func

    return register
