"""A TCP relay on 127.0.0.1 that forwards to a real database server and can stall mid-transfer.

A stalled relay keeps both connections open (the kernel keeps acknowledging what the client
sends) but forwards nothing more in either direction: the way a broken firewall, a frozen VM or a
half-dead VPN looks to a kiosk. ``stall_after`` stalls each connection once it has carried that
many bytes from the server to the client; ``stall()`` stalls everything now; ``resume()`` lets
new connections through again (stalled ones stay stalled, as on a real broken path).
``refuse()`` is a server that went away: open connections are cut, new ones closed at once.
"""

from __future__ import annotations

import socket
import threading


class Relay:
    def __init__(self, target_host: str, target_port: int, stall_after: int | None = None) -> None:
        self.target = (target_host, target_port)
        self.stall_after = stall_after
        self.server_bytes = 0  # bytes carried server → client, over all connections
        self._stalled = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        self._refusing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, base_url: str) -> str:
        """``base_url`` with its host:port replaced by the relay's."""
        from urllib.parse import urlparse, urlunparse

        parsed = urlparse(base_url)
        auth = parsed.netloc.rsplit("@", 1)[0] + "@" if "@" in parsed.netloc else ""
        return urlunparse(parsed._replace(netloc=f"{auth}127.0.0.1:{self.port}"))

    def stall(self) -> None:
        self._stalled.set()

    def resume(self) -> None:
        self._stalled.clear()
        self._refusing = False

    def refuse(self) -> None:
        self._refusing = True
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass

    def close(self) -> None:
        self._closed = True
        with self._lock:
            sockets = [self._listener, *self._sockets]
        for sock in sockets:
            try:
                sock.close()
            except OSError:
                pass

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._refusing:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            budget = {"left": self.stall_after}
            threading.Thread(target=self._pump, args=(client, upstream, None), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, budget), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, budget: dict | None) -> None:
        """Copy until closed; once stalled, keep reading (so TCP keeps acknowledging) and drop."""
        stalled_here = False
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                if not (stalled_here or self._stalled.is_set()):
                    try:
                        sink.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                return
            if stalled_here or self._stalled.is_set():
                stalled_here = True
                continue
            if budget is not None and budget["left"] is not None:
                if len(data) >= budget["left"]:
                    data = data[:budget["left"]]
                    stalled_here = True
                budget["left"] -= len(data)
            try:
                sink.sendall(data)
            except OSError:
                return
            if budget is not None:
                self.server_bytes += len(data)
