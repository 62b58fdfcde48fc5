"""Run one workload in this process and print its result as JSON (with peak memory)."""

from __future__ import annotations

import asyncio
import json
import resource
import sys

from bench.workloads import WORKLOADS


def main() -> None:
    spec = json.loads(sys.argv[1])
    name = spec.pop("workload")
    result = asyncio.run(WORKLOADS[name](**spec))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
