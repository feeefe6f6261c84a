"""Run every benchmark module registered here and print its figures."""

from __future__ import annotations

import importlib
import sys

# Each module exposes `main() -> None` and prints its own figures.
MODULES: list[str] = ["authz", "export", "list_vs_raw", "workers", "lifecycle", "scale", "obligations"]


def run(selected: list[str]) -> None:
    for name in selected or MODULES:
        print(f"== bench.{name} ==", flush=True)
        importlib.import_module(f"bench.{name}").main()
    # The headline figures of every module run, together (each module adds its own through `summarize`).
    from bench.common import SUMMARY

    if SUMMARY:
        print("== summary ==")
        for line in SUMMARY:
            print(line)


if __name__ == "__main__":
    run(sys.argv[1:])
