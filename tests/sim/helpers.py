"""Shared by the hostile-backend tests: a lab over loopback, auth headers, text walkers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
from lxml import etree

from noc_tui.sim import Lab
from noc_tui.sim.faults import BACKENDS
from noc_tui.sim.kalliope_cdr import PRIVACY_PASSWORD_MD5
from tests.sim.test_faults import GOOD_AUTH, PING

__all__ = ["GOOD_AUTH", "PING", "LabHttp", "cdr_request", "rss_mb", "segment", "strings", "texts"]


class LabHttp:
    """A started lab and an httpx client; faults are cleared after each test by `clear`."""

    def __init__(self, lab: Lab, client: httpx.Client) -> None:
        self.lab = lab
        self.client = client
        self.urls = {backend.name: backend.url for backend in lab.backends}

    def faults(self, backend: str, spec: str) -> None:
        """Set faults the way an operator does: POST /_sim/faults on the backend's port."""
        url = f"{self.urls[backend]}/_sim/faults"
        answer = self.client.post(url, json={"backend": backend, "faults": spec})
        assert answer.status_code == 200, answer.text

    def get(self, backend: str, path: str, **kwargs: Any) -> httpx.Response:
        url = path if path.startswith("http") else self.urls[backend] + path
        return self.client.get(url, headers=GOOD_AUTH[backend], **kwargs)

    def post(
        self, backend: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        sent = {**GOOD_AUTH[backend], **(headers or {})}
        return self.client.post(self.urls[backend] + path, headers=sent, **kwargs)

    def clear(self) -> None:
        for name in BACKENDS:
            self.lab.set_faults(name, "")


def segment(value: str) -> str:
    """One path segment as a careful client sends it: a lone surrogate cannot be UTF-8, so
    its bytes go as they are (the server reads them back as U+FFFD)."""
    return quote(value, safe="", errors="surrogatepass")


def strings(node: Any) -> Iterator[str]:
    """Every string value of a parsed JSON answer."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def texts(root: etree._Element) -> Iterator[str]:
    for element in root.iter():
        yield element.text or ""


def cdr_request(begin: str, privacy: bool = False, **filters: str) -> bytes:
    """A /rest/cdr query (API 1.1) with optional field filters; `privacy` shows outside
    numbers and names whole."""
    root = etree.Element("kpbx_request")
    etree.SubElement(root, "request_id").text = "t"
    cdr = etree.SubElement(root, "cdr")
    etree.SubElement(cdr, "begin").text = begin
    if privacy:
        etree.SubElement(cdr, "privacy_password").text = PRIVACY_PASSWORD_MD5
    if filters:
        box = etree.SubElement(cdr, "filter")
        for name, value in filters.items():
            etree.SubElement(box, name).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def rss_mb() -> float:
    """This process's resident memory now (Linux), in MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)
