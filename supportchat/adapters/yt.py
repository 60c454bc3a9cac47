"""YTsaurus (YT) over its HTTP proxy API v4: the exclusion table and its attributes.

Follows the YT HTTP proxy reference (yt/docs/en/_includes/user-guide/proxy/
http-reference.md and http.md): commands under `/api/v4/<command>`, params in
the query string or `X-YT-Parameters`, JSON output via `X-YT-Output-Format`,
v4 results wrapped in `{"value": ...}`, errors as a YT error tree in the body
or the `X-YT-Error` header, heavy commands sent to a heavy proxy from `/hosts`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from core import errors
from core.http import ApiClient
from supportchat.adapters.base import TableVersion

logger = logging.getLogger(__name__)

# YT error codes (yt/docs/en/_includes/api/error-codes.md; yt/python yt/common.py).
RESOLVE_ERROR = 500
ACCESS_DENIED = 901

HOSTS_TTL_SECONDS = 60.0
# http.md: JSON output with `encode_utf8=%false` sends text as UTF-8 text; the
# documented default (`%true`) spells every UTF-8 byte as a code point. Written
# in the JSON form of a YSON value, with the header format named, so the
# proxy reads our headers the same whatever its default header format.
JSON_TEXT_FORMAT = json.dumps({"$value": "json", "$attributes": {"encode_utf8": False}})
HEADER_FORMAT = {"X-YT-Header-Format": "json", "X-YT-Output-Format": JSON_TEXT_FORMAT}


class YtClient(ApiClient):
    """The few YT HTTP proxy commands the product needs."""

    system = "yt"

    def __init__(self, *, token: str = "", **kwargs: Any) -> None:
        headers = {"Authorization": f"OAuth {token}"} if token else {}
        super().__init__(headers=headers, **kwargs)
        self._heavy: tuple[float, str] | None = None

    # http-reference.md, command `get` (light, GET): `{"value": ...}` in v4.
    def get(self, path: str) -> Any:
        """The value of Cypress node or attribute `path` (e.g. `//t/@modification_time`).

        Raises NotFound (no such node: YT resolve error), PermissionDenied,
        Unauthenticated, Unavailable, InvalidResponse.
        """
        response = self._request(
            "GET",
            "api/v4/get",
            params={"path": path},
            headers=HEADER_FORMAT,
        )
        _raise_for_yt_error(response)
        body = self._parse_json(response)
        if not isinstance(body, dict) or "value" not in body:
            raise errors.InvalidResponse(
                "yt: `get` answered without a value", details={"path": path}
            )
        return body["value"]

    # http-reference.md, command `read_table` (heavy, GET) with JSON output:
    # one JSON object per line; sent to the first heavy proxy from `/hosts`.
    def read_table(self, path: str) -> Iterator[dict[str, Any]]:
        """Yield the rows of static table `path` as dicts.

        Raises what `get` raises; Unavailable when the stream breaks off;
        InvalidResponse on a line that is not a JSON object.
        """
        url = f"{self._heavy_proxy()}/api/v4/read_table"
        headers = {"X-YT-Parameters": json.dumps({"path": path}), **HEADER_FORMAT}
        response = self._request("GET", url, stream=True, headers=headers, allow_redirects=False)
        if response.is_redirect:
            # http.md: a light proxy answers a heavy command with a 307 to a
            # heavy proxy. `requests` would follow it but drop Authorization on
            # the cross-host hop, so we follow it ourselves, once, with our headers.
            target = urljoin(url, response.headers["Location"])
            response.close()
            response = self._request(
                "GET", target, stream=True, headers=headers, allow_redirects=False
            )
            if response.is_redirect:
                response.close()
                raise errors.Unavailable("yt: read_table was redirected more than once")
        with response:
            _raise_for_yt_error(response)
            yield from _rows(response)

    # http.md: `GET /hosts` lists heavy proxies, least loaded first; re-query
    # about every minute.
    def _heavy_proxy(self) -> str:
        now = time.monotonic()
        if self._heavy and now - self._heavy[0] < HOSTS_TTL_SECONDS:
            return self._heavy[1]
        base = self.base_url
        try:
            hosts = self._json("GET", "hosts")
        except errors.ServiceError as exc:
            # A light proxy still serves heavy commands by a 307 redirect,
            # which `read_table` follows explicitly (keeping the token).
            logger.warning("yt: no heavy proxy list (%s), using %s", exc.message, base)
            hosts = []
        if isinstance(hosts, list) and hosts and isinstance(hosts[0], str):
            base = f"{urlsplit(self.base_url).scheme}://{hosts[0].rstrip('/')}"
        self._heavy = (now, base)
        return base

    def retry_delay(self, attempt: int) -> float | None:
        """Seconds to wait before repeating a whole read (`attempt` from 0): the
        client's own backoff; None once `max_retries` is spent."""
        return None if attempt >= self.max_retries else self._delay(attempt, None)

    def _error_for(self, response: requests.Response) -> errors.ServiceError:
        error = _yt_error(response)
        if error is None:
            return super()._error_for(response)
        return _service_error(error, status=response.status_code)


class TableChanged(errors.Unavailable):
    """The table changed while it was read: reading the same version again
    cannot succeed; the next run reads the new one."""


class YtExclusionSource:
    """The exclusion list as a YT table with a client id column."""

    def __init__(self, client: YtClient, *, table: str, column: str) -> None:
        self.client = client
        self.table = table
        self.column = column

    def version(self) -> TableVersion:
        modified = self.client.get(f"{self.table}/@modification_time")
        return TableVersion(
            location=self.table,
            modified_at=parse_modification_time(modified),
            row_count=self._row_count(),
        )

    def _row_count(self) -> int | None:
        # (unverified) `@row_count`: the standard system attribute of static tables. We
        # read it only to detect a read_table stream cut short (whose error YT
        # sends in HTTP trailers, which `requests` cannot see); a table without
        # it skips that check. This is the one place that relies on it.
        try:
            value = self.client.get(f"{self.table}/@row_count")
        except errors.NotFound:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise errors.InvalidResponse(f"yt: row_count of {self.table} is {value!r}")
        return value

    def client_ids(self, version: TableVersion) -> list[int]:
        """Every client id of the table; a read that breaks off is retried whole.

        YT may fail several times in a row, and a broken stream cannot be
        resumed, so the whole read is repeated, up to the client's
        `max_retries` times with its backoff. Raises what the last attempt
        raised (Unavailable, DeadlineExceeded), at once for anything else.
        """
        attempt = 0
        while True:
            try:
                return self._read_ids(version)
            except (errors.InvalidResponse, TableChanged):
                raise  # bad data reads the same every time; a new version is the next run's
            except (errors.Unavailable, errors.DeadlineExceeded) as exc:
                delay = self.client.retry_delay(attempt)
                if delay is None:
                    raise
                logger.warning("yt: reading %s failed (%s), retrying", self.table, exc.message)
                self.client.sleep(delay)
                attempt += 1

    def _read_ids(self, version: TableVersion) -> list[int]:
        ids = []
        for number, row in enumerate(self.client.read_table(self.table), start=1):
            value = row.get(self.column)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise errors.InvalidResponse(
                    f"yt: row {number} of {self.table} has no valid {self.column} ({value!r:.40})",
                    details={"table": self.table, "row": number},
                )
            ids.append(value)
        if version.row_count is not None and len(ids) != version.row_count:
            now = self.version()
            if now.modified_at != version.modified_at:
                raise TableChanged(
                    f"yt: {self.table} changed while it was read (modified at "
                    f"{now.modified_at.isoformat()}): the next run reads the new version",
                    details={"table": self.table, "reason": "table_changed"},
                )
            raise errors.Unavailable(
                f"yt: read {len(ids)} rows of {self.table}, the table has {version.row_count} "
                "(the stream was cut short)",
                details={"table": self.table},
            )
        return ids


def parse_modification_time(value: Any) -> datetime:
    """`"2013-12-06T19:00:48.256444Z"` → aware UTC datetime; else InvalidResponse."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if not isinstance(value, str) or moment is None or moment.tzinfo is None:
        raise errors.InvalidResponse(f"yt: modification_time {value!r:.60} is not an ISO time")
    return moment.astimezone(UTC)


def _rows(response: requests.Response) -> Iterator[dict[str, Any]]:
    try:
        for number, line in enumerate(response.iter_lines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            if not isinstance(row, dict):
                raise errors.InvalidResponse(
                    f"yt: read_table line {number} is not a JSON object", details={"line": number}
                )
            yield row
    except requests.exceptions.RequestException as exc:
        raise errors.Unavailable(f"yt: read_table stream broke off ({type(exc).__name__})") from exc


def _yt_error(response: requests.Response) -> dict[str, Any] | None:
    """The YT error tree from the X-YT-Error header or the body, if any."""
    raw = response.headers.get("X-YT-Error")
    if raw is None and response.status_code >= 400:
        raw = response.text
    if raw is None:
        return None
    try:
        error = json.loads(raw)
    except ValueError:
        return None
    return error if isinstance(error, dict) and "code" in error else None


def _raise_for_yt_error(response: requests.Response) -> None:
    # http-reference.md: judge a 2xx by X-YT-Error / X-YT-Response-Code too.
    error = _yt_error(response)
    code = response.headers.get("X-YT-Response-Code", "0")
    if error is not None:
        raise _service_error(error, status=response.status_code)
    if code != "0":
        message = response.headers.get("X-YT-Response-Message", "")
        raise errors.Unavailable(f"yt: error {code}: {message[:200]}")


def _codes(error: dict[str, Any]) -> set[int]:
    codes = {error.get("code")}
    for inner in error.get("inner_errors") or []:
        if isinstance(inner, dict):
            codes |= _codes(inner)
    return {c for c in codes if isinstance(c, int)}


def _service_error(error: dict[str, Any], *, status: int) -> errors.ServiceError:
    codes = _codes(error)
    message = f"yt: {str(error.get('message', 'error'))[:300]}"
    details = {"system": "yt", "status": status, "yt_codes": sorted(codes)}
    if RESOLVE_ERROR in codes and status < 500:
        return errors.NotFound(message, details=details)
    if ACCESS_DENIED in codes or status == 403:
        return errors.PermissionDenied(message, details=details)
    if status == 401:
        return errors.Unauthenticated(message, details=details)
    if status == 429:
        return errors.ResourceExhausted(message, details=details)
    return errors.Unavailable(message, details=details)
