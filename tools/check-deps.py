#!/usr/bin/python3
"""Checks that tools/install-deps.sh names every Debian package the project really uses.

A machine that happens to have extra packages cannot hide a missing one here, because the
check does not ask what is installed: it watches what is used.

1. A clean copy of the tree is built from scratch under strace (every file opened and
   every program run): the VMM, mini-OS, µC/OS-II, the test guests, the system images,
   the trace plugin, the fuzz targets and the host unit tests; then pytest collects every test (the
   modules the tests import).
2. The project's QEMU adds the headers its compile read (ninja's dependency log), the
   libraries it runs with (ldd), and the programs the scripts start at run time.
3. Every file is mapped to the Debian package that owns it (dpkg's file lists). A package
   must be one install-deps.sh names, or one of those pulls in by Depends/Pre-Depends
   (apt-cache depends --recurse, no Recommends: install-deps installs without them), or
   part of every Debian system (Essential or Priority: required, with what those pull in).
   A file from no package (/usr/local, a home directory) is reported too.

Some files are opened only because they are there, and a machine without them works the
same: Python's scan of installed distributions (their *.dist-info / *.egg-info metadata and
*.pth files, read by pytest's plugin discovery and by site.py), message catalogs,
OpenSSL's configuration file (libcrypto reads it when Python's hashlib loads), and a CUDA
installation under /usr/local (clang looks for one at every start, whatever it compiles).
These are left out; the modules a test really imports are not.

    tools/check-deps.py [--keep DIR] [--omit PKG]...

--omit drops a package from install-deps' list, to see that the check notices (the
tests use it). Exit status 0: complete; 1: something is missing (listed); 2: could not
check (a tool is missing).
"""
from __future__ import annotations

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parent.parent
HOME = pathlib.Path.home()

# Programs the project's scripts and tests start at run time, beyond what the traced build
# runs: QEMU's build, make debug, the tests' helpers.
RUNTIME_COMMANDS = ("ninja", "meson", "flex", "bison", "pkg-config", "dpkg-source", "xz",
                    "gdb-multiarch", "strace", "flock", "ctest", "cmake", "make")

# What the traced build makes (PLATFORM=goldfish: the other boards use the same tools).
BUILD_TARGETS = ("vmm", "minios", "ucos", "test-guests", "images", "traces-plugin", "fuzz-build")

# Paths no package owns by design: kernel interfaces, the build's own trees, caches,
# generated system files.
IGNORED_PREFIXES = ("/proc/", "/sys/", "/dev/", "/tmp/", "/run/", "/var/", "/etc/",
                    str(HOME / ".cache") + "/", str(HOME / ".config") + "/")
# Opened when present, harmless when absent (see above).
OPPORTUNISTIC = re.compile(r"(\.dist-info/|\.egg-info(/|$)|\.pth$|^/usr/share/locale/|"
                           r"^/usr/lib/ssl/openssl\.cnf$|^/usr/local/cuda[^/]*/)")

OPEN_RE = re.compile(r'^\d+\s+(open|openat|execve)\((?:AT_FDCWD, )?"((?:[^"\\]|\\.)*)"(.*)\)\s+= \d+')


def say(msg: str) -> None:
    print(f"check-deps: {msg}", file=sys.stderr, flush=True)


def declared_packages(omit: set[str]) -> list[str]:
    out = subprocess.run([str(REPO / "tools" / "install-deps.sh"), "--list", "build", "qemu",
                          "test", "debug"], capture_output=True, text=True, check=True).stdout
    return [p for p in out.split() if p not in omit]


def closure(pkgs: list[str]) -> set[str]:
    """Every package the declared ones pull in without Recommends."""
    out = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends",
                          "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces",
                          "--no-enhances", *pkgs], capture_output=True, text=True,
                         check=True).stdout
    names = set(pkgs)
    for line in out.splitlines():
        if line and not line[0].isspace():
            names.add(line.strip("<>").split(":")[0])
        elif line.strip() and ":" not in line:
            # A virtual package's providers are listed indented, without a label.
            names.add(line.strip().split(":")[0])
    return names


def baseline() -> set[str]:
    """Packages every Debian system has: Essential or Priority required (what debootstrap
    installs first), and what they depend on."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Essential} ${Priority}\n"],
                         capture_output=True, text=True, check=True).stdout
    base = []
    for line in out.splitlines():
        name, essential, priority = (line.split() + ["", ""])[:3]
        if essential == "yes" or priority == "required":
            base.append(name)
    return closure(base)


def file_owners() -> dict[str, str]:
    """Path -> owning package, from dpkg's file lists (faster than one dpkg -S a file)."""
    owners: dict[str, str] = {}
    for lst in pathlib.Path("/var/lib/dpkg/info").glob("*.list"):
        pkg = lst.stem.split(":")[0]
        for path in lst.read_text(errors="replace").splitlines():
            owners.setdefault(path, pkg)
    return owners


def candidates(path: str) -> list[str]:
    """The names dpkg may know a file by: as opened, without symlinks, and across the
    merged /usr (a package may list /lib/x or /usr/lib/x)."""
    names = [os.path.normpath(path), os.path.realpath(path)]
    for p in list(names):
        for a, b in (("/usr/lib/", "/lib/"), ("/lib/", "/usr/lib/"), ("/usr/bin/", "/bin/"),
                     ("/bin/", "/usr/bin/"), ("/usr/sbin/", "/sbin/"), ("/sbin/", "/usr/sbin/")):
            if p.startswith(a):
                names.append(b + p[len(a):])
    # Python's bytecode cache belongs with its source file.
    m = re.match(r"^(.*)/__pycache__/([^/.]+)\..*\.pyc$", names[0])
    if m:
        names.append(f"{m.group(1)}/{m.group(2)}.py")
    return names


def traced(cmd: list[str], log: pathlib.Path, cwd: pathlib.Path, env: dict) -> None:
    full = ["strace", "-f", "-qq", "-z", "--seccomp-bpf", "-e", "trace=open,openat,execve",
            "-o", str(log), *cmd]
    say("traced: " + " ".join(cmd))
    proc = subprocess.run(full, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"check-deps: {' '.join(cmd)} failed (exit {proc.returncode})")


def paths_from_strace(log: pathlib.Path, skip: tuple[str, ...]) -> set[str]:
    found = set()
    for line in log.read_text(errors="replace").splitlines():
        m = OPEN_RE.match(line)
        if not m:
            continue
        path, rest = m.group(2), m.group(3)
        if not path.startswith("/") or "O_DIRECTORY" in rest:
            continue
        if path.startswith(skip) or OPPORTUNISTIC.search(path):
            continue
        found.add(path)
    return found


def qemu_paths() -> set[str]:
    """What the project's QEMU build read from the system, and what it runs with."""
    found: set[str] = set()
    qemu = subprocess.run([str(REPO / "goldfish" / "build-qemu.sh"), "--path"],
                          capture_output=True, text=True, check=True).stdout.strip()
    if not os.access(qemu, os.X_OK):
        say(f"{qemu} is not built: its build headers and libraries are not checked")
        return found
    build = pathlib.Path(qemu).parent
    deps = subprocess.run(["ninja", "-C", str(build), "-t", "deps"], capture_output=True,
                          text=True)
    for line in deps.stdout.splitlines():
        p = line.strip()
        if p.startswith("/usr/") or p.startswith("/lib"):
            found.add(p)
    for line in subprocess.run(["ldd", qemu], capture_output=True, text=True).stdout.splitlines():
        m = re.search(r"(/\S+)", line)
        if m:
            found.add(m.group(1))
    return found


def command_paths() -> tuple[set[str], list[str]]:
    found, missing = set(), []
    for c in RUNTIME_COMMANDS:
        p = shutil.which(c, path="/usr/sbin:/usr/bin:/sbin:/bin")
        if p:
            found.add(p)
        else:
            missing.append(c)
    return found, missing


def copy_tree(dest: pathlib.Path) -> None:
    """The tree as git sees it (tracked and untracked-but-not-ignored files), no build/."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        src = REPO / os.fsdecode(f)
        if not src.exists():
            continue
        dst = dest / os.fsdecode(f)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=pathlib.Path, help="work in DIR and keep it (default: a temporary one)")
    ap.add_argument("--omit", action="append", default=[], help="pretend install-deps does not name PKG")
    args = ap.parse_args()

    for tool in ("strace", "apt-cache", "dpkg-query", "git"):
        if not shutil.which(tool):
            say(f"{tool} is missing: run tools/install-deps.sh test")
            return 2

    work = args.keep or pathlib.Path(tempfile.mkdtemp(prefix="xen-arm-deps-"))
    work.mkdir(parents=True, exist_ok=True)
    tree = work / "tree"
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    try:
        env = dict(os.environ)
        for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
            env.pop(var, None)
        # LeakSanitizer refuses to run under ptrace; the host tests' build runs them once
        # (gtest_discover_tests) to list their cases.
        env["ASAN_OPTIONS"] = "detect_leaks=0"
        if not (logs / "copied").exists():
            shutil.rmtree(tree, ignore_errors=True)
            copy_tree(tree)
            (logs / "copied").touch()
        steps = [
            ("build", ["make", "-j2", "PLATFORM=goldfish", *BUILD_TARGETS]),
            ("host-cmake", ["cmake", "-S", "tests/host", "-B", "build/host"]),
            ("host-build", ["cmake", "--build", "build/host", "-j2"]),
            ("pytest-collect", ["/usr/bin/python3", "-m", "pytest", "--collect-only", "-q",
                                "-p", "no:cacheprovider", "tests"]),
        ]
        for name, cmd in steps:   # with --keep, a step that finished is not run again
            if not (logs / f"{name}.ok").exists():
                traced(cmd, logs / f"{name}.log", tree, env)
                (logs / f"{name}.ok").touch()

        cache = subprocess.run([str(REPO / "goldfish" / "build-qemu.sh"), "--dir"], capture_output=True,
                               text=True, check=True).stdout.strip()
        skip = (str(tree) + "/", str(REPO) + "/", str(pathlib.Path(cache).parent) + "/") + IGNORED_PREFIXES
        paths: set[str] = set()
        for log in logs.glob("*.log"):
            paths |= paths_from_strace(log, skip)
        paths |= qemu_paths()
        cmds, missing_cmds = command_paths()
        paths |= cmds

        owners = file_owners()
        used: dict[str, str] = {}          # package -> one file that shows it is used
        foreign: list[str] = []            # files from no package
        for p in sorted(paths):
            owner = next((owners[c] for c in candidates(p) if c in owners), None)
            if owner:
                used.setdefault(owner, p)
            elif not os.path.isdir(p):
                foreign.append(p)

        declared = declared_packages(set(args.omit))
        allowed = closure(declared) | baseline()
        undeclared = sorted(pkg for pkg in used if pkg not in allowed)

        say(f"{len(paths)} files used, from {len(used)} packages; install-deps names "
            f"{len(declared)}, which pull in {len(allowed)} with the base system")
        bad = False
        for pkg in undeclared:
            print(f"check-deps: used but not installed by tools/install-deps.sh: {pkg} (e.g. {used[pkg]})")
            bad = True
        for p in foreign[:40]:
            print(f"check-deps: used, but from no Debian package: {p}")
            bad = True
        for c in missing_cmds:
            print(f"check-deps: a command the project runs is not installed: {c}")
            bad = True
        if not bad:
            print("check-deps: complete: every package used is installed by tools/install-deps.sh")
        return 1 if bad else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
