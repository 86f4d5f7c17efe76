"""The write token: one secret per server, compared in constant time."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

WRITES_OFF = ("writes are disabled: start the server with a token "
              "(ACCORD_TOKEN=... accord serve) to enable review")


class Auth:
    """The server's write token; requests prove it with ``Authorization: Bearer`` or, from
    the dashboard's forms, a token field (which a cross-site form cannot know: CSRF-safe)."""

    def __init__(self, token: str | None) -> None:
        self.token = token or None

    @property
    def enabled(self) -> bool:
        return self.token is not None

    def check(self, given: str | None) -> None:
        if self.token is None:
            raise HTTPException(403, WRITES_OFF)
        if not given or not hmac.compare_digest(given.encode(), self.token.encode()):
            raise HTTPException(401, "missing or wrong token",
                                headers={"WWW-Authenticate": "Bearer"})

    def check_header(self, request: Request) -> None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        self.check(value.strip() if scheme.lower() == "bearer" else None)
