"""The one base every external HTTP adapter stands on.

`ApiClient` owns a `requests.Session` per adapter instance (connection pooling,
a User-Agent), a default (connect, read) timeout on every call, bounded
retries with exponential backoff and full jitter, and the translation of every
transport or HTTP failure into the project's `ServiceError` types.

Retries are done here rather than by urllib3's `Retry` because two rules need
per-call knowledge: a POST is retried only when the caller says it is
idempotent (the system's idempotency key makes it so), and no retry may sleep
past the caller's deadline (the fan-out search has an overall deadline).
A 429 is retried for every method, honouring `Retry-After`: the server
refused the request, so repeating it cannot do the work twice.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.cookies import merge_cookies
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import NewConnectionError

from core import errors, jsontext
from core.numbers import parse_int

logger = logging.getLogger("core.http")

UTF8 = frozenset({"utf-8", "utf8"})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# What of a call's requests arguments `Session.send` takes (see `_prepared`).
_SEND_ARGUMENTS = ("stream", "allow_redirects", "cert")

STATUS_ERRORS: dict[int, type[errors.ServiceError]] = {
    400: errors.InvalidArgument,
    401: errors.Unauthenticated,
    403: errors.PermissionDenied,
    404: errors.NotFound,
    408: errors.DeadlineExceeded,
    409: errors.AlreadyExists,
    410: errors.NotFound,
    412: errors.FailedPrecondition,
    422: errors.InvalidArgument,
    429: errors.ResourceExhausted,
}


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of an OAuth 2.0 bearer token (RFC 6750)."""
    return {"Authorization": f"Bearer {token}"}


def error_body(response: requests.Response) -> dict[str, Any]:
    """The JSON object of an error response, or {} when it carries none.

    Vendors answer errors with a JSON envelope, a plain text or nothing;
    adapters read their fields from this without guarding each time.
    """
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the request cannot have reached the server (refused, DNS,
    connect timeout); False when the connection broke after sending."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    return isinstance(getattr(reason, "reason", reason), NewConnectionError)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if (seconds := parse_int(value)) is not None:
        return float(seconds)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def _read_whole(response: requests.Response) -> None:
    """Read `response`'s body now, in one piece: `Session.send` reads it in
    10 KB chunks, and a search answer's 70 KB took eight rounds through
    urllib3's reader (2.3% of an API search's instructions). requests' own
    reader (`iter_content`), so a body that breaks off or stalls raises what
    `Session.send` raised. `_content` is where requests keeps a read body
    (its pickling restores it there; `Response.content` returns it). A
    response with nothing to read from is left to requests."""
    if response.raw is not None:
        response._content = b"".join(response.iter_content(chunk_size=None))  # noqa: SLF001


class ApiClient:
    """Base class of every adapter to an external HTTP API.

    Subclasses set `system` (a short name used in logs and error details) and
    call `_request()` / `_json()`; they may override `_error_for()` to read the
    vendor's error body.
    """

    system: str = "external"
    pool_size: int = 16

    def __init__(
        self,
        *,
        base_url: str,
        timeout: tuple[float, float] | None = None,
        max_retries: int | None = None,
        backoff_base: float = 0.25,
        backoff_max: float = 8.0,
        retry_after_max: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout or (settings.HTTP_CONNECT_TIMEOUT, settings.HTTP_READ_TIMEOUT)
        self.max_retries = settings.HTTP_MAX_RETRIES if max_retries is None else max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.session = requests.Session()
        # The environment (proxies, CA bundle) is read once per host, not on
        # every call: requests re-scans os.environ and stats ~/.netrc per
        # request when `trust_env` is on (`_environment`).
        self.session.trust_env = False
        self._environments: dict[str, dict[str, Any]] = {}
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self.pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = settings.HTTP_USER_AGENT
        if headers:
            self.session.headers.update(headers)

    def close(self) -> None:
        self.session.close()

    # --- the one place every call goes through --------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool | None = None,
        deadline: float | None = None,
        ok: Iterable[int] = (),
        timeout: tuple[float, float] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one logical request, retrying where it is safe.

        `path` is joined to the base URL unless it is absolute. `deadline` is a
        `time.monotonic()` value no attempt or backoff may pass. Statuses in
        `ok` are returned to the caller instead of raised. `timeout` (connect,
        read) replaces the adapter's default for this call alone.

        A call that is not safe to repeat and may have reached the server
        without an answer (read timeout, connection broken after sending)
        raises with `details["outcome_unknown"] = True`: the server may have
        done the work.

        Raises: Unavailable (connection failure, 5xx, malformed), DeadlineExceeded
        (read timeout or deadline), ResourceExhausted (429 after retries), and
        the ServiceError that `_error_for()` maps any other 4xx to.
        """
        method = method.upper()
        url = (
            path
            if path.startswith(("http://", "https://"))
            else f"{self.base_url}/{path.lstrip('/')}"
        )
        retry_unsafe = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        ok = frozenset(ok)
        attempt = 0
        while True:
            limits = self._timeout_within(deadline, timeout)
            started = time.monotonic()
            try:
                prepared, sending = self._prepared(method, url, kwargs)
                streamed = sending.pop("stream", False)
                response = self.session.send(
                    prepared, timeout=limits, stream=True, **self._environment(url), **sending
                )
                if not streamed:
                    _read_whole(response)
            except requests.exceptions.ConnectionError as exc:
                failure: errors.ServiceError = self._transport_error(exc)
                # Refused or timed out while connecting: nothing reached the
                # server, so even a POST may go again. A connection that broke
                # after sending may have done the work: only idempotent calls.
                if not retry_unsafe and not never_connected(exc):
                    failure.details["outcome_unknown"] = True
                    raise failure from exc
                response = None
            except requests.exceptions.Timeout as exc:
                failure = errors.DeadlineExceeded(
                    f"{self.system}: no answer within {limits[1]:.1f} s",
                    details={"system": self.system},
                )
                if not retry_unsafe:
                    failure.details["outcome_unknown"] = True
                    raise failure from exc
                response = None
            except requests.exceptions.RequestException as exc:
                raise errors.Unavailable(
                    f"{self.system}: request failed ({type(exc).__name__})",
                    details={"system": self.system},
                ) from exc
            self._log(method, url, response, started, attempt)
            if response is not None:
                if response.status_code < 400 or response.status_code in ok:
                    return response
                failure = self._error_for(response)
                retryable = response.status_code == 429 or (
                    retry_unsafe and response.status_code in RETRY_STATUSES
                )
                if not retryable:
                    raise failure
            delay = self._delay(attempt, response)
            if attempt >= self.max_retries or delay is None or not self._fits(deadline, delay):
                raise failure
            self.sleep(delay)
            attempt += 1

    def _prepared(
        self, method: str, url: str, kwargs: dict[str, Any]
    ) -> tuple[requests.PreparedRequest, dict[str, Any]]:
        """The request `Session.request(method, url, **kwargs)` would send,
        and what of `kwargs` goes to `Session.send` (`stream`,
        `allow_redirects`, `cert`). Built from what an adapter keeps on its session,
        its headers and cookies, and the call's own arguments: no adapter
        keeps auth, params or hooks there, and merging every one of those
        settings (each value through a runtime protocol check on Python
        3.11) was 2% of a search's instructions. A header the call sets to
        None is left out, as requests leaves it out."""
        call = dict(kwargs)
        sending = {name: call.pop(name) for name in _SEND_ARGUMENTS if name in call}
        headers = CaseInsensitiveDict(self.session.headers)
        headers.update(call.pop("headers", None) or {})
        for name in [name for name, value in headers.items() if value is None]:
            del headers[name]
        cookies = self.session.cookies
        if call.get("cookies"):  # the call's own go with the session's, as requests merges them
            cookies = merge_cookies(cookies.copy(), call["cookies"])
        call["cookies"] = cookies
        request = requests.Request(method, url, headers=headers, **call)
        return request.prepare(), sending

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`_request()` and parse the body as JSON; malformed → InvalidResponse."""
        response = self._request(method, path, **kwargs)
        return self._parse_json(response)

    def _parse_json(self, response: requests.Response) -> Any:
        if (response.encoding or "utf-8").lower() in UTF8:
            try:
                return jsontext.loads(response.content)
            except ValueError:
                pass  # a byte order mark, or not JSON: requests' reading decides
        try:
            return response.json()
        except ValueError as exc:
            raise errors.InvalidResponse(
                f"{self.system}: the answer is not valid JSON",
                details={"system": self.system, "status": response.status_code},
            ) from exc

    # --- hooks -------------------------------------------------------------------

    def _error_for(self, response: requests.Response) -> errors.ServiceError:
        """Map an HTTP error response to a ServiceError; adapters refine it."""
        status = response.status_code
        # Any other status means the system misbehaves, not that we crashed:
        # never an INTERNAL (500) of ours.
        cls = STATUS_ERRORS.get(status, errors.Unavailable)
        return cls(
            f"{self.system} answered HTTP {status}",
            details={"system": self.system, "status": status},
        )

    def _transport_error(self, exc: Exception) -> errors.ServiceError:
        return errors.Unavailable(
            f"{self.system} cannot be reached", details={"system": self.system}
        )

    # --- helpers -----------------------------------------------------------------

    def _delay(self, attempt: int, response: requests.Response | None) -> float | None:
        """Seconds to wait before the next attempt; None means do not retry."""
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return retry_after if retry_after <= self.retry_after_max else None
        cap = min(self.backoff_max, self.backoff_base * (2**attempt))
        return self.rng.uniform(0, cap)  # full jitter

    def _timeout_within(
        self, deadline: float | None, timeout: tuple[float, float] | None = None
    ) -> tuple[float, float]:
        connect, read = timeout or self.timeout
        if deadline is None:
            return connect, read
        left = deadline - time.monotonic()
        if left <= 0:
            raise errors.DeadlineExceeded(
                f"{self.system}: deadline passed", details={"system": self.system}
            )
        return min(connect, left), min(read, left)

    def _environment(self, url: str) -> dict[str, Any]:
        """The proxies and TLS verification the environment sets for `url`'s
        host (HTTP(S)_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE), as requests reads
        them, remembered per scheme and host. Netrc credentials are not used:
        every adapter sends its own authorization."""
        origin = "/".join(url.split("/", 3)[:3])
        found = self._environments.get(origin)
        if found is None:
            with requests.Session() as reader:  # trust_env on: reads the environment
                merged = reader.merge_environment_settings(origin, {}, None, None, None)
            found = {"proxies": merged["proxies"], "verify": merged["verify"]}
            self._environments[origin] = found
        return found

    @staticmethod
    def _fits(deadline: float | None, delay: float) -> bool:
        return deadline is None or time.monotonic() + delay < deadline

    def _log(
        self,
        method: str,
        url: str,
        response: requests.Response | None,
        started: float,
        attempt: int,
    ) -> None:
        # Never log query strings or bodies: they carry tokens and personal data.
        logger.info(
            "%s %s %s -> %s in %.0f ms (attempt %d)",
            self.system,
            method,
            url.split("?", 1)[0],
            response.status_code if response is not None else "no answer",
            (time.monotonic() - started) * 1000,
            attempt + 1,
        )
