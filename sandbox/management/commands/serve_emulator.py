"""Serve one emulator at the root of its own port, for the vendors' official clients."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.core.servers.basehttp import run

from sandbox.hosting import SYSTEMS, EmulatorHandler


class Command(BaseCommand):
    help = "Serve one emulator at the root of its own port (e.g. serve_emulator yt 127.0.0.1:8102)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("system", choices=SYSTEMS)
        parser.add_argument("addr", nargs="?", default="127.0.0.1:8101", help="host:port")

    def handle(self, *args, system: str, addr: str, **options) -> None:
        host, _, port = addr.rpartition(":")
        self.stdout.write(f"{system} emulator at http://{addr}/")
        run(host or "127.0.0.1", int(port), EmulatorHandler(system), threading=True)
