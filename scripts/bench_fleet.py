"""Fleet tick benchmark (issue #14, parts 2 and 3), run by `scripts/bench-poller fleet`.

2,000 enabled sources, registered through the real API (credentials sealed by siem-api) over 50
SIEM tenants: the four built-in platforms (Microsoft365, AzureAD, GCP, AWS; 300 each) and the
four connectors (connectors/*.json: Okta, GoogleWorkspace, Slack, Salesforce; 200 each), one
customer account (org) and one stream each, all due, each with one page of 100 events behind
the HTTPS fakes, every fake request held ~50 ms first. Then:
  1. per concurrency (FLEET_CONCURRENCY, default "8 16 32 64"): a fresh set of 2,000 sources on
     the same customers, one `siem-poller run --concurrency N` timed by /usr/bin/time (wall,
     user+sys, peak RSS), the CPU every other process of the stack used in the same time;
  2. the last set due again with 100 new events each: one poller (best concurrency);
  3. the same again, three pollers started at the same instant (three hosts' cron); and before
     that, the first tick of a fresh set with three pollers (the part-2 scenario on 3 hosts).
After every tick: each source's events in Kafka exactly once (key = event id), none repeated
from an earlier tick, and each customer's requests at its fake equal those the one "source
polled" line of its source reports (no source polled twice).

Knobs (environment):
  FLEET_PER_PLATFORM       sources per built-in platform (default 300; 500 with FLEET_PER_CONNECTOR=0
                           is the earlier built-in-only fleet)
  FLEET_PER_CONNECTOR      sources per connector (default 200; 0: no connector sources, no SaaS fakes)
  FLEET_CONNECTOR_CUSTOMERS_PER_FAKE  connector customers per fake process (default 50; see
                           scripts/fleetconnectors.py: Okta and Salesforce pace per org URL)
  FLEET_CONCURRENCY        concurrencies of the first tick (default "8 16 32 64")
  FLEET_HOST_CONCURRENCY   each of the 3 pollers' concurrency in the first-tick 3-host run (default:
                           the best of FLEET_CONCURRENCY)
  FLEET_LATENCY_S          seconds every fake request waits first (default 0.05)
  FLEET_PERF=first|again  perf record the one-poller first ticks, or the one-poller "again" tick
                           (1 = again)
  FLEET_HTTPS_PORT, FLEET_HTTP_PORT, FLEET_PG_PORT  the stack's ports (59443, 59480, 59432)

Loopback only; the stack (its own var dir and 59xxx ports), the fakes and every poller are
stopped by PID at the end, also on failure or Ctrl-C. Scratch lives in /tmp/fleet-bench.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "integration"))
sys.path.insert(0, str(ROOT / "scripts"))

import psycopg  # noqa: E402
import requests  # noqa: E402

import fleetcheck  # noqa: E402
import fleetclouds  # noqa: E402
import fleetconnectors  # noqa: E402
from fakes.process import start_fake  # noqa: E402
from harness import procs  # noqa: E402
from pollerkit import broker_command  # noqa: E402
from stack import Stack  # noqa: E402

PER_PLATFORM = int(os.environ.get("FLEET_PER_PLATFORM", "300"))
PER_CONNECTOR = int(os.environ.get("FLEET_PER_CONNECTOR", "200"))
CONCURRENCIES = [int(c) for c in os.environ.get("FLEET_CONCURRENCY", "8 16 32 64").split()]
HOST_CONCURRENCY = int(os.environ.get("FLEET_HOST_CONCURRENCY", "0"))
EVENTS = 100
PERF = {"1": "again"}.get(os.environ.get("FLEET_PERF", ""), os.environ.get("FLEET_PERF", ""))
LATENCY_S = float(os.environ.get("FLEET_LATENCY_S", "0.05"))
DEADLINE_S = 50.0
RUN_TIMEOUT_S = 120            # a poller still running after this is killed (its deadline is 50 s)
HOSTS = 3
MAX_CONCURRENCY_PER_HOST = 48  # each worker holds a PostgreSQL connection; the stack allows 200
SIEM_TENANTS = 50
PARTITIONS = 192               # the mock broker keeps ~5 MiB per partition (it drops older messages): room for a tick
SCRATCH = Path("/tmp/fleet-bench")
VAR = ROOT / "var" / "bench-fleet"
PORTS = {"https": int(os.environ.get("FLEET_HTTPS_PORT", "59443")),
         "http": int(os.environ.get("FLEET_HTTP_PORT", "59480")),
         "pg": int(os.environ.get("FLEET_PG_PORT", "59432"))}


def shards(customers, per_fake):
    return -(-customers // per_fake)


def fake_names():
    """One Microsoft and one AWS fake; GCP projects and connector customers spread over several
    (a Python fake's CPU, and for Okta and Salesforce the poller's per-URL pacing, set the limit)."""
    names = ["microsoft", "aws", *(f"gcp-{k}" for k in range(shards(PER_PLATFORM, fleetclouds.GCP_PROJECTS_PER_FAKE)))]
    for platform in fleetconnectors.CONNECTORS:
        module = fleetconnectors.FAKE_MODULE[platform]
        names += [f"{module}-{k}" for k in range(shards(PER_CONNECTOR, fleetconnectors.CONNECTOR_CUSTOMERS_PER_FAKE))]
    return names


def interleaved(groups):
    """One customer of each group in turn: sources are registered, and so polled, in this order,
    so a tick the deadline stops leaves every platform partly done, not the last ones untouched."""
    groups = [g for g in groups if g]
    return [g[k] for k in range(max(map(len, groups), default=0)) for g in groups if k < len(g)]


def log(msg):
    print(f"\033[1m==>\033[0m {msg}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self):
        self.fakes = {}
        self.pollers = []               # Popen of pollers running now (stopped on failure)
        self.stack = None
        self.results = []
        self.owed = {}                  # source id -> events at the fake it has not delivered yet

    # -- set-up -----------------------------------------------------------------------
    def start(self):
        SCRATCH.mkdir(parents=True, exist_ok=True)
        certs = SCRATCH / "certs"
        for name in fake_names():
            module = "fakes." + name.split("-")[0]
            self.fakes[name] = start_fake(module, certs, seed=14, log_path=SCRATCH / f"fake-{name}.log")
        log("fakes up: " + ", ".join(f"{n} pid {f.pid} port {f.port}" for n, f in self.fakes.items()))
        os.environ.setdefault("SIEM_BUILD", "release")
        self.stack = Stack(VAR, PORTS, provider_ca=certs / "ca.pem")
        self.stack.down()
        self.stack.up()
        with psycopg.connect(self.stack.env["DATABASE_URL"], autocommit=True) as db:
            # The benchmark's own database: an earlier run's sources would be due again.
            db.execute("TRUNCATE cloud_api_sources CASCADE")
        log(f"stack up on {self.stack.url} (var {VAR})")

    def customers(self):
        t0 = time.monotonic()
        ms, aws = self.fakes["microsoft"], self.fakes["aws"]
        keys, per = fleetclouds.gcp_keys(), fleetclouds.GCP_PROJECTS_PER_FAKE
        gcps = [n for n in self.fakes if n.startswith("gcp-")]
        with ThreadPoolExecutor(3 + len(fleetconnectors.CONNECTORS)) as pool:
            jobs = [pool.submit(lambda: fleetclouds.microsoft(ms, "Microsoft365", PER_PLATFORM)
                                + fleetclouds.microsoft(ms, "AzureAD", PER_PLATFORM)),
                    pool.submit(lambda: [i for k, n in enumerate(gcps) for i in fleetclouds.gcp(
                        self.fakes[n], n, range(k * per, min(PER_PLATFORM, (k + 1) * per)), keys)]),
                    pool.submit(fleetclouds.aws, aws, PER_PLATFORM)]
            jobs += [pool.submit(self.connector_customers, platform, keys) for platform in fleetconnectors.CONNECTORS]
            self.identities = interleaved([j.result() for j in jobs])
        now = time.time()
        self.add_events(now - 15 * 60, now - 60)
        log(f"{len(self.identities)} customers with {EVENTS} events each in {time.monotonic() - t0:.0f} s")

    def connector_customers(self, platform, keys):
        """PER_CONNECTOR customers of a connector, CONNECTOR_CUSTOMERS_PER_FAKE in each of its fakes."""
        per, module = fleetconnectors.CONNECTOR_CUSTOMERS_PER_FAKE, fleetconnectors.FAKE_MODULE[platform]
        names = [n for n in self.fakes if n.split("-")[0] == module]
        return [i for k, n in enumerate(names) for i in fleetconnectors.customers(
            platform, self.fakes[n], n, range(k * per, min(PER_CONNECTOR, (k + 1) * per)), keys)]

    def add_events(self, start, end):
        def feed(name):
            for ident in self.identities:
                if ident.fake == name:
                    add = fleetconnectors.add_events if ident.platform in fleetconnectors.CONNECTORS \
                        else fleetclouds.add_events
                    add(self.fakes[name], ident, EVENTS, start, end)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(feed, self.fakes))

    def register(self, label):
        """A source per customer through the API; [(source_id, identity)]."""
        t0 = time.monotonic()
        tokens = [self.stack.token(tenant=f"fleet-{t:02d}", roles=["admin"], ttl=7200) for t in range(SIEM_TENANTS)]
        local = threading.local()

        def post(numbered):
            i, ident = numbered
            if not hasattr(local, "s"):
                local.s = requests.Session()
                local.s.trust_env = False
                local.s.verify = self.stack.ca
            r = local.s.post(f"{self.stack.url}/v1/cloud_api_sources", timeout=30,
                             headers={"Authorization": f"Bearer {tokens[i % SIEM_TENANTS]}"},
                             json=ident.source_body(f"{label}-{ident.platform.lower()}-{i:04d}"))
            if r.status_code != 201:
                raise RuntimeError(f"POST source -> {r.status_code}: {r.text[:300]}")
            return r.json()["source_id"], ident
        with ThreadPoolExecutor(8) as pool:
            sources = list(pool.map(post, enumerate(self.identities)))
        self.owed.update({sid: EVENTS for sid, _ in sources})
        log(f"registered {len(sources)} sources through the API in {time.monotonic() - t0:.1f} s")
        return sources

    def make_due(self, sources, due="now()"):
        with psycopg.connect(self.stack.env["DATABASE_URL"], autocommit=True) as db:
            db.execute(f"UPDATE cloud_api_sources SET next_poll_time = {due} WHERE source_id = ANY(%s::uuid[])",
                       [[sid for sid, _ in sources]])

    def park(self, sources):
        self.make_due(sources, due="now() + interval '1 day'")

    # -- a tick -----------------------------------------------------------------------
    def poller_env(self, topic):
        return procs.clean_env({
            "SIEM_POLLER_DATABASE_URL": self.stack.env["SIEM_POLLER_DATABASE_URL"],
            "SIEM_MASTER_KEY_FILE": self.stack.env["SIEM_MASTER_KEY_FILE"],
            "KAFKA_BROKERS": self.stack.env["KAFKA_BROKERS"], "KAFKA_TOPIC": topic,
            "SIEM_CA_BUNDLE": str(SCRATCH / "certs" / "ca.pem"),
            "SIEM_PROVIDER_HOST_ALLOWLIST": self.stack.env["SIEM_PROVIDER_HOST_ALLOWLIST"]})

    def other_pids(self):
        pids = {}
        for n, f in self.fakes.items():
            pids.setdefault(n.split("-")[0], []).append(f.pid)
        run = VAR / "pids"
        pids["devbroker"] = [int((run / "devbroker.pid").read_text())]
        return pids

    def other_cpu(self):
        cpu = {n: fleetcheck.cpu_seconds(p) for n, p in self.other_pids().items()}
        postmaster = int((VAR / "pids" / "postgres.pid").read_text())
        cpu["postgres"] = fleetcheck.cpu_seconds([postmaster], reaped=True) + \
            fleetcheck.cpu_seconds(fleetcheck.children(postmaster))
        return cpu

    def tick(self, name, sources, concurrency, hosts=1, seen_before=None, perf=False):
        topic = f"fleet-{name}-{uuid.uuid4().hex[:6]}"
        broker_command(self.stack.env["SIEM_KAFKA_CONTROL"], f"create-topic {topic} {PARTITIONS}")
        env = self.poller_env(topic)
        argv = [self.stack.bin("siem-poller"), "run", "--concurrency", str(concurrency),
                "--max-sources", str(len(sources) + 100), "--deadline", str(DEADLINE_S)]
        load = os.getloadavg()[0]
        cpu0, since = self.other_cpu(), time.time()
        t0 = time.monotonic()
        for h in range(hosts):
            out = SCRATCH / f"{name}-host{h}"
            self.pollers.append(subprocess.Popen(
                ["/usr/bin/time", "-f", "%e %U %S %M", "-o", f"{out}.time", *argv], env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(f"{out}.log", "wb")))
        recorder = self.perf_record(name) if perf else None
        for p in self.pollers:
            try:
                p.wait(timeout=max(1, RUN_TIMEOUT_S - (time.monotonic() - t0)))
            except subprocess.TimeoutExpired:
                procs.stop(p.pid)
        wall = time.monotonic() - t0
        cpu1 = self.other_cpu()
        if recorder:
            recorder.send_signal(signal.SIGINT)
            recorder.wait(timeout=60)
        codes = [p.returncode for p in self.pollers]
        self.pollers = []
        result = {"tick": name, "concurrency": concurrency, "hosts": hosts, "wall_s": round(wall, 2),
                  "load_before": round(load, 1), "exit_codes": codes,
                  "other_cpu_s": {k: round(cpu1[k] - cpu0[k], 1) for k in cpu0}}
        result.update(self.poller_figures(name, hosts))
        polled_to_end = {sid for sid, read, backlog in result["_polled"] if read and not backlog}
        unfinished = {sid for sid, _ in sources} - polled_to_end
        result.update(self.verify(topic, sources, since, seen_before, result.pop("_requests"), unfinished))
        result["cpu_s_per_1000_events"] = round(result["poller_cpu_s"] / max(1, result["events"]) * 1000, 3)
        self.results.append(result)
        log(json.dumps({k: v for k, v in result.items() if not k.startswith("_")}))
        return result

    def perf_record(self, name):
        """perf on the one poller of this tick (call graph by frame pointers: the release build keeps them)."""
        out = SCRATCH / f"{name}.perf.data"
        time.sleep(0.2)  # /usr/bin/time has forked the poller by now
        child = fleetcheck.children(self.pollers[0].pid)
        return subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o", str(out), "-p", str(child[0])],
                                stdout=subprocess.DEVNULL, stderr=open(SCRATCH / f"{name}.perf.log", "wb"))

    def poller_figures(self, name, hosts):
        wall, cpu, rss, summaries, polled, skipped, requests = [], 0.0, 0, [], [], Counter(), Counter()
        durations = {}                  # platform -> [duration_ms of its sources' polls]
        for h in range(hosts):
            line = (SCRATCH / f"{name}-host{h}.time").read_text().split()
            wall.append(float(line[-4]))
            cpu += float(line[-3]) + float(line[-2])
            rss = max(rss, int(line[-1]))
            for raw in (SCRATCH / f"{name}-host{h}.log").read_text(errors="replace").splitlines():
                if raw.startswith("{"):
                    entry = json.loads(raw)
                    if entry.get("msg") == "run finished":
                        summaries.append({k: entry.get(k) for k in ("due", "succeeded", "failed", "skipped",
                                                                     "events", "duration_ms")})
                    elif entry.get("msg") == "source polled":
                        # Nothing delivered and work left (started at the deadline, or its one
                        # request throttled there): still due (next_poll_time now).
                        deferred = not entry.get("events") and entry.get("backlog_left")
                        polled.append((entry.get("source.id"), not deferred, bool(entry.get("backlog_left"))))
                        requests[entry.get("source.id")] += int(entry.get("requests") or 0)
                        if not deferred:
                            durations.setdefault(entry.get("platform"), []).append(int(entry.get("duration_ms") or 0))
                    elif entry.get("msg") == "source skipped":
                        skipped[entry.get("reason")] += 1
        return {"poller_wall_s": wall, "poller_cpu_s": round(cpu, 2), "peak_rss_mib": round(rss / 1024, 1),
                "runs": summaries, "skipped": dict(skipped), "_polled": polled, "_requests": requests,
                "poll_ms_by_platform": {p: poll_times(d) for p, d in sorted(durations.items(), key=str)}}

    def verify(self, topic, sources, since, seen_before, reported, unfinished):
        ids = [sid for sid, _ in sources]
        tally = fleetcheck.tally_topic(self.stack.env["KAFKA_BROKERS"], topic)
        events, complete, partial = fleetcheck.check_events(
            tally, {sid: self.owed[sid] for sid in ids}, unfinished, seen_before)
        for sid in complete:
            self.owed[sid] = 0
        for sid, n in partial.items():
            self.owed[sid] -= n
        platform_of = {sid: ident.platform for sid, ident in sources}
        by_platform = Counter(platform_of[sid] for sid in complete)
        complete = len(complete)
        counts = {n: fleetcheck.fake_requests(f, since) for n, f in self.fakes.items()}
        requests_total = fleetcheck.check_requests(counts, sources, reported)
        unattributed = sum(c.get(None, (0, 0))[0] for c in counts.values())
        self.seen = {sid: set(tally[sid]) | (seen_before or {}).get(sid, set()) for sid in ids}
        return {"events": events, "sources_complete": complete, "sources_cut_short": len(partial),
                "data_pages": requests_total, "unattributed_requests": unattributed, "complete_by_platform": dict(sorted(by_platform.items()))}

    # -- teardown -----------------------------------------------------------------------
    def stop(self):
        for p in self.pollers:
            procs.stop(p.pid)
        for f in self.fakes.values():
            f.stop()
        if self.stack is not None:
            self.stack.down()


def poll_times(ms):
    """Median, 90th percentile and mean of one platform's poll durations (ms)."""
    ms = sorted(ms)
    return {"polls": len(ms), "p50": ms[len(ms) // 2], "p90": ms[int(len(ms) * 0.9)], "mean": round(sum(ms) / len(ms))}


def polled_once(result, sources):
    """No source polled by more than one poller ("source polled" lines), and the polled ones are
    exactly those complete in Kafka (the rest: not reached before the deadline)."""
    lines = result.pop("_polled")
    twice = len(lines) - len({sid for sid, _, _ in lines})
    polled = [sid for sid, read, _ in lines if read]
    if twice or len(polled) != result["sources_complete"] + result["sources_cut_short"]:
        raise fleetcheck.CheckFailed(f"{twice} sources polled more than once; {len(polled)} polled, "
                                     f"{result['sources_complete']} complete in Kafka, "
                                     f"{result['sources_cut_short']} cut short by the deadline")
    result["sources_polled"] = len(polled)
    result["sources_deferred_at_deadline"] = len(lines) - len(polled)
    result["sources_missed"] = len(sources) - len(polled)
    return result


def main():
    bench = Bench()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        bench.start()
        for name, fake in bench.fakes.items():
            fleetclouds.set_latency(fake, LATENCY_S)
        bench.customers()
        fleets, seen = {}, {}
        for c in CONCURRENCIES:
            fleets[c] = bench.register(f"c{c}")
            polled_once(bench.tick(f"first-c{c}", fleets[c], c, perf=PERF == "first"), fleets[c])
            seen[c] = bench.seen
            bench.park(fleets[c])   # what the deadline left due must not run into the next tick
        # Best: every source collected, then the shortest wall time.
        best = min(bench.results, key=lambda r: (-r["sources_complete"], r["wall_s"]))["concurrency"]
        again = min(best, MAX_CONCURRENCY_PER_HOST)
        # Part 3 on the part-2 scenario: a fresh set, all due, three pollers at once, each with
        # the concurrency of one of the ticks above (compare with that tick).
        per_host = min(HOST_CONCURRENCY or best, MAX_CONCURRENCY_PER_HOST)
        fresh = bench.register(f"h{HOSTS}")
        polled_once(bench.tick(f"first-{HOSTS}hosts", fresh, per_host, hosts=HOSTS), fresh)
        bench.park(fresh)
        sources, bench.seen = fleets[best], seen[best]
        for name, hosts in (("again-1host", 1), (f"again-{HOSTS}hosts", HOSTS)):
            seen = bench.seen
            start = time.time()
            bench.add_events(start - 30, start - 1)
            bench.owed.update({sid: bench.owed[sid] + EVENTS for sid, _ in sources})
            bench.make_due(sources)
            result = bench.tick(name, sources, again, hosts=hosts, seen_before=seen,
                                perf=hosts == 1 and PERF == "again")
            polled_once(result, sources)
        for r in bench.results:
            r.pop("_polled", None)
        (SCRATCH / "results.json").write_text(json.dumps(bench.results, indent=1))
        report(bench.results, best, len(bench.identities))
    finally:
        bench.stop()


def report(results, best, sources):
    print(f"\nFleet tick: {sources} sources ({PER_PLATFORM} per built-in platform, {PER_CONNECTOR} per connector)"
          f" x {EVENTS} events, {LATENCY_S * 1000:.0f} ms per fake request")
    print(f"{'tick':<16}{'conc':>5}{'hosts':>6}{'wall s':>8}{'CPU s/1k ev':>12}{'RSS MiB':>9}{'events':>8}"
          f"{'complete':>9}{'pages':>9}{'load':>6}  other CPU s")
    for r in results:
        print(f"{r['tick']:<16}{r['concurrency']:>5}{r['hosts']:>6}{r['wall_s']:>8.1f}{r['cpu_s_per_1000_events']:>12.3f}"
              f"{r['peak_rss_mib']:>9.1f}{r['events']:>8}{r['sources_complete']:>9}{r['data_pages']:>9}"
              f"{r['load_before']:>6}  "
              + " ".join(f"{k}={v}" for k, v in r["other_cpu_s"].items()))
        print("    poll ms p50/p90 by platform: " + ", ".join(
            f"{p} {t['p50']}/{t['p90']}" for p, t in r["poll_ms_by_platform"].items()))
    print(f"best concurrency (first tick): {best}; results: {SCRATCH / 'results.json'}")


if __name__ == "__main__":
    main()
