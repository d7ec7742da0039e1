"""Headless Chromium driven over its DevTools pipe: no WebDriver, no websocket."""

import fcntl
import json
import os
import signal
import subprocess
import tempfile
import time


class Browser:
    """One headless Chromium; send() a DevTools command, ``events`` it reported.

    Debian's ``chromium``, run with the flags that keep it from calling home
    (background networking, component updates, sync), so that every request
    it makes is one the page asked for.
    """

    FLAGS = (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--remote-debugging-pipe",
    )

    def __init__(self, executable):
        # A fresh profile: nothing cached from an earlier run answers for the app.
        self.profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def pipes_on_3_and_4():
            # Chromium reads commands on fd 3 and writes answers on fd 4.
            # Out of the way first, so that neither copy overwrites the other.
            reading = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
            writing = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            [
                executable,
                *self.FLAGS,
                f"--user-data-dir={self.profile.name}",
                "about:blank",
            ],
            # dup2 leaves 3 and 4 inheritable; every other pipe end closes.
            close_fds=False,
            preexec_fn=pipes_on_3_and_4,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its helpers stop with it
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events = []

    def send(self, method, session=None, timeout=30, **params):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = None
            # Every message of the read: the events after the answer in the
            # same chunk (a request the page made) are kept too.
            for message in self._read():
                if message.get("id") == self._next_id:
                    answer = message
                else:
                    self.events.append(message)
            if answer is not None:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]
        raise TimeoutError(method)

    def settle(self, session, quiet=1.0, limit=15):
        """Wait until the page has sent no network event for ``quiet`` seconds.

        Events arrive only while a command is read: a cheap one is sent
        again and again meanwhile.
        """
        deadline = time.monotonic() + limit
        seen, last_change = self._network_events(), time.monotonic()
        while time.monotonic() < deadline:
            self.send("Runtime.evaluate", session, expression="0")
            now = self._network_events()
            if now != seen:
                seen, last_change = now, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                return
            time.sleep(0.1)
        raise TimeoutError(f"the page's network was not quiet within {limit} s")

    def _network_events(self):
        return sum(
            event.get("method", "").startswith("Network.") for event in self.events
        )

    def _read(self):
        chunk = os.read(self._from_browser, 1 << 16)
        if not chunk:
            raise RuntimeError("chromium closed its DevTools pipe")
        self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b"\0")
        return [json.loads(message) for message in messages]

    def close(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self.profile.cleanup()
