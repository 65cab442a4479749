"""A real HTTP receiver on loopback for webhook tests, and a signature verifier written from the specification.

The verifier shares no code with tessera.webhooks: it follows the Standard
Webhooks text (https://www.standardwebhooks.com/) as a receiving system would.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def type(self) -> str:
        return self.json["type"]


@dataclass
class Receiver:
    """Answers each POST with the next status of ``statuses`` (then 200), and keeps what it received."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def for_path(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                receiver.received.append(
                    Received(path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body)
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            payload = b'{"ok": true}' if status < 300 else b"receiver failed on purpose"
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):  # noqa: A002 (http.server's name)
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    return receiver, server


class InvalidSignature(Exception):
    pass


def verify(*, secret: str, headers: dict[str, str], body: bytes, tolerance_seconds: int = 300) -> None:
    """Raise InvalidSignature unless one ``v1`` signature of the request matches ``secret``."""
    message_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance_seconds:
        raise InvalidSignature("timestamp too old or too new")
    if not secret.startswith("whsec_"):
        raise InvalidSignature("not a whsec_ secret")
    key = base64.b64decode(secret[len("whsec_"):])
    content = message_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
    for candidate in headers["webhook-signature"].split(" "):
        version, _comma, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return
    raise InvalidSignature("no signature matches")
