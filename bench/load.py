"""The benchmark's load generator: a separate process that drives the portal over loopback and reports
p50/p95/p99 latency, throughput and errors per page, each page's p50 as a multiple of the floor's, and the
gunicorn workers' memory.

Standard library only (asyncio and raw HTTP/1.1 keep-alive sockets): nothing to install, and light enough
to share two cores with the server it measures. Three phases, every page and the floor interleaved in each:

1. fixed rate: open loop at --rate requests/s (default 50) for --duration seconds. Requests are sent on
   schedule whether or not earlier ones have finished, and latency is counted from the scheduled time, so
   a slow server cannot slow the generator down and hide its own queueing (no coordinated omission);
2. flat out: --concurrency closed-loop clients, all pages in turn, for --flat-duration seconds;
3. each page alone, flat out, for --page-duration seconds (its own throughput ceiling);

and, apart, deep pages: page 1 against page --deep-page of the long lists, one request at a time.
"""

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

HEADER_END = b"\r\n\r\n"


@dataclass
class Sample:
    page: str
    latency: float  # seconds, from the scheduled (open loop) or actual (closed loop) start
    status: int  # HTTP status; 0: connection failed; -1: no answer in --timeout; -2: never sent (saturated)
    size: int


@dataclass
class Page:
    name: str
    path: str
    cookie: str | None = None
    # Add a query parameter no request had before, so the page cannot come from the portal's public page
    # cache (portal/web/pagecache.py): what a page costs the first time it is asked for.
    bust: bool = False


BUST_COUNTER = itertools.count(1)
SIGNED_IN_FLOOR = "floor, signed in"
# The portal's layout (base.html) around an empty page, as a visitor and as a signed-in person: what every
# page costs before its own content (bench/urls.py).
LAYOUT_FLOOR = "layout floor"
SIGNED_IN_LAYOUT_FLOOR = "layout floor, signed in"
FLOORS = {"floor", SIGNED_IN_FLOOR, LAYOUT_FLOOR, SIGNED_IN_LAYOUT_FLOOR}


class StaleConnection(Exception):
    """A kept-alive connection the server had closed before the request reached it."""


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.used = 0
        self.idle_since = time.monotonic()

    @classmethod
    async def open(cls, host: str, port: int) -> "Connection":
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    def close(self) -> None:
        self.writer.close()

    async def get(self, host: str, page: Page, timeout: float) -> tuple[int, int, bool]:
        """(status, body size, keep-alive) of one GET."""
        path = page.path
        if page.bust:
            path += ("&" if "?" in path else "?") + f"_bench={next(BUST_COUNTER)}"
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}",
            "User-Agent: portal-bench/1",
            "Accept: text/html,application/json",
            "Accept-Encoding: identity",
            # The portal runs behind a TLS-terminating proxy in production; this is what it sends.
            "X-Forwarded-Proto: https",
            "Connection: keep-alive",
        ]
        if page.cookie:
            lines.append(f"Cookie: {page.cookie}")
        reused = self.used > 0
        self.used += 1
        try:
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            await self.writer.drain()
            head = await asyncio.wait_for(self.reader.readuntil(HEADER_END), timeout)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            if reused and not getattr(error, "partial", b""):
                raise StaleConnection from error
            raise
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        size = 0
        if "content-length" in headers:
            size = int(headers["content-length"])
            await asyncio.wait_for(self.reader.readexactly(size), timeout)
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                chunk_head = await asyncio.wait_for(self.reader.readuntil(b"\r\n"), timeout)
                length = int(chunk_head.split(b";")[0], 16)
                await asyncio.wait_for(self.reader.readexactly(length + 2), timeout)
                size += length
                if length == 0:
                    break
        keep = headers.get("connection", "").lower() != "close"
        return status, size, keep


class Pool:
    """Keep-alive connections, opened as needed up to `limit`; a request waits for one beyond that. A
    connection idle for longer than `max_idle` is dropped rather than reused (gunicorn closes idle
    connections after its keepalive, 2 s by default), and a request that finds its kept-alive connection
    closed is sent again once on a new one, as browsers do for idempotent requests."""

    def __init__(self, host: str, port: int, limit: int, max_idle: float = 1.0):
        self.host, self.port, self.limit, self.max_idle = host, port, limit, max_idle
        self.idle: list[Connection] = []
        self.open_count = 0
        self.freed = asyncio.Condition()

    async def acquire(self) -> Connection:
        async with self.freed:
            while not self.idle and self.open_count >= self.limit:
                await self.freed.wait()
            now = time.monotonic()
            while self.idle:
                connection = self.idle.pop()
                if now - connection.idle_since <= self.max_idle:
                    return connection
                connection.close()
                self.open_count -= 1
            self.open_count += 1
        try:
            return await Connection.open(self.host, self.port)
        except BaseException:  # refused, or cancelled (give_up_at): the slot is free again
            self.open_count -= 1
            asyncio.get_running_loop().create_task(self._notify())
            raise

    async def _notify(self) -> None:
        async with self.freed:
            self.freed.notify()

    async def release(self, connection: Connection, *, reusable: bool) -> None:
        async with self.freed:
            if reusable:
                connection.idle_since = time.monotonic()
                self.idle.append(connection)
            else:
                connection.close()
                self.open_count -= 1
            self.freed.notify()

    def close(self) -> None:
        for connection in self.idle:
            connection.close()


async def fetch(
    pool: Pool, page: Page, started: float, timeout: float, give_up_at: float | None = None
) -> Sample:
    """One GET. With give_up_at (open loop), a request still waiting for a free connection then is not
    sent at all and counts as an error (-2): a saturated server would otherwise leave a backlog that takes
    longer to drain than the run itself."""
    status, size = 0, 0
    try:
        if give_up_at is None:
            connection = await pool.acquire()
        else:
            connection = await asyncio.wait_for(pool.acquire(), max(0.0, give_up_at - time.perf_counter()))
    except TimeoutError:
        return Sample(page.name, time.perf_counter() - started, -2, 0)
    except OSError:
        return Sample(page.name, time.perf_counter() - started, 0, 0)
    reusable = False
    try:
        try:
            status, size, reusable = await connection.get(pool.host, page, timeout)
        except StaleConnection:
            connection.close()
            connection = await Connection.open(pool.host, pool.port)
            status, size, reusable = await connection.get(pool.host, page, timeout)
    except TimeoutError:
        status = -1  # no answer within --timeout
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        status = 0  # the connection failed
    finally:
        await pool.release(connection, reusable=reusable)
    return Sample(page.name, time.perf_counter() - started, status, size)


def page_cycle(pages: list[Page], rng: random.Random):
    """Every page once per round, in a shuffled order: each page sees the same mix of neighbours."""
    while True:
        order = pages[:]
        rng.shuffle(order)
        yield from order


async def open_loop(
    pool: Pool, pages: list[Page], rate: float, duration: float, timeout: float
) -> list[Sample]:
    rng = random.Random(1)
    cycle = page_cycle(pages, rng)
    tasks = []
    t0 = time.perf_counter() + 0.05
    total = int(rate * duration)
    give_up_at = t0 + duration + timeout
    for i in range(total):
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fetch(pool, next(cycle), scheduled, timeout, give_up_at)))
    return list(await asyncio.gather(*tasks))


async def closed_loop(
    pool: Pool, pages: list[Page], concurrency: int, duration: float, timeout: float
) -> tuple[list[Sample], float]:
    rng = random.Random(2)
    cycle = page_cycle(pages, rng)
    samples: list[Sample] = []
    started = time.perf_counter()
    deadline = started + duration

    async def client():
        while time.perf_counter() < deadline:
            samples.append(await fetch(pool, next(cycle), time.perf_counter(), timeout))

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return samples, time.perf_counter() - started


# --- Worker memory --------------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class MemoryWatch(threading.Thread):
    """Samples every gunicorn worker's VmRSS once a second; keeps each worker's peak."""

    def __init__(self, master_pid: int | None):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.peaks: dict[int, float] = {}
        self.latest: dict[int, float] = {}
        self.stopped = threading.Event()

    def sample(self) -> None:
        if not self.master_pid:
            return
        latest = {}
        for pid in children_of(self.master_pid):
            value = rss_mb(pid)
            if value is not None:
                latest[pid] = value
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), value)
        self.latest = latest

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            self.sample()


# --- Report -----------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


@dataclass
class Stats:
    name: str
    count: int
    errors: int
    p50: float
    p95: float
    p99: float
    mean: float
    rps: float
    statuses: dict = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, samples: list[Sample], seconds: float) -> "Stats":
        latencies = [s.latency * 1000 for s in samples]
        statuses: dict[int, int] = {}
        for s in samples:
            statuses[s.status] = statuses.get(s.status, 0) + 1
        return cls(
            name=name,
            count=len(samples),
            errors=sum(1 for s in samples if s.status != 200),
            p50=percentile(latencies, 50),
            p95=percentile(latencies, 95),
            p99=percentile(latencies, 99),
            mean=statistics.fmean(latencies) if latencies else float("nan"),
            rps=len(samples) / seconds if seconds else 0.0,
            statuses=statuses,
        )


def by_page(pages: list[Page], samples: list[Sample], seconds: float) -> list[Stats]:
    return [Stats.of(page.name, [s for s in samples if s.page == page.name], seconds) for page in pages]


def table(
    title: str, rows: list[Stats], floor_p50: float | None, out, signed_in: set[str] = frozenset()
) -> None:
    """One phase's rows; a signed-in page's p50 is also given as a multiple of the signed-in floor's."""
    signed_floor = next((row.p50 for row in rows if row.name == SIGNED_IN_FLOOR), None)
    print(f"\n{title}", file=out)
    print(
        f"  {'page':<24} {'n':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7}"
        f" {'× floor':>8}" + (f" {'× signed-in floor':>18}" if signed_floor else ""),
        file=out,
    )
    for row in rows:
        ratio = f"{row.p50 / floor_p50:8.1f}" if floor_p50 else f"{'':>8}"
        if signed_floor and row.name in signed_in:
            ratio += f" {row.p50 / signed_floor:18.1f}"
        print(
            f"  {row.name:<24} {row.count:>6} {row.errors:>4} {row.p50:>8.1f} {row.p95:>8.1f} {row.p99:>8.1f}"
            f" {row.rps:>7.1f} {ratio}",
            file=out,
        )


async def warm_up(pool: Pool, pages: list[Page], rounds: int, timeout: float) -> list[Sample]:
    samples = []
    for _ in range(rounds):
        samples += await asyncio.gather(*(fetch(pool, page, time.perf_counter(), timeout) for page in pages))
    return samples


async def deep_pages(
    pool: Pool, lists: list[dict], deep_page: int, repeats: int, timeout: float
) -> list[dict]:
    results = []
    for item in lists:
        separator = "&" if "?" in item["path"] else "?"
        # Neither from the page cache: what is compared is the cost of reading the rows.
        first = Page(item["name"] + " p1", item["path"], bust=True)
        deep = Page(f"{item['name']} p{deep_page}", f"{item['path']}{separator}page={deep_page}", bust=True)
        row = {"name": item["name"], "deep_page": deep_page}
        for key, page in (("first", first), ("deep", deep)):
            await fetch(pool, page, time.perf_counter(), timeout)  # warm
            samples = [await fetch(pool, page, time.perf_counter(), timeout) for _ in range(repeats)]
            stats = Stats.of(page.name, samples, 0)
            row[key] = {
                "p50": stats.p50,
                "p95": stats.p95,
                "errors": stats.errors,
                "statuses": stats.statuses,
            }
        row["ratio"] = row["deep"]["p50"] / row["first"]["p50"] if row["first"]["p50"] else None
        results.append(row)
    return results


async def main_async(args) -> dict:
    with open(args.targets) as handle:
        targets = json.load(handle)
    pages = [Page(p["name"], p["path"], p.get("cookie")) for p in targets["pages"]]
    if args.only:
        pages = [p for p in pages if p.name == "floor" or p.name in args.only]
    # The floor again with a signed-in person's session: what the middleware costs such a request (the
    # session, the person and their roles are read) before a view does anything.
    cookie = next((page.cookie for page in pages if page.cookie), None)
    if any(page.name == "floor" for page in pages):
        floor_path = next(page.path for page in pages if page.name == "floor")
        floors = [Page(LAYOUT_FLOOR, floor_path + "layout/")]
        if cookie:
            floors[:0] = [Page(SIGNED_IN_FLOOR, floor_path, cookie)]
            floors.append(Page(SIGNED_IN_LAYOUT_FLOOR, floor_path + "layout/", cookie))
        pages[1:1] = floors
    signed_in = {page.name for page in pages if page.cookie}
    pool = Pool(args.host, args.port, args.connections)
    memory = MemoryWatch(args.master_pid)
    memory.start()
    out = sys.stdout
    results: dict = {"rate": args.rate, "duration": args.duration, "concurrency": args.concurrency}
    loadavg_before = os.getloadavg()

    warm = await warm_up(pool, pages, args.warmup, args.timeout)
    bad = [s for s in warm if s.status != 200]
    if bad:
        print("Warm-up answers that were not 200:", file=out)
        for s in bad:
            print(f"  {s.page}: {s.status}", file=out)
    results["warmup_errors"] = {s.page: s.status for s in bad}

    # 1. Fixed rate, open loop (each rate given, in turn; the first is the one the targets are read at).
    results["fixed_runs"] = []
    for rate in args.rate:
        started = time.perf_counter()
        samples = await open_loop(pool, pages, rate, args.duration, args.timeout)
        seconds = time.perf_counter() - started
        fixed = by_page(pages, samples, seconds)
        floor = next((row.p50 for row in fixed if row.name == "floor"), None)
        total = Stats.of("all", samples, seconds)
        table(
            f"Fixed rate: {rate:g} requests/s offered for {args.duration:g} s (open loop), "
            f"{total.rps:.1f} req/s served, {total.errors} errors",
            fixed,
            floor,
            out,
            signed_in,
        )
        run = {"rate": rate, "pages": [vars(r) for r in fixed], "total": vars(total), "floor_p50": floor}
        results["fixed_runs"].append(run)
        memory.sample()
        run["rss_after"] = dict(memory.latest)
    results["fixed"] = results["fixed_runs"][0]

    # 2. Flat out, all pages interleaved.
    samples, seconds = await closed_loop(pool, pages, args.concurrency, args.flat_duration, args.timeout)
    flat = by_page(pages, samples, seconds)
    flat_floor = next((row.p50 for row in flat if row.name == "floor"), None)
    total = Stats.of("all", samples, seconds)
    table(
        f"Flat out: {args.concurrency} clients for {seconds:.0f} s, all pages in turn: "
        f"{total.rps:.1f} req/s, {total.errors} errors",
        flat,
        flat_floor,
        out,
        signed_in,
    )
    results["flat"] = {"pages": [vars(r) for r in flat], "total": vars(total), "floor_p50": flat_floor}

    # 3. Each page alone, flat out.
    alone = []
    for page in pages:
        page_samples, page_seconds = await closed_loop(
            pool, [page], args.concurrency, args.page_duration, args.timeout
        )
        alone.append(Stats.of(page.name, page_samples, page_seconds))
    alone_floor = next((row.p50 for row in alone if row.name == "floor"), None)
    table(
        f"Each page alone, flat out ({args.concurrency} clients, {args.page_duration:g} s each): "
        "its throughput ceiling",
        alone,
        alone_floor,
        out,
        signed_in,
    )
    results["alone"] = [vars(r) for r in alone]

    # 3b. The public pages alone again, never from the page cache: what each costs on a miss (the first
    # visitor after a change, or a search nobody made in the last minute).
    public = [Page(p.name, p.path, bust=True) for p in pages if p.cookie is None and p.name != "floor"]
    if public:
        uncached = []
        for page in public:
            page_samples, page_seconds = await closed_loop(
                pool, [page], args.concurrency, args.page_duration, args.timeout
            )
            uncached.append(Stats.of(page.name, page_samples, page_seconds))
        table(
            f"Public pages alone, never from the page cache ({args.concurrency} clients, "
            f"{args.page_duration:g} s each)",
            uncached,
            alone_floor,
            out,
        )
        results["alone_uncached"] = [vars(r) for r in uncached]

    # Deep pages.
    if targets.get("deep") and args.deep_page:
        deep = await deep_pages(pool, targets["deep"], args.deep_page, args.deep_repeats, args.timeout)
        print(
            f"\nDeep pages (one request at a time, {args.deep_repeats} each): "
            f"page 1 against page {args.deep_page}",
            file=out,
        )
        print(f"  {'list':<22} {'p1 p50 ms':>10} {'deep p50 ms':>12} {'deep/p1':>8}  statuses", file=out)
        for row in deep:
            print(
                f"  {row['name']:<22} {row['first']['p50']:>10.1f} {row['deep']['p50']:>12.1f}"
                f" {row['ratio']:>8.2f}  {row['first']['statuses']} {row['deep']['statuses']}",
                file=out,
            )
        results["deep"] = deep

    memory.sample()
    memory.stopped.set()
    pool.close()
    results["rss_peak_mb"] = memory.peaks
    results["rss_final_mb"] = memory.latest
    results["loadavg_before"] = loadavg_before
    results["loadavg_after"] = os.getloadavg()
    if memory.peaks:
        print(
            f"\nGunicorn workers' memory (VmRSS): peak {max(memory.peaks.values()):.0f} MB over "
            f"{len(memory.peaks)} worker processes seen; now "
            + ", ".join(f"{v:.0f}" for v in memory.latest.values())
            + " MB",
            file=out,
        )
    print(
        f"Load average before {loadavg_before[0]:.2f}, after {results['loadavg_after'][0]:.2f} "
        f"({os.cpu_count()} CPUs; other processes share them)",
        file=out,
    )
    results["signed_in"] = sorted(signed_in)
    results["verdict"] = verdict(results, args)
    print("\nTargets:", file=out)
    for line in results["verdict"]:
        print(f"  {line}", file=out)
    return results


def verdict(results: dict, args) -> list[str]:
    fixed = results["fixed"]
    rate = fixed["rate"]
    floor = fixed["floor_p50"] or float("nan")
    lines = []
    served = fixed["total"]["count"] - fixed["total"]["errors"]
    saturated = fixed["total"]["errors"] > 0 or served < 0.9 * rate * args.duration
    if saturated:
        lines.append(
            f"FAIL the server keeps up with {rate:g} requests/s: it answered {served} of "
            f"{fixed['total']['count']} in time; latencies at this rate are mostly queueing, so the ratio "
            "to the floor is read from each page alone below"
        )
    else:
        over = [r["name"] for r in fixed["pages"] if r["name"] not in FLOORS and r["p50"] > 3 * floor]
        lines.append(
            ("PASS" if not over else "FAIL")
            + f" every page's p50 within 3× the floor ({floor:.1f} ms) at {rate:g}/s"
            + (f": over: {', '.join(over)}" if over else "")
        )
    alone = {row["name"]: row for row in results.get("alone", [])}
    if "floor" in alone:
        alone_floor = alone["floor"]["p50"]
        over = [
            f"{name} {row['p50'] / alone_floor:.0f}×"
            for name, row in alone.items()
            if name not in FLOORS and row["p50"] > 3 * alone_floor
        ]
        lines.append(
            ("PASS" if not over else "FAIL")
            + f" each page alone: p50 within 3× the floor's ({alone_floor:.1f} ms)"
            + (f": over: {', '.join(over)}" if over else "")
        )
    signed_in = set(results.get("signed_in", [])) - FLOORS
    signed = {row["name"]: row for row in fixed["pages"] if row["name"] in signed_in}
    signed_floor = next((r["p50"] for r in fixed["pages"] if r["name"] == SIGNED_IN_FLOOR), None)
    if signed and signed_floor and not saturated:
        # Not a target of its own: how much of a signed-in page's time is its view, not the stack.
        lines.append(
            f"INFO signed-in pages' p50 against the signed-in floor ({signed_floor:.1f} ms) at {rate:g}/s: "
            + ", ".join(f"{name} {row['p50'] / signed_floor:.1f}×" for name, row in signed.items())
        )
    layouts = {
        r["name"]: r["p50"] for r in fixed["pages"] if r["name"] in (LAYOUT_FLOOR, SIGNED_IN_LAYOUT_FLOOR)
    }
    if layouts and floor and not saturated:
        # Not a target either: the share of the 3× budget that the layout takes before a page's content.
        lines.append(
            f"INFO the layout around an empty page at {rate:g}/s, against the floor: "
            + ", ".join(f"{name} {p50 / floor:.1f}×" for name, p50 in layouts.items())
        )
    slow = [r["name"] for r in fixed["pages"] if r["p95"] >= 200]
    lines.append(
        ("PASS" if not slow else "FAIL")
        + f" p95 under 200 ms at {rate:g} requests/s"
        + (f": over: {', '.join(slow)}" if slow else "")
    )
    errors = fixed["total"]["errors"] + results["flat"]["total"]["errors"]
    lines.append(("PASS" if errors == 0 else "FAIL") + f" zero errors (fixed + flat out: {errors})")
    peak = max(results["rss_peak_mb"].values()) if results["rss_peak_mb"] else float("nan")
    lines.append(("PASS" if peak < 250 else "FAIL") + f" worker memory under 250 MB (peak {peak:.0f} MB)")
    for row in results.get("deep", []):
        ratio = row["ratio"] or float("nan")
        lines.append(
            ("PASS" if ratio <= 1.5 else "FAIL")
            + f" {row['name']}: page {row['deep_page']} costs {ratio:.2f}× page 1 (allowing 1.5× for noise)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", required=True, help="JSON from build_scale_data --targets")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--master-pid", type=int, help="gunicorn's master, to read its workers' memory")
    parser.add_argument(
        "--rate", type=float, nargs="+", default=[50.0], help="requests/s of the fixed-rate phase(s)"
    )
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--flat-duration", type=float, default=30.0)
    parser.add_argument("--page-duration", type=float, default=4.0)
    parser.add_argument("--connections", type=int, default=64, help="most open connections (fixed rate)")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--warmup", type=int, default=6, help="rounds of every page before measuring")
    parser.add_argument("--deep-page", type=int, default=200)
    parser.add_argument("--deep-repeats", type=int, default=15)
    parser.add_argument("--only", nargs="*", help="only these pages (and the floor)")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2, default=str)


if __name__ == "__main__":
    main()
