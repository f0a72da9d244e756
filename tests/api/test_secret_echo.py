"""A backend whose error page echoes the request back: the secrets in it never reach the
operator, in whatever form the page reflects them (`noc-tui check`, errors, the log)."""

from __future__ import annotations

import base64
import json
import logging
import re
from html import escape
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
import pytest

from noc_tui.api import Backends
from noc_tui.api.errors import BackendError
from noc_tui.api.http import origin
from noc_tui.check import _check_one, print_lines
from noc_tui.config import parse_config
from noc_tui.logs import setup_logging, stop_logging
from noc_tui.sim import credentials as lab

SECRETS = {
    "librenms": [lab.LIBRENMS_TOKEN],
    "openwisp": [lab.OPENWISP_TOKEN],
    "krill": [lab.KRILL_PASSWORD],
    "kalliope": [lab.KALLIOPE_PASSWORD, lab.KALLIOPE_PASSWORD_MD5],
}


ENCODINGS = {
    "literal": lambda text: text,
    "url-encoded": lambda text: quote(text, safe=""),
    "url-encoded, lower-case hex": lambda text: re.sub(
        "%[0-9A-F]{2}", lambda hexes: hexes[0].lower(), quote(text, safe="")
    ),
    "base64": lambda text: base64.b64encode(text.encode()).decode(),
}


def carriers(request: httpx.Request) -> list[str]:
    """Where a request carries its credentials: headers, the form body, Basic decoded."""
    seen = [v for k, v in request.headers.items() if k in ("authorization", "x-auth-token")]
    seen += [value.split(" ", 1)[-1] for value in seen]
    if request.content:
        seen += [unquote(part.partition("=")[2]) for part in request.content.decode().split("&")]
    basic = request.headers.get("authorization", "")
    if basic.startswith("Basic "):
        seen.append(base64.b64decode(basic[6:]).decode())
    return [text for text in seen if text]


def echoing(encoding: str) -> httpx.MockTransport:
    """A server whose error page reflects the request's credentials, in one encoding."""

    def answer(request: httpx.Request) -> httpx.Response:
        words = "bad request: " + " ".join(ENCODINGS[encoding](c) for c in carriers(request))
        if request.url.path.startswith("/rest/"):  # KalliopePBX answers XML
            xml = (
                f"<kpbx_response><error><message>{escape(words)}</message></error></kpbx_response>"
            )
            return httpx.Response(400, content=xml.encode(), headers={"content-type": "text/xml"})
        return httpx.Response(400, json={"message": words, "status": "error"})

    return httpx.MockTransport(answer)


def echo_config(encoding: str) -> tuple[Backends, list[str]]:
    urls = {name: f"http://{name}.invalid:8000" for name in lab.BACKENDS}
    config = parse_config(
        {"backends": [json.loads(line) for line in _tables(urls)]},
        env={},
    )
    transports = {origin(b.url): echoing(encoding) for b in config.backends}
    return Backends(config, transports=transports), [s for v in SECRETS.values() for s in v]


def _tables(urls: dict[str, str]) -> list[str]:
    return [
        json.dumps({"name": name, "kind": name, "url": urls[name], **lab.CONFIG_CREDENTIALS[name]})
        for name in lab.BACKENDS
    ]


def forms(secret: str) -> list[str]:
    return [encode(secret) for encode in ENCODINGS.values()]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("kind", lab.BACKENDS)
async def test_check_never_prints_a_secret_an_error_page_echoes(
    kind: str, encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "noc-tui.log"
    setup_logging(log_file, "DEBUG")
    backends, secrets = echo_config(encoding)
    client = backends.clients[kind]
    try:
        line = await _check_one(client)
        with pytest.raises(BackendError) as caught:
            await client.ping()
        logging.getLogger("noc_tui.test").info("ping failed: %s", caught.value.title)
    finally:
        await backends.aclose()
        stop_logging()
    assert not line.ok and "bad request" in line.reason  # the server's words are shown
    print_lines([line], as_json=False, out=__import__("sys").stdout)
    print_lines([line], as_json=True, out=__import__("sys").stdout)
    printed = capsys.readouterr().out + caught.value.title + log_file.read_text()
    basic = f"{lab.KALLIOPE_USERNAME}:{lab.KALLIOPE_PASSWORD_MD5}"
    for secret in [*secrets, basic]:
        for form in forms(secret):
            assert form not in printed, f"{kind}: {form!r} leaked"
    assert "***" in line.reason  # the page did echo one, and it was masked
