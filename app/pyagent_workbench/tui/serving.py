"""The workbench served to a browser for the person at this machine only (issue 15,
category 8).

Whoever reaches the served workbench drives it, *Apply plan* included, so listening on
127.0.0.1 is not enough: any web page the user visits can make the browser send
requests to loopback (a cross-site page opening a WebSocket, or a DNS name rebound to
127.0.0.1). Three checks run in front of every route, before textual-serve's handlers:

- the `Host` header is a loopback name (what a rebound DNS name cannot send);
- an `Origin` header, and every WebSocket must carry one, is the server's own origin (what
  a cross-site page cannot send);
- a random token, made once per run and printed in the URL, comes with the request: in
  the query string, or in the HttpOnly, SameSite=Strict cookie that the first request
  bearing it sets. The cookie is how the page's static files and its WebSocket carry the
  token: textual-serve's page builds their URLs itself (its script appends
  `?width=...&height=...` to the WebSocket URL, so a token in that URL's query would be
  mangled).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import sys
from typing import Any

import aiohttp_jinja2
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler
from textual_serve.server import Server, to_int

LISTEN_ADDRESS = "127.0.0.1"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
"""The names a browser on this machine sends in `Host` and `Origin` for the server."""

WEBSOCKET_PATH = "/ws"
"""textual-serve's route for the WebSocket that drives the workbench's process."""


class LoopbackServer(Server):
    """textual-serve's `Server`, answering only the person at this machine.

    The seam: textual-serve has no parameter for middlewares and builds its aiohttp
    application inside `serve()`, through `_make_app()`. `_make_app` is extended here:
    it takes the application textual-serve built (its routes, templates and startup hooks
    unchanged) and puts `_guard` in front of every route, before aiohttp freezes the
    application. `handle_index` is replaced so that the page's URLs name the host the
    browser used (127.0.0.1 or localhost: the cookie is kept per host name), and
    `on_startup` so that the one URL printed is the one with the token (textual-serve's
    banner printed its address without it).
    """

    def __init__(self, command: str, *, port: int, title: str) -> None:
        super().__init__(command, host=LISTEN_ADDRESS, port=port, title=title)
        self.token = secrets.token_urlsafe(32)
        self.cookie_name = f"pyagent_workbench_token_{port}"
        """One per port: two workbenches served on two ports keep their own cookies."""

    @property
    def url(self) -> str:
        """The URL to open in a browser, token included."""
        return f"http://{LISTEN_ADDRESS}:{self.port}/?token={self.token}"

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()

        @web.middleware
        async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._guard(request, handler)

        app.middlewares.append(guard)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Nothing to say yet: the socket is not bound before the startup hooks ran (a
        port already taken used to print the URL, then fail). `serve` announces it."""

    def serve(self, debug: bool = False) -> None:
        """textual-serve's `serve`, the URL printed once the server listens: aiohttp
        calls `run_app`'s `print` after its sites started (textual-serve passes a
        silent one)."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGINT, self.request_exit)
            loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False,
                    loop=loop, print=lambda *_: self._announce())

    def _announce(self) -> None:
        print(f"serving the workbench on {self.url} (ctrl+c stops it)", file=sys.stderr,
              flush=True)

    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse what does not come from a page this server served to this machine;
        set the token's cookie on the answer to a request that brought it in the URL."""
        if self._loopback_name(request) is None:
            raise web.HTTPMisdirectedRequest(
                text="this server answers to 127.0.0.1 and localhost only\n")
        origin = request.headers.get(hdrs.ORIGIN)
        wants_websocket = (request.path == WEBSOCKET_PATH
                           or hdrs.UPGRADE in request.headers)
        if (origin is None and wants_websocket) or (
                origin is not None and origin not in self._own_origins()):
            raise web.HTTPForbidden(text="cross-origin requests are refused\n")
        from_query = request.query.get("token")
        presented = from_query if from_query is not None else request.cookies.get(
            self.cookie_name)
        if presented is None or not secrets.compare_digest(
                presented.encode("utf-8"), self.token.encode("utf-8")):
            raise web.HTTPForbidden(
                text="open the URL with the token that `serve` printed\n")
        response = await handler(request)
        if from_query is not None and not response.prepared:
            response.set_cookie(self.cookie_name, self.token, path="/", httponly=True,
                                samesite="Strict")
        if not response.prepared:
            # The token is in the page's URL: never send it on as a Referer, never let
            # another site frame the page.
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        return response

    def _loopback_name(self, request: web.Request) -> str | None:
        """The loopback name in the request's one `Host` header (with this server's port
        or none), or None: a rebound DNS name, another port, no header, two headers."""
        hosts = request.headers.getall(hdrs.HOST, [])
        if len(hosts) != 1:
            return None
        host = hosts[0].lower()
        for name in LOOPBACK_NAMES:
            if host in (name, f"{name}:{self.port}"):
                return name
        return None

    def _own_origins(self) -> set[str]:
        origins = {f"http://{name}:{self.port}" for name in LOOPBACK_NAMES}
        if self.port == 80:
            origins |= {f"http://{name}" for name in LOOPBACK_NAMES}
        return origins

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's page, its URLs on the host name the browser used (the guard
        has checked it is a loopback name) rather than on 127.0.0.1 always."""
        name = self._loopback_name(request)
        assert name is not None, "the guard answers other hosts before any handler"
        context: dict[str, Any] = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"ws://{name}:{self.port}{WEBSOCKET_PATH}",
            "config": {"static": {"url": "/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)
