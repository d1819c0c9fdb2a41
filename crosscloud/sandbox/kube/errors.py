"""Kubernetes `Status` errors, shaped like the real API server's so clients map them the same."""

from __future__ import annotations

from typing import Any

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    500: "InternalError",
    503: "ServiceUnavailable",
}


class ApiError(Exception):
    """Raised anywhere below the HTTP layer; the server turns it into a Status response."""

    def __init__(self, code: int, message: str, *, reason: str | None = None,
                 details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or _REASONS.get(code, "Unknown")
        self.details = details

    def status(self) -> dict[str, Any]:
        return status_body(self.code, self.message, self.reason, self.details)


def status_body(code: int, message: str, reason: str = "", details: dict | None = None,
                *, success: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success" if success else "Failure",
        "code": code,
    }
    if message:
        body["message"] = message
    if reason:
        body["reason"] = reason
    if details:
        body["details"] = details
    return body


def _details(rtype, name: str) -> dict[str, Any]:
    d: dict[str, Any] = {"name": name, "kind": rtype.plural}
    if rtype.group:
        d["group"] = rtype.group
    return d


def not_found(rtype, name: str) -> ApiError:
    return ApiError(404, f'{rtype.qualified} "{name}" not found', details=_details(rtype, name))


def already_exists(rtype, name: str) -> ApiError:
    return ApiError(409, f'{rtype.qualified} "{name}" already exists', reason="AlreadyExists",
                    details=_details(rtype, name))


def conflict(rtype, name: str, why: str) -> ApiError:
    return ApiError(409, f'Operation cannot be fulfilled on {rtype.qualified} "{name}": {why}',
                    details=_details(rtype, name))


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def invalid(rtype, name: str, field: str, why: str) -> ApiError:
    details = _details(rtype, name)
    details["causes"] = [{"reason": "FieldValueInvalid", "message": why, "field": field}]
    return ApiError(422, f'{rtype.kind}{"." + rtype.group if rtype.group else ""} "{name}" is invalid: {field}: {why}',
                    details=details)
