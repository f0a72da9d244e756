"""What the overview and the wallboard count: poll jobs on the clients, tiles out of their answers.

No widget here: the jobs call the API clients (the UI never speaks HTTP), and the functions turn
typed answers into `TileData`, which the tile widget only draws. A tile whose backend is not
configured is never made; one whose backend fails says "✗ down" instead of a zero.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Generic, TypeVar

from noc_tui.api import Backends, PingResult
from noc_tui.api.errors import BackendError, NotFound
from noc_tui.api.kalliope import KalliopeClient
from noc_tui.api.kalliope_cdr import Call, CdrQuery
from noc_tui.api.kalliope_models import Extension, Registration
from noc_tui.api.krill import KrillClient
from noc_tui.api.krill_models import Cpe, MonitoringInfo, Series, Verdict
from noc_tui.api.librenms import LibreNmsClient
from noc_tui.api.librenms_models import NOT_OK_STATES, Alert, Device
from noc_tui.api.listing import Listing
from noc_tui.api.openwisp import OpenWispClient
from noc_tui.api.openwisp_models import ConfigCounts
from noc_tui.clock import Clock
from noc_tui.config import UiSettings
from noc_tui.ui.poll import Polled, PollJob
from noc_tui.ui.reading import reading_flag

# Levels map to the theme's state variables; the word and symbol carry the meaning alone.
LEVEL_VARIABLES = {
    "ok": "state-ok",
    "degraded": "state-degraded",
    "down": "state-down",
    "unknown": "state-unknown",
}
LEVEL_SYMBOLS = {"ok": "✓", "degraded": "▲", "down": "✗", "unknown": "…"}
CALLS_WINDOW = timedelta(hours=1)
CALLS_POLL_FACTOR = 3  # an hour of CDR is heavier than a list: ask a third as often
CALLS_MIN_SECONDS = 30.0  # and never more than twice a minute: an hour's count moves slowly
PBX_LISTS_PER_SECOND = 2.0  # 30 PBXes: each one's registrations every 15 s at most
CDR_HOURS_PER_SECOND = 0.5  # and an hour of call records of one of them every 2 s: each 60 s
EXTENSIONS_EVERY = 60.0  # the extension list changes rarely; registrations every poll
ANSWERED = 8
VERDICT_RANK = {
    Verdict.CRITICAL: 3,
    Verdict.WARNING: 2,
    Verdict.IMPLAUSIBLE: 1,
    Verdict.OK: 0,
    Verdict.UNCHECKED: -1,
    Verdict.NO_VALUE: -1,
}


@dataclass(frozen=True)
class Drill:
    """Where `enter` on a tile goes: a screen (mode) and the filter that shows what it counted."""

    mode: str
    filters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TileData:
    key: str
    title: str
    count: str  # the big number; "" when there is none to show (down, waiting)
    level: str  # ok / degraded / down / unknown
    word: str  # the state in words, e.g. "3 critical" or "down"
    lines: tuple[str, ...] = ()
    drill: Drill | None = None
    updated: float | None = None  # when its data last came in, for "updated N s ago"
    error: str = ""  # the last poll failed: the tile says so and shows the last data dimmed
    error_level: str = "down"  # "degraded" while the backend's health is not down yet
    interval: float = 10.0  # the backend's poll period: stale after three missed polls
    backend: str = ""  # whose answer it counts ("" for the health tile, which counts them all)

    @property
    def symbol(self) -> str:
        return LEVEL_SYMBOLS[self.level]


T = TypeVar("T")
MISSING_LIMIT = 200  # enough for any wall; keeps one PBX's answer bounded


@dataclass(frozen=True)
class PbxCounts:
    extensions: int
    registered: int
    # (extension, name, status) of enabled extensions without an OK registration
    not_registered: tuple[tuple[str, str, str], ...] = ()

    @property
    def missing(self) -> int:
        return self.extensions - self.registered


@dataclass(frozen=True)
class WatchedCpe:
    name: str
    cpe: Cpe | None
    info: MonitoringInfo | None
    # The last hour of txrx, sent once with the first answer so a graph starts full.
    history: dict[str, Series] = field(default_factory=dict, compare=False)


@dataclass
class Kept(Generic[T]):
    """One job's last good answer, and the error of its last poll while that failed."""

    key: str
    backend: str
    interval: float
    clock: Clock = field(repr=False)
    value: T | None = None  # None until the first answer
    error: str = ""
    updated: float | None = None  # when the value came in

    def keep(self, polled: Polled[T]) -> bool:
        """Keep one poll's outcome; True when what a tile shows may have changed."""
        outcome = polled.outcome
        if isinstance(outcome, BackendError):
            changed = self.error != outcome.title
            self.error = outcome.title
            return changed
        changed = bool(self.error) or self.value != outcome
        self.error = ""
        self.value = outcome
        self.updated = self.clock.now()
        return changed

    def stale(self, now: float, polls: int) -> bool:
        """Kept from before a failure, or older than `polls` polls of its job."""
        if self.error:
            return True
        return self.updated is not None and now - self.updated > polls * self.interval


# Told of every outcome kept: the slot, and whether what it shows may have changed.
KeptHandler = Callable[[Kept[Any], bool], None]


class OverviewData:
    """What the overview and the wallboard count: one typed slot, and one poll job, per thing
    counted. Every configured backend gets at least one job (a ping when nothing is counted),
    so its health is always shown."""

    def __init__(self, backends: Backends, ui: UiSettings, clock: Clock, kept: KeptHandler):
        self.clock = clock
        self._handler = kept
        self.jobs: list[PollJob[Any]] = []
        self.alerts: dict[str, Kept[Listing[Alert]]] = {}  # by backend name
        self.devices: dict[str, Kept[Listing[Device]]] = {}  # the devices down
        self.fleet: dict[str, Kept[int]] = {}  # how many devices are active (not disabled)
        self.openwisp: dict[str, Kept[ConfigCounts]] = {}
        self.pbx: dict[str, Kept[PbxCounts]] = {}
        self.calls: dict[str, Kept[tuple[int, int]]] = {}
        self.cpes: dict[str, list[Kept[WatchedCpe]]] = {}  # a Krill's watched CPEs, in order
        self.pings: dict[str, Kept[PingResult]] = {}
        self._tiles: list[Callable[[], TileData]] = []
        pbxes = sum(1 for client in backends if isinstance(client, KalliopeClient))
        for client in backends:
            interval, name = client.settings.poll_seconds, client.name
            if isinstance(client, LibreNmsClient):
                # The server's filters, so a poll costs what is wrong, not the fleet's size:
                # open alerts only, devices down only; the fleet is counted once an hour.
                not_ok = partial(client.alerts, NOT_OK_STATES)
                alerts = self._slot(f"alerts:{name}", name, interval, not_ok)
                down_only = partial(client.devices, "down")
                down = self._slot(f"devices:{name}", name, interval, down_only)
                fleet = self._slot(
                    f"fleet:{name}", name, FLEET_SECONDS, _active_count(client), on_refresh=False
                )
                self.alerts[name], self.devices[name], self.fleet[name] = alerts, down, fleet
                self._tile(alerts, "Open alerts", partial(alerts_tile, alerts.key))
                self._tile(down, "Devices down", partial(devices_tile, down.key, fleet))
            elif isinstance(client, OpenWispClient):
                counts = self._slot(f"openwisp:{name}", name, interval, client.config_counts)
                self.openwisp[name] = counts
                self._tile(counts, "OpenWISP config", partial(openwisp_tile, counts.key))
            elif isinstance(client, KalliopeClient):
                # Many PBXes share a budget of registration lists a second (each is a few
                # hundred XML records to parse); their health is still checked every period.
                every = max(interval, pbxes / PBX_LISTS_PER_SECOND)
                pbx = self._slot(f"pbx:{name}", name, every, _pbx(client, clock))
                slow = max(
                    interval * CALLS_POLL_FACTOR, CALLS_MIN_SECONDS, pbxes / CDR_HOURS_PER_SECOND
                )
                calls = self._slot(f"calls:{name}", name, slow, _calls(client, clock))
                self.pbx[name], self.calls[name] = pbx, calls
                self._tile(pbx, f"PBX {name}", partial(pbx_tile, pbx.key, name))
                self._tile(calls, f"Calls 1h {name}", partial(calls_tile, calls.key, name))
            elif isinstance(client, KrillClient) and ui.watch_cpes:
                self.cpes[name] = [
                    self._slot(f"cpe:{name}:{cpe}", name, interval, _watched(client, cpe))
                    for cpe in ui.watch_cpes
                ]
            else:  # nothing to count (Krill without watched CPEs): its health is still shown
                self.pings[name] = self._slot(f"ping:{name}", name, interval, client.ping)
        # The watched CPEs of one Krill make one tile, after the others.
        for name, watched in self.cpes.items():
            self._tiles.append(partial(_cpes_for, name, watched))

    def _slot(
        self,
        key: str,
        backend: str,
        interval: float,
        fetch: Callable[[], Awaitable[T]],
        on_refresh: bool = True,
    ) -> Kept[T]:
        kept: Kept[T] = Kept(key, backend, interval, self.clock)

        def show(polled: Polled[T]) -> None:
            self._handler(kept, kept.keep(polled))

        self.jobs.append(PollJob(key, backend, interval, fetch, show, on_refresh))
        return kept

    def _tile(self, kept: Kept[T], title: str, build: Callable[[T], TileData]) -> None:
        self._tiles.append(partial(_tile_for, kept, title, build))

    def tiles(self, down: Collection[str] = ()) -> list[TileData]:
        """Every backend's own tiles, in job order. `down`: backends whose health is down (three
        failures in a row, or unreachable); a tile of another failing backend says degraded, as
        the status bar does. `group_tiles` makes of them what a screen shows."""
        tiles = [make() for make in self._tiles]
        return [replace(t, error_level="down" if t.backend in down else "degraded") for t in tiles]


FLEET_SECONDS = 3600.0  # LibreNMS's active devices, read whole to count them: once an hour


# -- jobs ------------------------------------------------------------------------------------


def _active_count(client: LibreNmsClient) -> Callable[[], Awaitable[int]]:
    async def fetch() -> int:
        # LibreNMS gives no count without the list: read it, keep only its length.
        return len(await client.devices("active"))

    return fetch


def _pbx(client: KalliopeClient, clock: Clock) -> Callable[[], Awaitable[PbxCounts]]:
    cached: list[tuple[float, list[Extension]]] = []  # (when, extensions): at most one

    async def fetch() -> PbxCounts:
        now = clock.monotonic()
        if not cached or now - cached[0][0] >= EXTENSIONS_EVERY:
            cached[:] = [(now, await client.extensions())]
        return pbx_counts(cached[0][1], await client.registrations())

    return fetch


def pbx_counts(extensions: Iterable[Extension], registrations: Iterable[Registration]) -> PbxCounts:
    """Enabled extensions, and how many of them hold an OK registration."""
    status = {r.extension: r.status for r in registrations}
    enabled = [e for e in extensions if e.enabled]
    missing = [e for e in enabled if status.get(e.extension) != "OK"]
    listed = tuple(
        (e.extension, e.name, status.get(e.extension) or "not registered")
        for e in missing[:MISSING_LIMIT]
    )
    return PbxCounts(len(enabled), len(enabled) - len(missing), listed)


def _calls(client: KalliopeClient, clock: Clock) -> Callable[[], Awaitable[tuple[int, int]]]:
    async def fetch() -> tuple[int, int]:
        end = datetime.fromtimestamp(clock.now(), UTC).replace(tzinfo=None, microsecond=0)
        calls: list[Call] = []
        async for chunk in client.cdr(CdrQuery(end - CALLS_WINDOW, end)):
            calls.extend(chunk)
        return call_counts(calls)

    return fetch


def call_counts(calls: Iterable[Call]) -> tuple[int, int]:
    """(calls, not answered), one count per unique call."""
    seen: dict[str, int] = {call.key: call.status for call in calls}
    return len(seen), sum(1 for status in seen.values() if status != ANSWERED)


def _watched(client: KrillClient, name: str) -> Callable[[], Awaitable[WatchedCpe]]:
    found: dict[str, Cpe] = {}  # the search runs once; the live info every poll

    async def fetch() -> WatchedCpe:
        history: dict[str, Series] = {}
        if name not in found:
            result = await client.search(name)
            match = next((c for c in result.cpes if c.name == name), None)
            if match is None:
                return WatchedCpe(name, None, None)
            found[name] = match
            history = await _txrx_history(client, match)
        cpe = found[name]
        try:
            return WatchedCpe(name, cpe, await client.info(cpe.id), history)
        except NotFound:
            return WatchedCpe(name, cpe, None, history)

    return fetch


async def _txrx_history(client: KrillClient, cpe: Cpe) -> dict[str, Series]:
    """An hour of optical levels; without it the graph simply starts empty."""
    try:
        graphs = await client.graphs(cpe.host_name, "txrx")
        return await client.datasets(cpe.host_name, graphs, "1h")
    except BackendError:
        return {}


# -- tiles -----------------------------------------------------------------------------------


def open_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    return [a for a in alerts if a.state != 0]


def alerts_tile(key: str, alerts: list[Alert]) -> TileData:
    active = open_alerts(alerts)
    critical = sum(1 for a in active if a.severity == "critical")
    warning = sum(1 for a in active if a.severity == "warning")
    other = len(active) - critical - warning
    level = "down" if critical else "degraded" if active else "ok"
    word = f"{critical} critical" if critical else "no critical" if not active else "open"
    # A list that is not whole says so before the smaller counts: a tile shows three lines.
    lines = (f"▲ {warning} warning", *reading_flag(alerts)) + (
        (f"· {other} other",) if other else ()
    )
    drill = Drill("alerts", (("severity", "critical"),) if critical else ())
    return TileData(key, "Open alerts", str(len(active)), level, word, lines, drill)


def down_devices(devices: Iterable[Device]) -> list[Device]:
    """Down and not disabled, most recently down first: LibreNMS gives no "down since" in the
    list, and a down device's last poll is when it stopped answering, so that orders them."""
    down = [d for d in devices if not d.up and not d.disabled]
    return sorted(down, key=lambda d: (d.last_polled, d.hostname), reverse=True)


def devices_tile(key: str, fleet: Kept[int], devices: list[Device]) -> TileData:
    """`devices`: those the server lists as down; `fleet`: the active devices, counted seldom."""
    down = down_devices(devices)
    level = "down" if down else "ok"
    word = "down" if down else "all up"
    of = f"of {fleet.value:,} devices" if fleet.value is not None else "of … devices"
    lines = (of, *reading_flag(devices), *(f"✗ {d.hostname}" for d in down[:2]))
    return TileData(key, "Devices down", str(len(down)), level, word, lines, Drill("devices-down"))


def openwisp_tile(key: str, counts: ConfigCounts) -> TileData:
    """From the controller's own counts: right at any fleet size, never a partial list."""
    bad, modified = counts.of("error"), counts.of("modified")
    level = "down" if bad else "degraded" if modified else "ok"
    word = f"{bad:,} error" if bad else f"{modified:,} modified" if modified else "all applied"
    shown = (*counts.by_status, ("other", counts.other))
    symbols = {"applied": "✓", "modified": "◐", "error": "✗", "other": "·"}
    lines = tuple(f"{symbols[status]} {n:,} {status}" for status, n in shown if n)
    status = "error" if bad else "modified" if modified else ""
    drill = Drill("openwisp", (("status", status),) if status else ())
    count = str(bad or modified or counts.total)
    return TileData(key, "OpenWISP config", count, level, word, lines, drill)


def pbx_tile(key: str, backend: str, counts: PbxCounts) -> TileData:
    missing = counts.missing
    level = "degraded" if missing else "ok"
    word = f"{missing} not registered" if missing else "all registered"
    lines = (f"✓ {counts.registered} registered", f"of {counts.extensions} enabled")
    drill = Drill("pbx", (("pbx", backend), ("unregistered", "yes" if missing else "")))
    return TileData(key, f"PBX {backend}", str(counts.registered), level, word, lines, drill)


def calls_tile(key: str, backend: str, counts: tuple[int, int]) -> TileData:
    total, failed = counts
    share = failed / total if total else 0.0
    level = "down" if share >= 0.5 and total >= 4 else "degraded" if share >= 0.2 else "ok"
    lines = (f"✗ {failed} not answered",)
    word = f"{share:.0%} failed"
    drill = Drill("cdr", (("pbx", backend),))
    return TileData(key, f"Calls 1h {backend}", str(total), level, word, lines, drill)


def worst_verdict(info: MonitoringInfo | None) -> Verdict:
    if info is None or not info.readings:
        return Verdict.NO_VALUE
    return max((r.verdict for r in info.readings), key=lambda v: VERDICT_RANK[v])


def cpe_line(watched: WatchedCpe) -> tuple[str, str]:
    """(level, line) of one watched CPE: offline or its worst optical verdict."""
    if watched.cpe is None:
        return "unknown", f"? {watched.name} not found"
    info = watched.info
    if info is not None and not info.online:
        return "down", f"✗ {watched.name} offline"
    verdict = worst_verdict(info)
    level = {Verdict.CRITICAL: "down", Verdict.WARNING: "degraded", Verdict.OK: "ok"}.get(
        verdict, "unknown"
    )
    symbol = LEVEL_SYMBOLS[level] if level != "unknown" else "·"
    return level, f"{symbol} {watched.name} {verdict.value}"


def cpes_tile(key: str, watched: list[WatchedCpe]) -> TileData:
    judged = [cpe_line(w) for w in watched]
    bad = sum(1 for level, _ in judged if level in ("down", "degraded"))
    levels = [level for level, _ in judged]
    level = "down" if "down" in levels else "degraded" if "degraded" in levels else "ok"
    unknown = levels.count("unknown")
    word = f"{bad} of {len(judged)} need a look" if bad else f"{len(judged) - unknown} ok"
    if unknown and not bad:
        word += f", {unknown} no data"
    names = ",".join(w.name for w in watched)
    drill = Drill("cpes", (("search", names.split(",")[0] if names else ""),))
    lines = tuple(line for _, line in judged)
    return TileData(key, "Watched CPEs not ok", str(bad), level, word, lines, drill)


def health_tile(states: list[tuple[str, str]]) -> TileData:
    """states: (backend, level) pairs from the client layer's health."""
    down = [name for name, level in states if level == "down"]
    degraded = [name for name, level in states if level == "degraded"]
    level = "down" if down else "degraded" if degraded else "ok"
    word = f"{len(down)} down" if down else f"{len(degraded)} degraded" if degraded else "all ok"
    # Trouble first: a tile shows three lines, and a down backend must be one of them.
    ordered = sorted(states, key=lambda state: state[1] == "ok")
    lines = tuple(f"{LEVEL_SYMBOLS[lv]} {name} {lv}" for name, lv in ordered)
    ok = sum(1 for _, lv in states if lv == "ok")
    word = f"{word} · {ok} of {len(states)} ok"
    return TileData("health", "Backends", str(ok), level, word, lines)


def down_tile(key: str, title: str, error: str) -> TileData:
    """A backend that fails with no answer to show: down, never a zero."""
    return TileData(key, title, "", "down", "down", (error,))


def waiting_tile(key: str, title: str) -> TileData:
    return TileData(key, title, "", "unknown", "waiting", ())


def _tile_for(kept: Kept[T], title: str, build: Callable[[T], TileData]) -> TileData:
    if kept.value is None:
        tile = (
            down_tile(kept.key, title, kept.error) if kept.error else waiting_tile(kept.key, title)
        )
    else:
        tile = build(kept.value)
    return replace(
        tile,
        backend=kept.backend,
        updated=kept.updated,
        error=kept.error,
        interval=kept.interval,
    )


def _cpes_for(backend: str, slots: list[Kept[WatchedCpe]]) -> TileData:
    key, title = f"cpes:{backend}", "Watched CPEs not ok"
    watched = [kept.value for kept in slots if kept.value is not None]
    errors = [kept.error for kept in slots if kept.error]
    if not watched:
        tile = down_tile(key, title, errors[0]) if errors else waiting_tile(key, title)
    else:
        tile = cpes_tile(key, watched)
    times = [kept.updated for kept in slots if kept.updated is not None]
    return replace(
        tile,
        backend=backend,
        updated=min(times) if times else None,
        error=errors[0] if errors else "",
        interval=slots[0].interval,
    )


# -- many backends of a kind: one tile ---------------------------------------------------------

GROUP_FROM = 3  # one or two of a kind keep a tile each; from three on, one tile counts them
# kind (a tile key's prefix) → the grouped tile's title, and what its backends are called
GROUP_TITLES = {
    "alerts": ("Open alerts", "LibreNMS"),
    "devices": ("Devices down", "LibreNMS"),
    "openwisp": ("OpenWISP config", "OpenWISP"),
    "pbx": ("PBX registrations", "PBXes"),
    "calls": ("Calls 1h", "PBXes"),
    "cpes": ("Watched CPEs not ok", "Krill"),
}
# Tiles whose big number counts what is wrong: a group adds them up (other groups count the
# backends that are not ok, since registered extensions or calls made add up to nothing useful).
SUMMED = {"alerts", "devices", "cpes"}
WORST_FIRST = {"down": 0, "degraded": 1, "unknown": 2, "ok": 3}


def tile_kind(tile: TileData) -> str:
    return tile.key.split(":", 1)[0]


def member_level(tile: TileData) -> str:
    """What one backend's tile says, as a group counts it: failing, waiting, or its level."""
    return tile.error_level if tile.error else tile.level


def member_line(tile: TileData) -> str:
    """`✗ kalliope-7 is down` (the backend fails), `▲ kalliope-3: 4 not registered`,
    `✗ librenms: 5 down` (what it counts: its tile's words, with the count if they have none)."""
    symbol = LEVEL_SYMBOLS[member_level(tile)]
    if tile.error:
        return f"{symbol} {tile.backend} is {tile.error_level}"
    counted = tile.count and not tile.word[:1].isdigit()
    return f"{symbol} {tile.backend}: {f'{tile.count} ' if counted else ''}{tile.word}"


def group_tiles(tiles: list[TileData], group_from: int = GROUP_FROM) -> list[TileData]:
    """The tiles a screen shows: `group_from` or more tiles of one kind become one tile, in the
    place of the first; fewer stay as they are. Which tiles exist depends only on the config, so
    a board made once keeps its set."""
    kinds: dict[str, list[TileData]] = {}
    for tile in tiles:
        kinds.setdefault(tile_kind(tile), []).append(tile)
    shown: list[TileData] = []
    done: set[str] = set()
    for tile in tiles:
        kind = tile_kind(tile)
        members = kinds[kind]
        if len(members) < group_from or kind not in GROUP_TITLES:
            shown.append(tile)
        elif kind not in done:
            done.add(kind)
            shown.append(grouped_tile(kind, members))
    return shown


def backend_drill(kind: str, backend: str) -> Drill | None:
    """Where a grouped tile's enter goes when its worst backend has shown nothing yet (down
    from the start): that backend's screen, which says why."""
    return {
        "pbx": Drill("pbx", (("pbx", backend), ("unregistered", ""))),
        "calls": Drill("cdr", (("pbx", backend),)),
        "alerts": Drill("alerts"),
        "devices": Drill("devices-down"),
        "openwisp": Drill("openwisp"),
        "cpes": Drill("cpes"),
    }.get(kind)


def grouped_tile(kind: str, members: list[TileData]) -> TileData:
    """One tile for many backends of a kind: worst first, the worst named in its lines, enter
    opens the worst one's screen."""
    title, noun = GROUP_TITLES[kind]
    # Worst level first, and in it a backend that fails before one that answers (nothing it
    # counts is known); else in config order (the sort is stable).
    ranked = sorted(members, key=lambda t: (WORST_FIRST[member_level(t)], not t.error))
    levels = [member_level(t) for t in members]
    bad = [t for t in ranked if member_level(t) in ("down", "degraded")]
    waiting = levels.count("unknown")
    total = len(members)
    if bad:
        level = "down" if "down" in levels else "degraded"
        word = f"{len(bad)} of {total} {noun} not ok"
    elif waiting == total:
        level, word = "unknown", "waiting"
    else:
        level, word = "ok", f"all {total} {noun} ok"
        if waiting:
            level, word = "unknown", f"{total - waiting} of {total} {noun} ok, {waiting} waiting"
    if kind in SUMMED:
        counted = [
            int(t.count.replace(",", "")) for t in members if t.count.replace(",", "").isdigit()
        ]
        count = f"{sum(counted):,}" if counted else ""
    else:
        count = str(len(bad)) if waiting < total else ""
    named = [member_line(t) for t in ranked if member_level(t) != "ok"]
    ok = levels.count("ok")
    lines = (*named, f"✓ {ok} ok") if ok and named else tuple(named) or (f"✓ {ok} ok",)
    worst = ranked[0]
    drill = worst.drill or backend_drill(kind, worst.backend)
    # Its age is that of the oldest answer still good: a failing backend is named, not aged.
    fresh = [t.updated for t in members if t.updated is not None and not t.error]
    failing = [t for t in ranked if t.error]
    error, error_level = "", "down"
    if len(failing) == total:  # nothing good to show: the tile says it fails, as one does
        error, error_level = failing[0].error, failing[0].error_level
        fresh = [t.updated for t in members if t.updated is not None]
    return TileData(
        f"group:{kind}",
        title,
        count,
        level,
        word,
        lines,
        drill,
        updated=max(fresh) if error and fresh else min(fresh) if fresh else None,
        error=error,
        error_level=error_level,
        interval=min(t.interval for t in members),
    )
