#!/usr/bin/env python3
"""make coherence: every system image of a board (build/<board>/images/*.elf, from
domains/*.cfg) booted under the xatrace plugin's cache and TLB coherence checker
(traces/README.md, "The coherence checker"). Prints one line per image and fails if any
image stops uncleanly or has a stale hit; the reports go to build/<board>/coherence/."""
import argparse
import json
import pathlib
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "traces"))
import xatrace  # noqa: E402

# What a system's console needs typed to stop by itself (dom0's shell: tests/system/test_shell.py).
CONSOLE_INPUT = {"split": b"wait 1 all\nwait 2 all\nhalt\n"}


def check(platform: str, image: pathlib.Path, out: pathlib.Path, extra: dict | None = None,
          append: str = "", console_input: bytes | None = None) -> tuple[xatrace.Run, dict, str]:
    """One checked run: (run, the stats' "coherence" object, the report text)."""
    out.mkdir(parents=True, exist_ok=True)
    name = image.stem
    args = {"check": out / f"{name}.txt", "stats": out / f"{name}.json"}
    args.update(extra or {})
    run = xatrace.run(platform, image, append, args, console_input=console_input)
    stats = json.loads((out / f"{name}.json").read_text())
    return run, stats["coherence"], (out / f"{name}.txt").read_text()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--platform", default="goldfish")
    ap.add_argument("--out", type=pathlib.Path, help="report directory (default build/<board>/coherence)")
    ap.add_argument("images", nargs="*", type=pathlib.Path, help="default: build/<board>/images/*.elf")
    a = ap.parse_args()
    images = a.images or sorted((REPO / "build" / a.platform / "images").glob("*.elf"))
    if not images:
        print(f"coherence: no images in build/{a.platform}/images (make images PLATFORM={a.platform})", file=sys.stderr)
        return 1
    out = a.out or REPO / "build" / a.platform / "coherence"
    failed = []
    start = time.perf_counter()
    print(f"coherence checker, {a.platform}: stale hits per image (I-cache, D-cache, TLB)")
    for image in images:
        run, coh, report = check(a.platform, image, out, console_input=CONSOLE_INPUT.get(image.stem))
        stale = (coh["stale_icache"], coh["stale_dcache"], coh["stale_tlb"])
        ok = run.status == 0 and stale == (0, 0, 0)
        print(f"  {image.stem:12s} status {run.status}  I-cache {stale[0]}  D-cache {stale[1]}  TLB {stale[2]}"
              f"  ({run.seconds:.1f} s){'' if ok else '  FAILED'}")
        if not ok:
            failed.append(image.stem)
            for line in report.splitlines()[:5]:
                print(f"    {line}")
    print(f"coherence: {len(images)} images in {time.perf_counter() - start:.0f} s; reports in {out}")
    if failed:
        print(f"coherence: FAILED: {' '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
