"""A loopback OAuth2 server for the XOAUTH2 tests: a token endpoint and an introspection endpoint."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs


class OAuthServer:
    """POST /token issues `token` (numbered tok-N when None); POST /introspect accepts only `valid`."""

    def __init__(self, *, token: str | None = None, valid: str | None = None, username: str = "",
                 lifetime: int = 3600) -> None:
        self.requests: list[dict] = []
        self.introspected: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers["Content-Length"] or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path == "/token":
                    outer.requests.append(form)
                    body = {"access_token": token or f"tok-{len(outer.requests)}", "expires_in": lifetime}
                else:
                    outer.introspected.append(form.get("token", ""))
                    body = {"active": form.get("token") == valid, "username": username}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.url = f"{self.base}/token"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
