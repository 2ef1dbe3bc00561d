#!/usr/bin/env python3
"""Turns the wrk outputs of bench/run.sh into a table and target/bench/results.json, and
checks the targets. Standard library only."""

import argparse
import json
import os
import platform
import re
import sys
from pathlib import Path

PAGES = [
    ("healthz", "/healthz"),
    ("home", "/ (hot)"),
    ("posts", "/posts (hot)"),
    ("movies", "/movies (hot)"),
    ("popular_post", "one popular post (hot)"),
    ("image", "one poster, card size (hot)"),
    ("random_post", "random post pages"),
    ("random_list", "random-depth post lists (all, tag, category, author, search)"),
    ("list_first", "/posts, first page"),
    ("list_deep", "/posts at depth 5,000"),
    ("random_movie_list", "random movie lists (filters, facets, sort)"),
    ("random_movie", "random movie pages"),
    ("random_search", "random searches (ranked; every kind or one, phrases, prefixes, misspellings)"),
    ("home_member", "/ signed in (a member's \"For you\")"),
]
HOT = ["home", "posts", "movies", "popular_post"]
MOVIE_LISTS = {"movies", "random_movie_list"}


def millis(value: str, unit: str) -> float:
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
    return float(value) * factor


def parse(path: Path) -> dict:
    text = path.read_text()
    result = {"rps": 0.0, "p50_ms": None, "p99_ms": None, "errors": 0, "requests": 0, "statements": None,
              "server_cpu_us": None}
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
        if m:
            result[key] = round(millis(m.group(1), m.group(2)), 2)
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        result["rps"] = float(m.group(1))
    m = re.search(r"(\d+) requests in", text)
    if m:
        result["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(x) for x in m.groups())
    result["errors"] = errors
    m = re.search(r"^server_cpu_ticks (\d+) (\d+)", text, re.M)
    if m and result["requests"] and int(m.group(2)):
        # The server's own CPU time (user + system) per request during the load.
        seconds = int(m.group(1)) / int(m.group(2))
        result["server_cpu_us"] = round(seconds * 1e6 / result["requests"], 1)
    m = re.search(r"^statements (\d+)", text, re.M)
    if m:
        # Counted around one request after the load, so it is exact.
        result["statements"] = int(m.group(1))
    return result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--backend", default="sqlite")
    ap.add_argument("--ready-ms", type=int, required=True)
    ap.add_argument("--peak-rss-kb", type=int, required=True)
    ap.add_argument("--argon2", type=float, required=True)
    ap.add_argument("--argon2-threads", type=int, required=True)
    ap.add_argument("--seed-seconds", type=float, required=True)
    ap.add_argument("--duration", type=int, required=True)
    ap.add_argument("--connections", type=int, required=True)
    args = ap.parse_args()
    out = Path(args.out)

    runs = {}
    for cache in ("on", "off"):
        for name, _ in PAGES:
            path = out / f"{name}.cache-{cache}.txt"
            if path.exists():
                runs[(name, cache)] = parse(path)
    for cache in ("on", "off"):
        healthz = runs[("healthz", cache)]["rps"] or 1.0
        for name, _ in PAGES:
            if (name, cache) in runs:
                runs[(name, cache)]["vs_healthz"] = round(runs[(name, cache)]["rps"] / healthz, 3)
        # The same share by the server's CPU per request: /healthz's CPU per request over the
        # page's, leaving out the load generator's share of the machine (a slowed host still
        # moves it).
        healthz_cpu = runs[("healthz", cache)]["server_cpu_us"]
        for name, _ in PAGES:
            r = runs.get((name, cache))
            if r is not None:
                r["cpu_vs_healthz"] = (
                    round(healthz_cpu / r["server_cpu_us"], 3) if healthz_cpu and r["server_cpu_us"] else None
                )
    login = parse(out / "login.txt")
    during = parse(out / "home_during_logins.txt")
    background = parse(out / "login_background.txt")

    def share(name, cache):
        return runs.get((name, cache), {}).get("vs_healthz", 0.0)

    def by_cpu(name, cache):
        value = runs.get((name, cache), {}).get("cpu_vs_healthz")
        return f"; by server CPU per request {value:.1%}" if value else ""

    home = runs[("home", "on")]
    login_ratio = login["rps"] / args.argon2 if args.argon2 else 0.0
    p99_growth = (during["p99_ms"] or 0) / (home["p99_ms"] or 1)
    rss_mib = args.peak_rss_kb / 1024
    statements_over = [
        f"{name}={r['statements']}"
        for (name, cache), r in runs.items()
        if cache == "off" and name != "healthz"
        and (r["statements"] or 0) > (4 if name in MOVIE_LISTS else 3)
    ]
    slow_p99 = [f"{name}/{cache}={r['p99_ms']} ms" for (name, cache), r in runs.items() if (r["p99_ms"] or 0) > 15]
    errors = sum(r["errors"] for r in runs.values())
    deep, first = runs[("list_deep", "off")]["rps"], runs[("list_first", "off")]["rps"] or 1.0
    hot_min = min(share(n, "on") for n in HOT)
    targets = [
        ("random post pages ≥ 25% of /healthz, cache off", share("random_post", "off") >= 0.25, f"{share('random_post', 'off'):.1%}{by_cpu('random_post', 'off')}"),
        ("random-depth post lists ≥ 15%, cache off", share("random_list", "off") >= 0.15, f"{share('random_list', 'off'):.1%}{by_cpu('random_list', 'off')}"),
        ("the page at depth 5,000 no slower than the first (within 10%)", deep >= 0.9 * first, f"{deep:.0f} vs {first:.0f} req/s"),
        ("random movie lists ≥ 10%, cache off", share("random_movie_list", "off") >= 0.10, f"{share('random_movie_list', 'off'):.1%}{by_cpu('random_movie_list', 'off')}"),
        ("hot pages ≥ 60%, cache on", hot_min >= 0.60, ", ".join(f"{n} {share(n, 'on'):.0%}" for n in HOT)),
        ("a hot picture ≥ 100% of /healthz, cache on", share("image", "on") >= 1.0, f"{share('image', 'on'):.0%}{by_cpu('image', 'on')}"),
        ("≤ 3 SQL statements a page (movie lists 4), cache off", not statements_over, ", ".join(statements_over) or "all within"),
        ("p99 ≤ 15 ms on every page at 32 connections", not slow_p99, ", ".join(slow_p99) or "all within"),
        ("no errors", errors == 0, str(errors)),
        ("login ≥ 90% of the raw argon2 verify rate", login_ratio >= 0.9, f"{login_ratio:.0%} ({login['rps']:.1f}/s vs {args.argon2:.1f}/s on {args.argon2_threads} thread(s))"),
        ("home p99 no more than doubles while logins run", p99_growth <= 2.0, f"×{p99_growth:.2f} ({home['p99_ms']} → {during['p99_ms']} ms)"),
        ("server RSS ≤ 64 MiB under load", rss_mib <= 64, f"{rss_mib:.1f} MiB"),
        ("ready ≤ 300 ms after start", args.ready_ms <= 300, f"{args.ready_ms} ms"),
    ]

    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"
    results = {
        "backend": args.backend,
        "machine": machine,
        "duration_s": args.duration,
        "connections": args.connections,
        "seed_100k_posts_s": args.seed_seconds,
        "ready_ms": args.ready_ms,
        "peak_rss_mib": round(rss_mib, 1),
        "argon2_verify_per_s": args.argon2,
        "argon2_threads": args.argon2_threads,
        "pages": {f"{name}.cache-{cache}": r for (name, cache), r in runs.items()},
        "login": login,
        "home_during_logins": during,
        "logins_in_background": background,
        "targets": [{"target": t, "met": ok, "measured": m} for t, ok, m in targets],
    }
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")

    print(f"\nMarquee benchmark — {args.backend}, {machine}, {args.connections} connections, {args.duration} s per page\n")
    print("| page | cache on req/s | vs /healthz | cache off req/s | vs /healthz | p50 / p99 ms (off) | server CPU µs/req (off) | by CPU vs /healthz (off) | errors | SQL (off) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, label in PAGES:
        on, off = runs.get((name, "on")), runs.get((name, "off"))
        cells = []
        for r in (on, off):
            cells += [f"{r['rps']:.0f}", f"{r['vs_healthz']:.0%}"] if r else ["–", "–"]
        ref = off or on
        err = sum(r["errors"] for r in (on, off) if r)
        cpu = ref["server_cpu_us"] if ref["server_cpu_us"] is not None else "–"
        cpu_share = f"{ref['cpu_vs_healthz']:.1%}" if ref.get("cpu_vs_healthz") else "–"
        print(f"| {label} | {' | '.join(cells)} | {ref['p50_ms']} / {ref['p99_ms']} | {cpu} | {cpu_share} | {err} | {ref['statements']} |")
    print(f"| POST /login | {login['rps']:.1f} | | | | {login['p50_ms']} / {login['p99_ms']} | | | {login['errors']} | |")
    print(f"| / while logins run (cache on) | {during['rps']:.0f} | {during['rps'] / (runs[('healthz', 'on')]['rps'] or 1):.0%} | | | {during['p50_ms']} / {during['p99_ms']} | | | {during['errors']} | |")
    print(f"\nseed --scale 100000: {args.seed_seconds} s · ready after start: {args.ready_ms} ms · peak RSS: {rss_mib:.1f} MiB · raw argon2: {args.argon2:.1f} verify/s on {args.argon2_threads} thread(s)\n")
    print("| target | met | measured |")
    print("|---|---|---|")
    for t, ok, m in targets:
        print(f"| {t} | {'yes' if ok else 'NO'} | {m} |")
    print(f"\nwritten: {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
