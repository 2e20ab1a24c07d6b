"""Serving: the web UI at / and the TAXII 2.1 API under /taxii2/, one uvicorn application.

Behind a reverse proxy (docs/web.md), uvicorn's proxy headers are on: the client address and
scheme come from X-Forwarded-For and X-Forwarded-Proto, but only from the addresses given by
``--forwarded-allow-ips`` (uvicorn's own FORWARDED_ALLOW_IPS otherwise, loopback by default), so a
client that reaches the server directly cannot claim another address to dodge the sign-in limits."""

from __future__ import annotations

import os
import socket

import typer

from liaison.cli import common
from liaison.cli.render import note
from liaison.errors import LiaisonError


def check_address(host: str, port: int) -> None:
    """One clear line when the address is taken or not this machine's, before any work is done."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise LiaisonError(f"cannot listen: {reason}", f"{host}:{port}",
                           "Choose another --port/--host or stop the program using it") from None


def serve(
    host: str = typer.Option(None, "--host", help="Address to listen on (default: LIAISON_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default: LIAISON_PORT, 8000)."),
    workers: int = typer.Option(None, "--workers", "-w", help="Server processes (default: LIAISON_SERVER_WORKERS)."),
    forwarded_allow_ips: str = typer.Option(
        None, "--forwarded-allow-ips", help="Addresses of the reverse proxies whose X-Forwarded-For/-Proto are "
        "believed, comma-separated, or '*' (default: LIAISON_FORWARDED_ALLOW_IPS, 127.0.0.1,::1)."),
    check: bool = typer.Option(False, "--check", help="Only check that the address can be listened on, then exit "
                               "(run it before long work that ends in serving)."),
) -> None:
    """Serve the web UI (at /) and the TAXII 2.1 API (under /taxii2/) with uvicorn."""
    common.at_least(workers, 1, "--workers")
    if port is not None and not 0 < port < 65536:
        raise LiaisonError("--port must be 1-65535", f"--port {port}", "Give a port number")
    settings = common.settings()
    updates = {k: v for k, v in (("host", host), ("port", port), ("server_workers", workers),
                                 ("forwarded_allow_ips", forwarded_allow_ips)) if v is not None}
    settings = settings.model_copy(update=updates)
    check_address(settings.host, settings.port)
    if check:
        note(f"{settings.host}:{settings.port} is free")
        return
    import uvicorn

    # Migrate and catch store-following collections up once, before the workers start.
    common.sharing(settings).sync_all()
    for key, value in updates.items():  # the worker processes read their settings from the environment
        os.environ[f"LIAISON_{key.upper()}"] = str(value)
    base = f"http://{_url_host(settings.host)}:{settings.port}"
    note(f"web UI at {base}/ (accounts: `liaison users add NAME --org self`)")
    note(f"TAXII 2.1 at {base}/taxii2/ ({settings.server_workers} workers, "
         f"store {common.store(settings).url}); Ctrl-C stops it")
    uvicorn.run("liaison.share.app:create_app", factory=True, host=settings.host, port=settings.port,
                workers=settings.server_workers, log_level="warning", access_log=False, proxy_headers=True,
                forwarded_allow_ips=settings.forwarded_allow_ips)
    note("stopped")


def _url_host(host: str) -> str:
    """The host as a URL names it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


COMMANDS = [serve]
