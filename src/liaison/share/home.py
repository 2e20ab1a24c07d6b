"""`/`: where the web UI will be. Until it lands, a short page saying so (never a TAXII answer)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Liaison</title></head>
<body><h1>Liaison</h1><p>The web UI is not here yet. The TAXII 2.1 API is at <a href="/taxii2/">/taxii2/</a>.</p>
</body></html>
"""


@router.get("/", include_in_schema=False)
def home() -> HTMLResponse:
    return HTMLResponse(PAGE)
