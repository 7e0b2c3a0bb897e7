"""A local HTTP server over a folder, on 127.0.0.1, for the download tests: it answers Range
requests (206), and can be told to cut a response short, as a dropped connection would."""

from __future__ import annotations

import contextlib
import functools
import http.server
import socket
import threading


class _Handler(http.server.SimpleHTTPRequestHandler):
    cut_after = None  # bytes of a body to send before dropping the connection
    requests = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.translate_path(self.path)
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            self.send_error(404)
            return
        type(self).requests.append((self.path, self.headers.get("Range")))
        start = 0
        if self.headers.get("Range", "").startswith("bytes="):
            start = int(self.headers["Range"][6:].split("-")[0])
            if start >= len(data):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if type(self).cut_after is not None:
            self.wfile.write(body[:type(self).cut_after])
            type(self).cut_after = None
            self.close_connection = True
            return
        self.wfile.write(body)


@contextlib.contextmanager
def serve_folder(folder):
    """Yields (base URL, the handler class: set `cut_after`, read `requests`)."""
    handler = type("Handler", (_Handler,), {"cut_after": None, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def unused_port() -> int:
    """A port on 127.0.0.1 where nothing listens (a connection there is refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
