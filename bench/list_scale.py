"""Lists at scale (issue 8): list_latency.py on a small and a large database, interleaved, as ratios.

    .venv/bin/python bench/list_scale.py --small sd_bench_10k --large sd_bench_1m [--rounds 2]
    .venv/bin/python bench/list_scale.py --small sqlite:///tmp/sd_bench_10k.sqlite3 \\
                                         --large sqlite:///tmp/sd_bench_100k.sqlite3

Runs bench/list_latency.py (same arguments for both: --requests, --other-requests) on --small,
then on --large, --rounds times, and prints per endpoint the p99 of each run and the ratio
p99(large) / p99(small) of the same round, with the load average of each run. The ratio is what
issue 8 asks (≤ 1.2): the machine's speed and its other work cancel out, as both sides run in
the same minutes. Also --from-json to recompute the table from list_latency JSON files already
written (pairs: small large small large …).
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(database: str, args, out: Path) -> dict:
    cmd = [
        sys.executable,
        str(HERE / "list_latency.py"),
        "--database",
        database,
        "--requests",
        str(args.requests),
        "--other-requests",
        str(args.other_requests),
        "--merchants",
        str(args.merchants),
        "--json",
        str(out),
    ]
    print(f"$ {' '.join(cmd[1:])}", flush=True)
    subprocess.run(cmd, check=True, stdout=sys.stderr if args.quiet else None)
    return json.loads(out.read_text())


def table(pairs) -> None:
    names = list(pairs[0][0]["results"])
    head = "".join(f" | r{i + 1} small  large  ratio" for i in range(len(pairs)))
    print(f"\n{'endpoint (p99, ms)':42}{head} | p99 ratio: median  range | p50 ratio: median")
    for name in names:
        cells, ratios, p50s = [], [], []
        for small, large in pairs:
            s, big = small["results"].get(name), large["results"].get(name)
            if s and big:
                cells.append(f" | {s['p99']:>8.2f} {big['p99']:>6.2f} {big['p99'] / s['p99']:>6.2f}")
                ratios.append(big["p99"] / s["p99"])
                p50s.append(big["p50"] / s["p50"])
            else:
                cells.append(f" | {'–':>8} {'–':>6} {'–':>6}")
        summary = (
            (
                f" | {statistics.median(ratios):>17.2f} {min(ratios):.2f}–{max(ratios):.2f} | "
                f"{statistics.median(p50s):>17.2f}"
            )
            if ratios
            else ""
        )
        print(f"{name:42}" + "".join(cells) + summary)
    loads = " | ".join(
        f"r{i + 1}: small {max(r['load'] for r in s['results'].values()):.1f}, "
        f"large {max(r['load'] for r in big['results'].values()):.1f}"
        for i, (s, big) in enumerate(pairs)
    )
    sizes = f"{pairs[0][0].get('aftersales', '?'):,} vs {pairs[0][1].get('aftersales', '?'):,} after-sales"
    print(f"\n{sizes} ({pairs[0][0].get('vendor')}); highest 1-min load average per run: {loads}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small")
    parser.add_argument("--large")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--other-requests", type=int, default=400)
    parser.add_argument("--merchants", type=int, default=100)
    parser.add_argument("--quiet", action="store_true", help="send list_latency's own tables to stderr")
    parser.add_argument("--from-json", nargs="+", metavar="FILE")
    parser.add_argument("--json-dir", help="keep each run's list_latency JSON here (small1.json, large1.json, …)")
    args = parser.parse_args()
    if args.from_json:
        runs = [json.loads(Path(f).read_text()) for f in args.from_json]
        if len(runs) % 2:
            raise SystemExit("--from-json takes pairs: small large small large …")
        return table(list(zip(runs[::2], runs[1::2])))
    if not (args.small and args.large and 1 <= args.rounds <= 10):
        raise SystemExit("give --small and --large (and --rounds 1..10)")
    pairs = []
    with tempfile.TemporaryDirectory(prefix="sd_bench_scale_") as tmp:
        where = Path(args.json_dir or tmp)
        where.mkdir(parents=True, exist_ok=True)
        for r in range(1, args.rounds + 1):
            pairs.append(
                (run(args.small, args, where / f"small{r}.json"), run(args.large, args, where / f"large{r}.json"))
            )
    table(pairs)


if __name__ == "__main__":
    main()
