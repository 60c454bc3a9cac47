"""`scripts/start.sh` refuses at once, in one line, when its port is taken."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "start.sh"


def start(port: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT)],
        env={**os.environ, "PORT": port},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_taken_port_is_refused_at_once_in_one_line():
    with socket.create_server(("127.0.0.1", 0)) as holder:
        port = holder.getsockname()[1]
        started = time.monotonic()
        done = start(str(port))
    assert done.returncode == 1
    assert time.monotonic() - started < 5  # before installing or migrating anything
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert f"Port {port} is already in use" in line and "PORT=" in line


def test_a_port_that_is_no_number_is_refused():
    done = start("eighty")
    assert done.returncode == 1 and "eighty" in done.stderr


def _free(port: int) -> bool:
    try:
        socket.create_server(("127.0.0.1", port)).close()
    except OSError:
        return False
    return True


def test_a_taken_emulator_port_is_refused_at_once_naming_the_emulator():
    # The YT emulator's port is PORT+102; PORT and the other emulators' ports
    # (PORT+101, PORT+103) must be free for the check to reach it. Ports are
    # chosen by the OS, so try a few until such a set turns up.
    for _ in range(20):
        holder = socket.create_server(("127.0.0.1", 0))
        emulator_port = holder.getsockname()[1]
        port = emulator_port - 102
        if all(_free(p) for p in (port, port + 101, port + 103)):
            break
        holder.close()
    else:
        pytest.skip("no free set of ports around a taken one")
    with holder:
        started = time.monotonic()
        done = start(str(port))
    assert done.returncode == 1
    assert time.monotonic() - started < 5
    [line] = done.stderr.splitlines()
    assert f"Port {emulator_port} (the yt emulator" in line
