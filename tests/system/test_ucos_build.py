"""`make UCOS_SRC=/path/to/uC-OS2` (ucos-port/build.mk): the build that uses the real
µC/OS-II sources instead of the compatible kernel. The real sources cannot be in the
repository, so this drives the same rules with a stand-in laid out like a uC-OS2 checkout:
Source/ucos_ii.h and the single-file Source/ucos_ii.c (defines OS_GLOBALS/OS_MASTER_FILE and
includes the kernel's .c files, as the real one does), here wrapping the compatible kernel.
It checks the include paths, the single translation unit, the per-kernel objects and the
relink when the choice changes; the result must boot and pass the kernel tests. Also
tests/conftest.py's --ucos-src: the kernel named in the output, a wrong tree refused."""
import os
import subprocess

import pytest

import test_ucos_common as ucos

KERNEL = ucos.REPO / "ucos-port" / "kernel"


def make(*args: str) -> subprocess.CompletedProcess:
    """make with UCOS_SRC only as given here (not the kernel the other tests run against)."""
    env = {k: v for k, v in os.environ.items() if k != "UCOS_SRC"}
    return subprocess.run(["make", "--no-print-directory", "-C", str(ucos.REPO), *args],
                          capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def stand_in_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ucos-src")
    source = tmp / "uC-OS2" / "Source"
    source.mkdir(parents=True)
    (source / "ucos_ii.h").write_text(f'#include "{KERNEL}/ucos_ii.h"\n')
    units = "".join(f'#include "{c}"\n' for c in sorted(KERNEL.glob("*.c")))
    (source / "ucos_ii.c").write_text("#define OS_GLOBALS\n#define OS_MASTER_FILE\n#include <ucos_ii.h>\n" + units)
    out = tmp / "out"
    targets = [str(out / "pv" / "ucos.elf"), str(out / "native" / "goldfish" / "ucos.elf")]
    proc = make("-j4", f"UCOS_SRC={tmp / 'uC-OS2'}", f"UCOS_OUT={out}", *targets)
    return tmp, out, targets, proc


def test_builds_the_single_translation_unit(stand_in_build):
    _, out, _, proc = stand_in_build
    assert proc.returncode == 0, proc.stdout + proc.stderr
    compiled = [line.split()[-1] for line in proc.stdout.splitlines() if line.strip().startswith("CC")]
    kernel = sorted(c for c in compiled if "/kernel/" in c)
    assert kernel == [f"{out}/obj/real/native/kernel/ucos_ii.o", f"{out}/obj/real/pv/kernel/ucos_ii.o"], compiled
    assert "LD      " + str(out / "pv" / "ucos.elf") + " (uC/OS-II)" in proc.stdout, proc.stdout


def test_the_result_boots_and_passes_the_kernel_tests(stand_in_build, tmp_path):
    _, out, _, proc = stand_in_build
    assert proc.returncode == 0, proc.stdout + proc.stderr
    native = ucos.vmm.boot("goldfish", "app=ktest", image_path=out / "native" / "goldfish" / "ucos.elf")
    assert native.lines[0].startswith("ucos: native goldfish, dom 0 (goldfish), uC/OS-II V2.93"), native.output
    assert "ktest: done: 18 passed, 0 failed" in native.lines, native.output
    config = ucos.images.domain("dom0", str(out / "pv" / "ucos.elf"), privileged=True, cmdline="app=ktest")
    pv = ucos.images.run("goldfish", ucos.images.build(tmp_path, "goldfish", "real", config))
    assert "[dom0] ktest: done: 18 passed, 0 failed" in pv.lines, pv.output


def test_changing_the_kernel_relinks(stand_in_build):
    tmp, out, targets, proc = stand_in_build
    assert proc.returncode == 0
    assert make("-q", f"UCOS_SRC={tmp / 'uC-OS2'}", f"UCOS_OUT={out}", *targets).returncode == 0  # up to date
    assert make("-q", f"UCOS_OUT={out}", *targets).returncode == 1  # compatible kernel now: stale


def test_a_wrong_ucos_src_is_an_error(tmp_path):
    proc = make("-n", "ucos", f"UCOS_SRC={tmp_path}", f"UCOS_OUT={tmp_path / 'out'}")
    assert proc.returncode != 0
    assert f"UCOS_SRC={tmp_path}: no Source/ucos_ii.h there" in proc.stderr, proc.stderr


def pytest_run(*args: str) -> subprocess.CompletedProcess:
    """A nested pytest run of the README-table check (no QEMU), UCOS_SRC only as given."""
    env = {k: v for k, v in os.environ.items() if k != "UCOS_SRC"}
    return subprocess.run(["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", *args,
                           "tests/system/test_ucos_bench.py", "-k", "parses"],
                          cwd=ucos.REPO, capture_output=True, text=True, env=env)


def test_the_test_output_names_the_kernel(tmp_path):
    """tests/conftest.py's --ucos-src: the line that says which kernel the tests ran against."""
    proc = pytest_run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "µC/OS-II kernel: compatible kernel (ucos-port/kernel), OS_VERSION 29300 (V2.93), images in build/ucos" \
        in proc.stdout, proc.stdout
    source = tmp_path / "uC-OS2" / "Source"
    source.mkdir(parents=True)
    (source / "ucos_ii.h").write_text("#define  OS_VERSION  29300u\n")
    (source / "ucos_ii.c").write_text("")
    proc = pytest_run(f"--ucos-src={tmp_path / 'uC-OS2'}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"µC/OS-II kernel: vendor sources at {tmp_path / 'uC-OS2'}, OS_VERSION 29300 (V2.93), images in " \
           "build/ucos-src-" in proc.stdout, proc.stdout


def test_a_wrong_ucos_src_stops_the_tests(tmp_path):
    """No quiet fall-back to the compatible kernel."""
    proc = pytest_run(f"--ucos-src={tmp_path}")
    assert proc.returncode != 0
    assert f"--ucos-src/UCOS_SRC: {tmp_path}: no Source/ucos_ii.h there" in proc.stdout + proc.stderr, \
        proc.stdout + proc.stderr
