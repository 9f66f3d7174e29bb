"""API answers kept in the cache as the JSON bytes they are sent as.

Building an answer of hundreds of rows and having django-ninja validate it against its schema on
every request cost more than the request's own work (the progress API: 300 agencies; the rankings:
3,300 entries). An endpoint that uses this serializes its answer once per generation and scope,
keeps the bytes, and sends them as they are; its schema still documents the shape, and a test
validates one cached answer against it (``matches_schema``).
"""

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse

from . import caching


def _default(value):
    # As django-ninja (pydantic) writes them: decimals as strings, times in ISO 8601 with their offset.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(data) -> bytes:
    return json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":")).encode()


def fresh_json(
    key: str,
    generation: int | str,
    build: Callable[[], object],
    timeout: int,
    **options,
) -> bytes:
    """``build()``'s answer as JSON bytes, serialized by one caller per generation (``caching.fresh_or_previous``)."""
    return caching.fresh_or_previous(key, generation, lambda: dumps(build()), timeout, **options)


def json_response(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def matches_schema(schema, body: bytes) -> bool:
    """True when ``body`` is exactly what ``schema`` would send for it (tests check the cached answers)."""
    data = json.loads(body)
    return schema.model_validate(data).model_dump(mode="json") == data
