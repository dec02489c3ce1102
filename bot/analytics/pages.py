"""The supervisor dashboard page and its assets, served by the app (nothing from a CDN).

Chart.js comes from the npm registry via ``make install`` (``npm ci`` of the pinned package.json
into the git-ignored ``node_modules/``); without it the page still shows every figure as tables.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from bot.settings import PROJECT_ROOT

STATIC = Path(__file__).resolve().parents[1] / "static"
CHART_JS = PROJECT_ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
async def dashboard_page() -> FileResponse:
    """The dashboard; a supervisor logs in there, then it reads /api/analytics/*."""
    return FileResponse(STATIC / "dashboard.html", media_type="text/html")


@router.get("/dashboard/dashboard.js")
async def dashboard_script() -> FileResponse:
    return FileResponse(STATIC / "dashboard.js", media_type="text/javascript")


@router.get("/dashboard/dashboard.css")
async def dashboard_style() -> FileResponse:
    return FileResponse(STATIC / "dashboard.css", media_type="text/css")


@router.get("/dashboard/vendor/chart.umd.min.js")
async def chart_library() -> FileResponse:
    """Chart.js (MIT licence, node_modules/chart.js/LICENSE.md)."""
    if not CHART_JS.exists():
        raise HTTPException(404, "chart.js is not installed: run `make install` (npm ci)")
    return FileResponse(CHART_JS, media_type="text/javascript")
