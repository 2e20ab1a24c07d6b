"""Serving: the TAXII 2.1 API under /taxii2/."""

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
    check: bool = typer.Option(False, "--check", help="Only check that the address can be listened on, then exit "
                               "(run it before long work that ends in serving)."),
) -> None:
    """Serve the TAXII 2.1 API (under /taxii2/) with uvicorn."""
    common.at_least(workers, 1, "--workers")
    if port is not None and not 0 < port < 65536:
        raise LiaisonError("--port must be 1-65535", f"--port {port}", "Give a port number")
    settings = common.settings()
    updates = {k: v for k, v in (("host", host), ("port", port), ("server_workers", workers)) if v is not None}
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
    note(f"TAXII 2.1 at http://{settings.host}:{settings.port}/taxii2/ ({settings.server_workers} workers, "
         f"store {common.store(settings).url}); Ctrl-C stops it")
    uvicorn.run("liaison.share.app:create_app", factory=True, host=settings.host, port=settings.port,
                workers=settings.server_workers, log_level="warning", access_log=False)
    note("stopped")


COMMANDS = [serve]
