"""Hostile answers to every client method: only our error kinds, or a model, come back.

The lab's real answers to each method are recorded once (over loopback); Hypothesis then
answers the same requests with those bodies mutated (a wrong type at any field, a field gone
or added, NaN, huge numbers, nesting bombs, lone surrogates, control characters, truncation,
other statuses and content types) through an in-memory transport. A method may return a
model or raise a BackendError; anything else is a bug in the client layer.

`make test` runs the "ci" profile (fixed seed, few examples); `make fuzz` the "fuzz" one.

The net (`_netted` in noc_tui/api/base.py) would turn any unforeseen exception into a
MalformedResponse, so with it on this test only proves the net holds. `HYPOTHESIS_NET=off`
takes it off every client method for the run (`make fuzz-raw`): an exception our parsing
did not foresee then fails the example with its own type and traceback, to be fixed where it
is raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import os
import re
import secrets
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from noc_tui.api import Backends
from noc_tui.api.base import ApiClient
from noc_tui.api.errors import BackendError
from noc_tui.api.kalliope_cdr import CdrQuery
from noc_tui.audit import AuditLog
from noc_tui.config import Config

MUTATED_REQUESTS = 4  # per example; later requests get the recorded answer as it was


@dataclass(frozen=True)
class Answer:
    """One recorded exchange: what the lab answered, and the request_id it echoed."""

    status: int
    content_type: str
    body: bytes
    request_id: str | None


def request_id_of(request: httpx.Request) -> str | None:
    found = parse_qs(request.url.query.decode()).get("request_id")
    if found:
        return found[0]
    match = re.search(rb"<request_id>([0-9a-f]+)</request_id>", request.content or b"")
    return match[1].decode() if match else None


class Recorder(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.log: list[Answer] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        await response.aclose()
        kind = response.headers.get("content-type", "")
        self.log.append(Answer(response.status_code, kind, body, request_id_of(request)))
        return httpx.Response(response.status_code, headers={"content-type": kind}, content=body)


# -- the calls: every public method of every client ------------------------------------------

Call = Callable[[Any, dict[str, Any]], Awaitable[Any]]


async def drain(items: Any) -> list[Any]:
    return [item async for item in items]


# One query for the recording and every replay: a query that moved with the clock would ask
# for other windows from one example to the next, and Hypothesis could not replay a failure.
RECENT_END = datetime.now().replace(microsecond=0)


def recent() -> CdrQuery:
    return CdrQuery(RECENT_END - timedelta(hours=2), RECENT_END)


CALLS: dict[str, dict[str, Call]] = {
    "krill": {
        "ping": lambda c, x: c.ping(),
        "list_cpes": lambda c, x: c.list_cpes({"cpename": "a"}),
        "next_page": lambda c, x: c.next_page("/api/v2/isp/cpes/?limit=5&offset=5"),
        "search": lambda c, x: c.search("HWTC614711a7"),
        "cpe": lambda c, x: c.cpe(x["cpe"].id),
        "info": lambda c, x: c.info(x["cpe"].id),
        "host": lambda c, x: c.host(x["cpe"].host_name),
        "graphs": lambda c, x: c.graphs(x["cpe"].host_name),
        "datasets": lambda c, x: c.datasets(x["cpe"].host_name, x["graphs"], "1h"),
        "run_action": lambda c, x: c.run_action(x["cpe"], "reboot"),
    },
    "librenms": {
        "ping": lambda c, x: c.ping(),
        "alerts": lambda c, x: c.alerts(),
        "alert": lambda c, x: c.alert(x["alert"]),
        "acknowledge": lambda c, x: c.acknowledge(x["alert"], "fuzz"),
        "unmute": lambda c, x: c.unmute(x["alert"]),
        "rules": lambda c, x: c.rules(),
        "rule": lambda c, x: c.rule(x["rule"]),
        "devices": lambda c, x: c.devices(),
        "device": lambda c, x: c.device(x["host"]),
        "ports": lambda c, x: c.ports(x["host"]),
        "port_stats": lambda c, x: c.port_stats(x["host"], x["port"]),
    },
    "openwisp": {
        "ping": lambda c, x: c.ping(),
        "devices": lambda c, x: c.devices(),
        "device": lambda c, x: c.device(x["device"].id),
        "groups": lambda c, x: c.groups(),
        "organizations": lambda c, x: c.organizations(),
        "templates": lambda c, x: c.templates(),
        "location": lambda c, x: c.location(x["device"].id),
        "commands": lambda c, x: c.commands(x["device"].id),
        "command": lambda c, x: c.command(x["device"].id, x["command"].id),
        "follow": lambda c, x: drain(c.follow(x["command"], every=0, within=0.05)),
        "activate": lambda c, x: c.activate(x["device"]),
        "deactivate": lambda c, x: c.deactivate(x["device"]),
        "delete": lambda c, x: c.delete(x["device"]),
        "reboot": lambda c, x: c.reboot(x["device"]),
        "run_command": lambda c, x: c.run_command(x["device"], "uptime"),
    },
    "kalliope": {
        "ping": lambda c, x: c.ping(),
        "registrations": lambda c, x: c.registrations(),
        "extensions": lambda c, x: c.extensions(),
        "extension_configs": lambda c, x: c.extension_configs(),
        "voicemail_count": lambda c, x: c.voicemail_count("201"),
        "callgroups": lambda c, x: c.callgroups(),
        "conferences": lambda c, x: c.conferences(),
        "pending": lambda c, x: c.pending(),
        "apply": lambda c, x: c.apply(),
        "revert": lambda c, x: c.revert(),
        "cdr": lambda c, x: drain(c.cdr(recent())),
        "export_cdr_csv": lambda c, x: c.export_cdr_csv(recent(), x["csv"]),
    },
}
METHODS = [(kind, name) for kind, calls in CALLS.items() for name in calls]


def clients(backends: Backends) -> dict[str, ApiClient]:
    return {client.kind: client for client in backends}


async def arguments(made: dict[str, ApiClient], tmp: Path) -> dict[str, dict[str, Any]]:
    """Ids and models each call needs, as the lab has them."""
    krill, nms, wisp = made["krill"], made["librenms"], made["openwisp"]
    cpe = next(c for c in (await krill.list_cpes({})).cpes if "reboot" in c.actions)
    alerts, rules = await nms.alerts(), await nms.rules()
    devices = await nms.devices()
    host = devices[0].hostname
    ports = await nms.ports(host)
    device = (await wisp.devices())[0]
    command = await wisp.reboot(device)
    return {
        "krill": {"cpe": cpe, "graphs": await krill.graphs(cpe.host_name)},
        "librenms": {
            "alert": alerts[0].id,
            "rule": rules[0].id,
            "host": host,
            "port": ports[0].name if ports else "eth0",
        },
        "openwisp": {"device": device, "command": command},
        "kalliope": {"csv": tmp / "calls.csv"},
    }


@dataclass
class Recording:
    config: Config
    arguments: dict[str, dict[str, Any]]
    answers: dict[tuple[str, str], list[Answer]]
    tmp: Path


@pytest.fixture(scope="module")
def recording(lab, tmp_path_factory: pytest.TempPathFactory) -> Recording:  # type: ignore[no-untyped-def]
    for backend in ("krill", "librenms", "openwisp", "kalliope"):
        lab.set_faults(backend, "")
    tmp = tmp_path_factory.mktemp("fuzz")
    config: Config = lab.config()
    recorders = {b.kind: Recorder(httpx.AsyncHTTPTransport()) for b in config.backends}
    transports = {b.url: recorders[b.kind] for b in config.backends}

    async def record() -> Recording:
        backends = Backends(config, transports=transports, audit=AuditLog(tmp / "audit.log"))
        try:
            made = clients(backends)
            args = await arguments(made, tmp)
            answers: dict[tuple[str, str], list[Answer]] = {}
            for kind, name in METHODS:
                recorders[kind].log.clear()
                with contextlib.suppress(BackendError):  # the lab's own "already active"
                    await CALLS[kind][name](made[kind], args[kind])
                answers[kind, name] = list(recorders[kind].log)
                assert answers[kind, name], (kind, name)
            return Recording(config, args, answers, tmp)
        finally:
            await backends.aclose()

    return asyncio.run(record())


# -- hostile bodies ------------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\ud800",
        "x\udfff",
        "\x00",
        "\x1b[2J\x1b]52;c;SGVsbG8=\x07",
        "\u202eevil",
        "../../etc/passwd",
        "http://evil.example/api/",
        "a b\tc\nd",
        "[bold]x[/]",
        "nan",
        "1e400",
        "9" * 5000,
        "-1",
        "12 ms",
        "機器名 🔥",
        "%s%n",
    ]
)
DEEP_VALUE = st.integers(65, 400).map(lambda depth: json.loads("[" * depth + "]" * depth))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(10**64, 10**4000),  # over our 64 characters, under Python's 4300 digits
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    HOSTILE_TEXT,
)
HOSTILE_VALUE = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=5), SCALARS, max_size=3),
    DEEP_VALUE,
)


EVERY = "*"  # a step through every element of a list: one field of every row


def fields(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every field of a decoded JSON tree as a schema path (`("alerts", EVERY, "id")`): a
    mutation hits one field of every row, as a schema change would. (The whole body is
    replaced by `raw_hostile`.)"""
    found = [prefix] if prefix else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += fields(value, (*prefix, key))
    elif isinstance(tree, list):
        for value in tree[:3]:
            found += fields(value, (*prefix, EVERY))
    return list(dict.fromkeys(found))


def parents(tree: Any, path: tuple[Any, ...]) -> list[Any]:
    """The containers `path` ends in, through every list element on the way."""
    found = [tree]
    for step in path:
        following = []
        for node in found:
            if step == EVERY and isinstance(node, list):
                following += node
            elif isinstance(node, dict) and step in node:
                following.append(node[step])
        found = following
    return found


@st.composite
def mutated_json(draw: st.DrawFn, body: bytes) -> bytes:
    tree = json.loads(body)
    # Uniform over the fields: Hypothesis leans to the first of a list, and the first fields
    # are the envelope's.
    pick = draw(st.randoms(use_true_random=False))
    for _ in range(draw(st.integers(1, 3))):
        places = fields(tree)
        if not places:
            break
        place = pick.choice(places)
        op = pick.choice(["replace", "replace", "delete", "add"])
        value = draw(HOSTILE_VALUE)
        for parent in parents(tree, place[:-1]):
            last = place[-1]
            if isinstance(parent, list) and last == EVERY:
                if op == "replace":
                    parent[:] = [value for _ in parent]
                elif op == "delete":
                    parent.clear()
                else:
                    parent.append(value)
            elif isinstance(parent, dict) and last in parent:
                if op == "replace":
                    parent[last] = copy.deepcopy(value)
                elif op == "delete":
                    del parent[last]
                else:
                    parent[f"{last}_extra"] = copy.deepcopy(value)
    return json.dumps(tree, allow_nan=True, ensure_ascii=draw(st.booleans())).encode(
        "utf-8", "surrogatepass"
    )


def raw_hostile(body: bytes) -> st.SearchStrategy[bytes]:
    """Bodies that are not what json.dumps would make: literals, bombs, broken bytes."""
    return st.one_of(
        st.sampled_from(
            [
                b"",
                b"null",
                b"[]",
                b'"text"',
                b"NaN",
                b'{"count": Infinity, "results": [-Infinity]}',
                b'{"count": 1e400}',
                b'{"count": ' + b"1" * 5000 + b"}",
                b'{"count": 1' + b"0" * 400 + b".5}",
                b"[" * 100_000 + b"]" * 100_000,
                b'{"a":' * 70_000 + b"1" + b"}" * 70_000,
                b"[" * 100_000,
                b'"\\ud800"',
                b'{"results": [{"id": "\\udfff"}]}',
                b"\xff\xfe{}",
                b"<html><body>login</body></html>",
            ]
        ),
        st.integers(0, max(len(body) - 1, 0)).map(lambda cut: body[:cut]),
        st.tuples(st.integers(0, max(len(body) - 1, 0)), st.binary(min_size=1, max_size=4)).map(
            lambda at: body[: at[0]] + at[1] + body[at[0] + 1 :]
        ),
    )


XML_TEXT = st.one_of(
    HOSTILE_TEXT.filter(lambda t: all(ch >= " " or ch in "\t\n" for ch in t) and t.isprintable()),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20),
)


@st.composite
def mutated_xml(draw: st.DrawFn, body: bytes) -> bytes:
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError:
        return body
    pick = draw(st.randoms(use_true_random=False))
    for _ in range(draw(st.integers(1, 3))):
        nodes = list(root.iter())[1:200]
        if not nodes:
            break
        node = pick.choice(nodes)
        op = pick.choice(["text", "text", "delete", "duplicate", "child", "deep", "rename"])
        parent = node.getparent()
        if op == "text":
            node.text = draw(XML_TEXT)
        elif op == "delete" and parent is not None:
            parent.remove(node)
        elif op == "duplicate" and parent is not None:
            parent.append(copy.deepcopy(node))
        elif op == "child":
            etree.SubElement(
                node, draw(st.sampled_from(["error", "code", "call", "x"]))
            ).text = draw(XML_TEXT)
        elif op == "deep":
            inner = node
            for _ in range(draw(st.integers(10, 300))):
                inner = etree.SubElement(inner, "d")
        elif op == "rename":
            node.tag = draw(st.sampled_from(["kpbx_response", "error", "html", "call", "y"]))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def raw_hostile_xml(body: bytes) -> st.SearchStrategy[bytes]:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<kpbx_response>&c;</kpbx_response>"
    )
    external = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<kpbx_response><x>&x;</x></kpbx_response>"
    )
    return st.one_of(
        st.sampled_from(
            [
                b"",
                b"<kpbx_response>",
                b"<html>login</html>",
                bomb,
                external,
                b"<kpbx_response>" + b"<d>" * 100_000 + b"</d>" * 100_000 + b"</kpbx_response>",
                b'<?xml version="1.0" encoding="nonsense"?><kpbx_response/>',
                b'<?xml version="1.0" encoding="UTF-16"?><kpbx_response/>',
                b"<kpbx_response>\x00\x1b\x07</kpbx_response>",
                b"<kpbx_response>\xff\xfe\xe9</kpbx_response>",
                b"<kpbx_response><error><code>\xe9</code></error></kpbx_response>",
            ]
        ),
        st.integers(0, max(len(body) - 1, 0)).map(lambda cut: body[:cut]),
        st.tuples(st.integers(0, max(len(body) - 1, 0)), st.binary(min_size=1, max_size=4)).map(
            lambda at: body[: at[0]] + at[1] + body[at[0] + 1 :]
        ),
    )


def hostile_body(answer: Answer) -> st.SearchStrategy[bytes]:
    body = answer.body
    if "json" in answer.content_type:
        try:
            json.loads(body)
        except ValueError:
            return raw_hostile(body)
        shaped = mutated_json(body)
        return st.one_of(shaped, shaped, shaped, raw_hostile(body))
    if "xml" in answer.content_type:
        shaped = mutated_xml(body)
        return st.one_of(shaped, shaped, shaped, raw_hostile_xml(body))
    return raw_hostile(body) | raw_hostile_xml(body)  # CSV, empty bodies


# Mostly a hostile body with the status and type it came with: that is what reaches parsing.
CHANGES = st.sampled_from(["body"] * 6 + ["none", "status", "content type"])
STATUSES = st.sampled_from([201, 202, 204, 302, 400, 401, 403, 404, 429, 500, 503])
CONTENT_TYPES = st.sampled_from(["text/html", "application/json", "application/xml", ""])


# Methods whose requests overlap (the CDR stream asks for the next window while it reads
# this one): which request arrives first is the scheduler's choice, so their mutations are
# drawn before the call, not as requests arrive, or a replay would draw in another order.
CONCURRENT = {("kalliope", "cdr"), ("kalliope", "export_cdr_csv")}


class Hostile(httpx.AsyncBaseTransport):
    """Answers each request with the next recorded answer, mutated as Hypothesis draws."""

    def __init__(self, answers: list[Answer], data: st.DataObject, upfront: bool) -> None:
        self.answers = answers
        self.data = data
        self.sent = 0
        self.drawn = [
            self.mutate(self.recorded(i)) for i in range(MUTATED_REQUESTS if upfront else 0)
        ]

    def recorded(self, index: int) -> Answer:
        return self.answers[min(index, len(self.answers) - 1)]

    def mutate(self, answer: Answer) -> Answer:
        status, kind, body = answer.status, answer.content_type, answer.body
        change = self.data.draw(CHANGES, label="change")
        if change == "body":
            body = self.data.draw(hostile_body(answer), label="body")
        elif change == "status":
            status = self.data.draw(STATUSES, label="status")
            body = self.data.draw(hostile_body(answer), label="body")
        elif change == "content type":
            kind = self.data.draw(CONTENT_TYPES, label="content type")
        return Answer(status, kind, body, answer.request_id)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = self.sent
        self.sent += 1
        answer = self.recorded(index)
        if index < len(self.drawn):
            answer = self.drawn[index]
        elif index < MUTATED_REQUESTS:
            answer = self.mutate(answer)
        # The id the request sent, where the lab's was (a mutation over it stays a mismatch).
        body, rid = answer.body, request_id_of(request)
        if answer.request_id and rid:
            body = body.replace(answer.request_id.encode(), rid.encode())
        return httpx.Response(
            answer.status, headers={"content-type": answer.content_type}, content=body
        )


NET_OFF = os.environ.get("HYPOTHESIS_NET", "on") == "off"


@pytest.fixture(scope="module")
def net() -> Iterator[bool]:
    """With HYPOTHESIS_NET=off, every client class's netted methods replaced by the methods
    they wrap, for this module's run (put back after): nested calls are unwrapped too."""
    if not NET_OFF:
        yield True
        return
    undone: list[tuple[type, str, Any]] = []
    for klass in ApiClient.__subclasses__():
        for attr, value in list(vars(klass).items()):
            if getattr(value, "netted", False):
                undone.append((klass, attr, value))
                setattr(klass, attr, value.__wrapped__)
    assert undone, "no netted methods found: has the net's mark changed?"
    try:
        yield False
    finally:
        for klass, attr, value in undone:
            setattr(klass, attr, value)


def counted_ids() -> Callable[[int], str]:
    """`secrets.token_hex` for one example: the Kalliope request_ids 1, 2, 3... A random id
    made the same draws answer differently (a byte drawn over the echoed id matched it in
    one run and not the next), so a CDR example could not be replayed (FlakyStrategyDefinition)."""
    count = 0

    def token_hex(nbytes: int | None = None) -> str:
        nonlocal count
        count += 1
        return f"{count:0{2 * (nbytes or 32)}x}"

    return token_hex


@pytest.mark.parametrize(("kind", "method"), METHODS, ids=[f"{k}.{m}" for k, m in METHODS])
@given(data=st.data())
def test_only_our_errors_escape(
    recording: Recording, net: bool, kind: str, method: str, data: st.DataObject
) -> None:
    backend = next(b for b in recording.config.backends if b.kind == kind)

    async def run() -> None:
        transport = Hostile(recording.answers[kind, method], data, (kind, method) in CONCURRENT)
        backends = Backends(
            recording.config,
            transports={backend.url: transport},
            audit=AuditLog(recording.tmp / "audit.log"),
        )
        client = clients(backends)[kind]
        client.session.backoff_base = 0.0
        try:
            with mock.patch.object(secrets, "token_hex", counted_ids()):
                await CALLS[kind][method](client, recording.arguments[kind])
        except BackendError as error:
            assert error.backend == backend.name
        finally:
            await backends.aclose()

    asyncio.run(run())
