"""Error responses that can always be sent: a 422 names what is wrong without echoing the input
back (it may be a secret typed in the wrong field, or a value JSON cannot carry, like the
infinity ``1e400`` parses to, which used to turn the 422 into a 500)."""
from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def _printable(part: Any) -> str | int:
    return part if isinstance(part, int) else str(part).encode("utf-8", "replace").decode("utf-8")


async def validation_failed(request: Request, exc: RequestValidationError) -> JSONResponse:
    detail = [{"loc": [_printable(p) for p in error.get("loc", ())], "msg": _printable(error.get("msg", "")),
               "type": _printable(error.get("type", ""))} for error in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)
