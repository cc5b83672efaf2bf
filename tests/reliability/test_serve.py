"""Issue 15, category 8: `serve` is for the person at this machine only. Whoever reaches
the served workbench drives it, *Apply plan* included; a page on another site can make
the browser send requests to 127.0.0.1 (a WebSocket from a cross-site page, a DNS name
rebound to 127.0.0.1). Each test starts the real `serve` command as a process on a free
port and talks to it as a browser or an attacker's page would, with aiohttp's HTTP and
WebSocket clients: without the run's token, with a wrong one, under another `Host`, from
another `Origin`, every request is refused; the URL `serve` prints opens the workbench."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from support.repos import make_repo

from . import stats
from .processes import APP, SCRIPT, cli

TIMEOUT = 120
"""Seconds for each test's exchanges, and for the server to start: a refusal that
never comes fails the test instead of hanging the suite."""

REPO_NAME = "served_repo"
"""The repo's folder name, which the workbench shows while it opens it."""

STATIC_ASSET = re.compile(r"""(?:href|src)="([^"]+)"|url\("([^"]+)"\)""")


@dataclass
class Served:
    """A running `serve` and what it printed."""
    port: int
    token: str
    """The token in the printed URL; "" if it printed none."""
    printed_url: str

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(autouse=True)
def _installed() -> None:
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`serve` on a small repo, in its own process group: the group (the server and the
    workbench processes it started) is killed at the end, whatever happened."""
    repo = make_repo(tmp_path / REPO_NAME, APP)
    port = _free_port()
    output = tmp_path / "serve.out"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [str(SCRIPT), "serve", str(repo), "--port", str(port)], cwd=repo,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        printed_url = _printed_url(output, process)
        with socket.socket() as client:  # printed once it listens, not before
            assert client.connect_ex(("127.0.0.1", port)) == 0
        token = parse_qs(urlsplit(printed_url).query).get("token", [""])[0]
        yield Served(port=port, token=token, printed_url=printed_url)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=TIMEOUT)


def _printed_url(output: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        text = output.read_text(errors="replace")
        found = re.search(r"http://127\.0\.0\.1:\d+\S*", text)
        if found:
            return found.group(0)
        assert process.poll() is None, f"serve exited: {text}"
        time.sleep(0.1)
    raise AssertionError(f"serve printed no URL in {TIMEOUT} s")


def _session() -> aiohttp.ClientSession:
    """A browser-like client: it keeps cookies, for IP hosts too (127.0.0.1)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 timeout=aiohttp.ClientTimeout(total=TIMEOUT))


async def _status(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> int:
    async with session.get(url, allow_redirects=False, **kwargs) as response:
        return response.status


async def _websocket_status(session: aiohttp.ClientSession, url: str,
                            **kwargs: Any) -> int:
    """101 if the WebSocket opened (it is closed at once), else the refusal's status."""
    try:
        async with session.ws_connect(url, **kwargs):
            return 101
    except aiohttp.WSServerHandshakeError as refusal:
        return refusal.status


def _refused(status: int) -> bool:
    return status in (403, 421)


async def test_a_request_without_the_token_is_refused(served: Served) -> None:
    async with asyncio.timeout(TIMEOUT), _session() as session:
        for path in ("/", "/?fontsize=20", "/static/js/textual.js",
                     "/static/css/xterm.css", "/download/anything", "/nowhere"):
            stats.bump("bad inputs tried")
            assert await _status(session, served.url(path)) == 403, path
        stats.bump("bad inputs tried")
        origin = served.url("").rstrip("/")
        assert await _websocket_status(
            session, served.url("/ws?width=80&height=24").replace("http", "ws", 1),
            origin=origin) == 403


async def test_a_wrong_token_is_refused(served: Served) -> None:
    wrong = secrets.token_urlsafe(32)
    origin = served.url("").rstrip("/")
    async with asyncio.timeout(TIMEOUT), _session() as session:
        for path in (f"/?token={wrong}", f"/static/js/textual.js?token={wrong}",
                     f"/?token={served.token}x", "/?token=", f"/?token={served.token[:-1]}"):
            stats.bump("bad inputs tried")
            assert await _status(session, served.url(path)) == 403, path
        stats.bump("bad inputs tried")
        assert await _websocket_status(
            session, f"ws://127.0.0.1:{served.port}/ws?token={wrong}&width=80&height=24",
            origin=origin) == 403
        stats.bump("bad inputs tried")
        cookie = {f"pyagent_workbench_token_{served.port}": wrong}
        assert await _status(session, served.url("/"), cookies=cookie) == 403


async def test_a_host_that_is_not_a_loopback_name_is_refused(served: Served) -> None:
    """A rebound DNS name reaches 127.0.0.1 with its own name in `Host`: refused even
    with the right token; the loopback names, with the port or without, are served."""
    page = f"/?token={served.token}"
    async with asyncio.timeout(TIMEOUT), _session() as session:
        for host in ("evil.example", f"evil.example:{served.port}",
                     f"localhost.evil.example:{served.port}", f"127.0.0.1.nip.io:{served.port}",
                     f"127.0.0.1:{served.port + 1}", f"0.0.0.0:{served.port}"):
            stats.bump("bad inputs tried")
            status = await _status(session, served.url(page), headers={"Host": host})
            assert _refused(status), (host, status)
        stats.bump("bad inputs tried")
        status = await _websocket_status(
            session, f"ws://127.0.0.1:{served.port}/ws?token={served.token}",
            headers={"Host": f"evil.example:{served.port}"},
            origin=f"http://evil.example:{served.port}")
        assert _refused(status), status
        for host in ("127.0.0.1", f"localhost:{served.port}", f"[::1]:{served.port}"):
            assert await _status(session, served.url(page), headers={"Host": host}) == 200


async def test_a_websocket_from_another_origin_is_refused(served: Served) -> None:
    """A cross-site page can open a WebSocket to 127.0.0.1 (the same-origin policy does
    not cover WebSockets): one whose `Origin` is not the server's own, or that has no
    `Origin`, is refused even with the right token and cookie."""
    ws_url = f"ws://127.0.0.1:{served.port}/ws?token={served.token}&width=80&height=24"
    async with asyncio.timeout(TIMEOUT), _session() as session:
        assert await _status(session, served.printed_url) == 200  # the cookie, too
        for origin in ("http://evil.example", f"http://evil.example:{served.port}",
                       f"http://127.0.0.1:{served.port + 1}", "null",
                       f"https://127.0.0.1:{served.port}"):
            stats.bump("bad inputs tried")
            status = await _websocket_status(session, ws_url, origin=origin)
            assert status == 403, (origin, status)
        stats.bump("bad inputs tried")
        assert await _websocket_status(session, ws_url) == 403  # no Origin at all


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_the_printed_url_opens_the_workbench(served: Served, host: str) -> None:
    """The flow of a browser: the printed URL (with its token) gives the page and a
    cookie; the page's static files and its WebSocket, on URLs without the token, load
    with the cookie; the WebSocket, with the page's own `Origin`, streams the
    workbench opening the repo."""
    assert served.token, f"the printed URL carries no token: {served.printed_url}"
    async with asyncio.timeout(TIMEOUT), _session() as session:
        async with session.get(served.printed_url.replace("127.0.0.1", host, 1)) as response:
            assert response.status == 200
            page = await response.text()
            cookie = response.headers.get("Set-Cookie", "")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie
        assets = {found.group(1) or found.group(2) for found in STATIC_ASSET.finditer(page)}
        local = sorted(asset for asset in assets if not asset.startswith("https://"))
        assert any(asset.endswith("textual.js") for asset in local), local
        for asset in local:
            assert "token" not in asset
            url = asset if asset.startswith("http") else served.url(asset, host)
            assert await _status(session, url) == 200, asset

        ws_url = re.search(r'data-session-websocket-url="([^"]+)"', page)
        assert ws_url is not None, page
        assert "token" not in ws_url.group(1)
        shown = b""
        async with session.ws_connect(f"{ws_url.group(1)}?width=100&height=30",
                                      origin=f"http://{host}:{served.port}") as websocket:
            while REPO_NAME.encode() not in shown:
                message = await websocket.receive()
                assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), (
                    message, shown[-2000:])
                if message.type == aiohttp.WSMsgType.BINARY:
                    shown += message.data


def test_a_port_already_taken_is_a_one_line_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / REPO_NAME, APP)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        stats.bump("bad inputs tried")
        result = cli(repo, "serve", ".", "--port", taken.getsockname()[1], timeout=TIMEOUT)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: cannot listen on 127.0.0.1:"), result.stderr
    assert "address already in use" in last, result.stderr
    assert "http://" not in result.stderr + result.stdout  # no URL that leads nowhere
