#!/usr/bin/env python3
"""Drives headless Chromium through the desk page of `shikaku clinic serve` for
tests/clinic_page.rs, over the DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON
messages separated by NUL on file descriptors 3 and 4, so no websocket library is needed; only
the Python standard library is used).

Usage: clinic_page_cdp.py URL DOWNLOAD_DIR SCREENSHOT_PNG < payload

What it does, as a receptionist would: types a forged payload into the focused field and presses
Enter (as a USB scanner does), then the genuine one (read from standard input), checks the card
on the desk's reader without a PIN, takes a screenshot of the verdict and the card's answer,
records the visit with the face photo compared, downloads the CSV, and asks for the page without
the token. It prints one JSON object with what the live DOM showed at each step; the Rust test
makes the assertions. Exit status 1 on any protocol failure or timeout.
"""

import base64
import fcntl
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

TIMEOUT = 30.0


class Chromium:
    def __init__(self):
        self.profile = tempfile.TemporaryDirectory()
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # Out of the way of 3 and 4, where Chromium expects them.
        hi_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
        hi_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)

        def child_fds():
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.proc = subprocess.Popen(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--user-data-dir={self.profile.name}",
                "about:blank",
            ],
            preexec_fn=child_fds,
            # Kept open in the child; 3 and 4 are open here too (the pipes just made take the
            # lowest free descriptors), which Popen needs.
            pass_fds=(3, 4),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for fd in (to_chrome_r, from_chrome_w, hi_r, hi_w):
            os.close(fd)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from Chromium")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                chunk = os.read(self.from_chrome, 1 << 20)
                if not chunk:
                    raise EOFError("Chromium closed the pipe")
                self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method, pred=lambda p: True):
        """The first event `method` (already received or coming) whose params satisfy pred;
        it and everything before it are consumed."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == method and pred(e.get("params", {})):
                    del self.events[: i + 1]
                    return e["params"]
            m = self._read_message(deadline)
            if "method" in m:
                self.events.append(m)

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.profile.cleanup()


def main():
    url, downloads, png = sys.argv[1:4]
    genuine = sys.stdin.read().strip()
    report = {}
    b = Chromium()
    try:
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        b.call("Page.enable", session=s)
        b.call("Network.enable", session=s)
        b.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1100, "height": 1700, "deviceScaleFactor": 1, "mobile": False},
            session=s,
        )
        b.call(
            "Browser.setDownloadBehavior",
            {"behavior": "allowAndName", "downloadPath": downloads, "eventsEnabled": True},
        )

        def evaluate(expr):
            r = b.call(
                "Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=s
            )
            if "exceptionDetails" in r:
                raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
            return r["result"].get("value")

        def loaded(action):
            """Runs action and waits until it has replaced the document with a loaded one."""
            evaluate("window.__before = true")
            action()
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                try:
                    if evaluate("!window.__before && document.readyState === 'complete'"):
                        return
                except RuntimeError:
                    pass  # the old document's context went away mid-call
                time.sleep(0.05)
            raise TimeoutError("the page did not load")

        def text_of(id_):
            return evaluate(
                f"(e => e ? e.innerText : null)(document.getElementById({json.dumps(id_)}))"
            )

        def scan(payload):
            """What a USB scanner does: types into the focused field, then Enter."""
            def keys():
                b.call("Input.insertText", {"text": payload}, session=s)
                for kind in ("keyDown", "keyUp"):
                    b.call(
                        "Input.dispatchKeyEvent",
                        {
                            "type": kind,
                            "key": "Enter",
                            "code": "Enter",
                            "windowsVirtualKeyCode": 13,
                            "text": "\r" if kind == "keyDown" else "",
                        },
                        session=s,
                    )

            loaded(keys)

        def focused():
            # Autofocus runs at the first rendering update, which may come after the load event.
            deadline = time.monotonic() + 5
            while True:
                id_ = evaluate("document.activeElement && document.activeElement.id")
                if id_ == "payload" or time.monotonic() > deadline:
                    return id_
                time.sleep(0.05)

        b.call("Page.navigate", {"url": url}, session=s)
        b.wait_event("Page.loadEventFired")
        report["focused"] = focused()
        if report["focused"] != "payload":
            raise RuntimeError(f"the scanner field is not focused: {report['focused']}")

        # A one-character change in the signed payload.
        i = len(genuine) // 2
        forged = genuine[:i] + ("A" if genuine[i] != "A" else "B") + genuine[i + 1 :]
        scan(forged)
        report["forged_verdict"] = text_of("verdict")
        report["forged_claim"] = text_of("claim")

        if focused() != "payload":
            raise RuntimeError("the scanner field is not focused after a verdict: " + str(evaluate("[document.activeElement && document.activeElement.tagName, location.href]")))
        scan(genuine)
        for k in ("verdict", "claim", "document", "trust"):
            report[k] = text_of(k)

        # The card on the desk's reader, without a PIN (as the receptionist's click).
        loaded(lambda: evaluate("document.getElementById('card-nopin').click(); true"))
        report["card"] = text_of("card-result")
        report["pin_tries"] = text_of("pin-tries")
        shot = b.call("Page.captureScreenshot", {"format": "png"}, session=s)
        with open(png, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

        loaded(
            lambda: evaluate(
                "document.getElementById('operator').value = '受付 花子';"
                "document.getElementById('face').checked = true;"
                "document.getElementById('record').click(); true"
            )
        )
        report["notice"] = text_of("notice")
        report["visits"] = text_of("visits")

        b.events.clear()
        evaluate("document.getElementById('csv').click(); true")
        begin = b.wait_event("Browser.downloadWillBegin")
        b.wait_event(
            "Browser.downloadProgress",
            lambda p: p.get("guid") == begin["guid"] and p.get("state") in ("completed", "canceled"),
        )
        report["csv_path"] = os.path.join(downloads, begin["guid"])
        report["csv_suggested_name"] = begin.get("suggestedFilename")

        parts = urlsplit(url)
        b.events.clear()
        b.call("Page.navigate", {"url": f"{parts.scheme}://{parts.netloc}/"}, session=s)
        r = b.wait_event("Network.responseReceived", lambda p: p.get("type") == "Document")
        report["no_token_status"] = r["response"]["status"]
    finally:
        b.close()
    json.dump(report, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # the Rust test prints stderr on failure
        print(f"clinic_page_cdp.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
