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
    ("home", "/"),
    ("posts_page_500", "/posts?page=500"),
    ("post", "/posts/{slug}"),
    ("movies_filtered", "/movies?mpa=…&year…&sort=rating"),
    ("movie", "/movies/{id}"),
    ("login", "POST /login"),
]
LIST_PAGES = {"home", "posts_page_500", "movies_filtered"}


def millis(value: str, unit: str) -> float:
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
    return float(value) * factor


def parse(path: Path) -> dict:
    text = path.read_text()
    result = {"rps": 0.0, "p50_ms": None, "p99_ms": None, "errors": 0, "requests": 0, "statements": None}
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

    pages = {name: parse(out / f"{name}.txt") for name, _ in PAGES}
    healthz = pages["healthz"]["rps"] or 1.0
    for name, page in pages.items():
        page["vs_healthz"] = round(page["rps"] / healthz, 3)
    during = parse(out / "home_during_logins.txt")
    background = parse(out / "login_background.txt")

    home = pages["home"]
    login_ratio = pages["login"]["rps"] / args.argon2 if args.argon2 else 0.0
    p99_growth = (during["p99_ms"] or 0) / (home["p99_ms"] or 1)
    rss_mib = args.peak_rss_kb / 1024
    max_list_statements = max((pages[n]["statements"] or 0) for n in LIST_PAGES)
    targets = [
        ("home ≥ 40% of /healthz req/s", home["vs_healthz"] >= 0.40, f"{home['vs_healthz']:.0%}"),
        ("home p99 ≤ 15 ms at 32 connections", (home["p99_ms"] or 1e9) <= 15, f"{home['p99_ms']} ms"),
        ("≤ 4 SQL statements per list page", max_list_statements <= 4, f"{max_list_statements}"),
        ("login ≥ 90% of the raw argon2 verify rate", login_ratio >= 0.9, f"{login_ratio:.0%} ({pages['login']['rps']:.1f}/s vs {args.argon2:.1f}/s on {args.argon2_threads} thread(s))"),
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
        "pages": pages,
        "home_during_logins": during,
        "logins_in_background": background,
        "targets": [{"target": t, "met": ok, "measured": m} for t, ok, m in targets],
    }
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")

    print(f"\nMarquee benchmark — {args.backend}, {machine}, {args.connections} connections, {args.duration} s per page\n")
    print("| page | req/s | vs /healthz | p50 ms | p99 ms | errors | SQL statements |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, label in PAGES:
        p = pages[name]
        print(f"| {label} | {p['rps']:.0f} | {p['vs_healthz']:.0%} | {p['p50_ms']} | {p['p99_ms']} | {p['errors']} | {p['statements']} |")
    print(f"| / while logins run | {during['rps']:.0f} | {during['rps'] / healthz:.0%} | {during['p50_ms']} | {during['p99_ms']} | {during['errors']} | |")
    print(f"\nseed --scale 100000: {args.seed_seconds} s · ready after start: {args.ready_ms} ms · peak RSS: {rss_mib:.1f} MiB · raw argon2: {args.argon2:.1f} verify/s on {args.argon2_threads} thread(s)\n")
    print("| target | met | measured |")
    print("|---|---|---|")
    for t, ok, m in targets:
        print(f"| {t} | {'yes' if ok else 'NO'} | {m} |")
    print(f"\nwritten: {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
