#!/usr/bin/env python3
"""make coherence: every system image of a board (build/<board>/images/*.elf, from
domains/*.cfg) and the test guests' systems (tests/guests' microbench in each of its modes
and hotpath, mini-OS's thread-switch benchmark, the code-writing app) booted under the
xatrace plugin's cache and TLB coherence checker (traces/README.md, "The coherence
checker"). Prints one line per image and fails if any image stops uncleanly or has a stale
hit; the reports go to build/<board>/coherence/."""
import argparse
import json
import pathlib
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "traces"))
import bench  # noqa: E402
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


def guest_systems(platform: str, work: pathlib.Path) -> list[pathlib.Path]:
    """The test guests' systems, packed for platform into work/ (bench.py's configurations)."""
    systems = [(f"microbench-mode{b.cmdline.split()[0][5:]}", b) for b in bench.benches(20) if b.kernel == "microbench"]
    systems.append(("tswitch", next(b for b in bench.benches(20) if b.kernel == "minios-tswitch")))
    systems.append(("hotpath", bench.Bench("hotpath", bench.GUESTS, "hotpath", 2, "calls=50 yields=50 upcalls=50",
                                           "", "", "")))
    systems.append(("codewrite", bench.Bench("codewrite", bench.KERNELS, "minios-codewrite", 1, "app=codewrite",
                                             "", "", "")))
    work.mkdir(parents=True, exist_ok=True)
    return [bench.build_image(b, platform, work, name) for name, b in systems]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--platform", default="goldfish")
    ap.add_argument("--out", type=pathlib.Path, help="report directory (default build/<board>/coherence)")
    ap.add_argument("--no-guests", action="store_true", help="only the domains/*.cfg images")
    ap.add_argument("images", nargs="*", type=pathlib.Path, help="default: build/<board>/images/*.elf")
    a = ap.parse_args()
    images = a.images or sorted((REPO / "build" / a.platform / "images").glob("*.elf"))
    if not images:
        print(f"coherence: no images in build/{a.platform}/images (make images PLATFORM={a.platform})", file=sys.stderr)
        return 1
    out = a.out or REPO / "build" / a.platform / "coherence"
    if not a.images and not a.no_guests:
        images += guest_systems(a.platform, out / "images")
    failed = []
    start = time.perf_counter()
    print(f"coherence checker, {a.platform}: stale hits per image (I-cache, D-cache, TLB)")
    for image in images:
        run, coh, report = check(a.platform, image, out, console_input=CONSOLE_INPUT.get(image.stem))
        stale = (coh["stale_icache"], coh["stale_dcache"], coh["stale_tlb"])
        ok = run.status == 0 and stale == (0, 0, 0)
        fetches = coh["fetches_checked"] + coh["fetches_unchecked"]
        print(f"  {image.stem:17s} status {run.status}  I-cache {stale[0]}  D-cache {stale[1]}  TLB {stale[2]}"
              f"  (fetches checked {100 * coh['fetches_checked'] / max(fetches, 1):.2f} %, {run.seconds:.1f} s)"
              f"{'' if ok else '  FAILED'}")
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
