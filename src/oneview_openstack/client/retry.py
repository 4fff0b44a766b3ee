"""When a failed request may be sent again, and how long to wait first (tenacity).

Idempotent requests (GET, PUT, DELETE) are retried on connection errors and 500/502/503/504, a
bounded number of times with full jitter, so many conductors do not retry in lock step. Anything
else is retried only when the request provably never left this host (the connection was refused
or never established); a POST that may have reached OneView is the caller's to reconcile.
"""

from __future__ import annotations

from collections.abc import Callable

from oslo_log import log as logging
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from .errors import OneViewConnectionError, ServerError, TLSVerificationError

LOG = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRYABLE_STATUS = frozenset({500, 502, 503, 504})


def is_retryable(error: BaseException, idempotent: bool) -> bool:
    """Whether sending the same request again is both safe and likely to help."""
    if isinstance(error, TLSVerificationError):
        return False  # a certificate does not fix itself
    if isinstance(error, OneViewConnectionError):
        return idempotent or not error.sent
    if isinstance(error, ServerError):
        return idempotent and error.status in RETRYABLE_STATUS
    return False


def retrying(
    *,
    retries: int,
    idempotent: bool,
    wait: float,
    max_wait: float,
    on_retry: Callable[[BaseException], None] | None = None,
) -> Retrying:
    """A tenacity controller: ``retries`` more attempts after the first, full-jitter backoff."""

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        if error is None:
            return
        if on_retry is not None:
            on_retry(error)
        LOG.warning(
            "OneView request failed (attempt %d of %d), retrying: %s",
            state.attempt_number,
            retries + 1,
            error,
        )

    return Retrying(
        stop=stop_after_attempt(retries + 1),
        wait=wait_random_exponential(multiplier=wait, max=max_wait),
        retry=retry_if_exception(lambda error: is_retryable(error, idempotent)),
        before_sleep=before_sleep,
        reraise=True,
    )
