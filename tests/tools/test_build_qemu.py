"""goldfish/build-qemu.sh's caching and locking, with the real script and stand-ins for
the slow parts (apt-cache, apt-get source, dpkg-source, configure, ninja): two builds at
once share one compile, an interrupted build resumes, nothing half-built is published."""
import os
import pathlib
import stat
import subprocess
import textwrap

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = REPO / "goldfish" / "build-qemu.sh"

FAKE_VERSION = "1:7.2+dfsg-7+deb12u99"


def _write_exe(path: pathlib.Path, text: str) -> None:
    path.write_text(textwrap.dedent(text).lstrip())
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def fake(tmp_path):
    """A PATH with stand-ins that count their calls in tmp_path/calls/<name>. The fake
    ninja takes FAKE_NINJA_SECONDS to 'compile', and fails half-way while
    tmp_path/ninja-fails exists."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    calls = tmp_path / "calls"
    calls.mkdir()
    count = f'echo x >> "{calls}/$(basename "$0")"\n'
    _write_exe(bindir / "apt-cache", f"""
        #!/bin/sh
        {count}
        [ "$1" = showsrc ] && printf 'Package: qemu\\nVersion: {FAKE_VERSION}\\n'
        exit 0
    """)
    _write_exe(bindir / "apt-get", f"""
        #!/bin/sh
        {count}
        printf 'Source: qemu\\nVersion: {FAKE_VERSION}\\n' > qemu_7.2+dfsg-7.dsc
    """)
    # The unpacked tree has just the files the recipe edits, and a configure that
    # records where it ran.
    _write_exe(bindir / "dpkg-source", f"""
        #!/bin/sh
        {count}
        src=$4
        mkdir -p "$src/hw/arm" "$src/configs/devices/arm-softmmu"
        echo "hw_arch += {{'arm': arm_ss}}" > "$src/hw/arm/meson.build"
        echo "" > "$src/hw/Kconfig"
        echo "unpack_edk2_blobs = bzip2.found()" > "$src/meson.build"
        echo "config_host_data.set('CONFIG_VALGRIND_H', cc.has_header('valgrind/valgrind.h'))" >> "$src/meson.build"
        cat > "$src/configure" <<'CONF'
        #!/bin/sh
        echo x >> "{calls}/configure"
        echo "configured with: $*" > config.status
        CONF
        chmod +x "$src/configure"
    """)
    _write_exe(bindir / "ninja", f"""
        #!/bin/sh
        {count}
        target=$2
        echo "compiling half" >> progress
        sleep "${{FAKE_NINJA_SECONDS:-0}}"
        if [ -e "{tmp_path}/ninja-fails" ]; then
            echo "error: interrupted" >&2
            exit 1
        fi
        echo "compiling the rest" >> progress
        printf '#!/bin/sh\\necho fake qemu\\n' > "$target"
        chmod +x "$target"
    """)
    env = dict(os.environ)
    env["PATH"] = f"{bindir}:{env['PATH']}"
    env["XEN_ARM_CACHE"] = str(tmp_path / "cache")
    env.pop("QEMU", None)

    def calls_of(name: str) -> int:
        f = calls / name
        return len(f.read_text().splitlines()) if f.exists() else 0

    return env, calls_of, tmp_path


def _start(env):
    return subprocess.Popen([str(SCRIPT)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_path_before_build_is_where_the_build_lands(fake):
    env, calls_of, tmp = fake
    promised = subprocess.run([str(SCRIPT), "--path"], env=env, capture_output=True,
                              text=True, check=True).stdout.strip()
    built = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True,
                           check=True).stdout.strip()
    assert promised == built
    assert pathlib.Path(built).is_file()
    assert calls_of("ninja") == 1


def test_two_concurrent_builds_share_one_compile(fake):
    env, calls_of, tmp = fake
    env["FAKE_NINJA_SECONDS"] = "3"
    first = _start(env)
    # The second starts while the first compiles: it must wait, then use the result.
    progress = None
    for _ in range(200):
        progress = list((tmp / "cache").glob("qemu-*.partial/build/progress"))
        if progress:
            break
        subprocess.run(["sleep", "0.05"], check=True)
    assert progress, "the first build never reached ninja"
    second = _start(env)
    out1, err1 = first.communicate(timeout=60)
    out2, err2 = second.communicate(timeout=60)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert out1.strip() == out2.strip()
    binary = pathlib.Path(out1.strip())
    assert subprocess.run([str(binary)], capture_output=True, text=True).stdout == "fake qemu\n"
    assert "waiting for the QEMU build in progress" in err2
    assert "using the QEMU build that just finished" in err2
    assert calls_of("ninja") == 1
    assert calls_of("dpkg-source") == 1
    assert calls_of("apt-get") == 1
    # Published under the final name only, complete.
    assert (binary.parents[1] / ".complete").is_file()
    assert not list((tmp / "cache").glob("qemu-*.partial"))


def test_interrupted_build_resumes(fake):
    env, calls_of, tmp = fake
    (tmp / "ninja-fails").touch()
    failed = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True)
    assert failed.returncode == 1
    assert "compile failed" in failed.stderr and "the next run resumes" in failed.stderr
    # Nothing is published under the final name; the log of the failure is kept.
    promised = pathlib.Path(subprocess.run([str(SCRIPT), "--path"], env=env,
                                           capture_output=True, text=True).stdout.strip())
    assert not promised.exists()
    partial = promised.parents[1].with_name(promised.parents[1].name + ".partial")
    assert "error: interrupted" in (partial / "build.log").read_text()

    (tmp / "ninja-fails").unlink()
    resumed = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming the interrupted build" in resumed.stderr
    assert pathlib.Path(resumed.stdout.strip()) == promised and promised.is_file()
    # Unpacked and configured once; ninja ran again in the same build tree.
    assert calls_of("dpkg-source") == 1
    assert calls_of("configure") == 1
    assert calls_of("ninja") == 2
    assert (promised.parent / "progress").read_text().splitlines() == [
        "compiling half", "compiling half", "compiling the rest"]
    # Built: later calls neither lock nor compile.
    again = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, check=True)
    assert again.stdout.strip() == str(promised) and again.stderr == ""
    assert calls_of("ninja") == 2


def test_models_are_hooked_into_the_tree(fake):
    env, calls_of, tmp = fake
    binary = pathlib.Path(subprocess.run([str(SCRIPT)], env=env, capture_output=True,
                                         text=True, check=True).stdout.strip())
    src = binary.parents[1] / "src"
    assert (src / "hw/arm/xenarm/goldfish_board.c").is_file()
    assert (src / "configs/devices/arm-softmmu/xen-arm.mak").is_file()
    assert "subdir('xenarm')" in (src / "hw/arm/meson.build").read_text()
    assert "source arm/xenarm/Kconfig" in (src / "hw/Kconfig").read_text()
    assert "--enable-plugins" in (binary.parent / "config.status").read_text()
    # Nothing the machine happens to have changes the binary.
    assert (src / "meson.build").read_text() == (
        "unpack_edk2_blobs = false\nconfig_host_data.set('CONFIG_VALGRIND_H', false)\n")


def test_a_model_change_is_a_new_key(fake, tmp_path):
    env, calls_of, tmp = fake
    before = subprocess.run([str(SCRIPT), "--dir"], env=env, capture_output=True,
                            text=True, check=True).stdout.strip()
    # A copy of the goldfish folder with one model byte changed.
    copy = tmp_path / "goldfish"
    subprocess.run(["cp", "-r", str(REPO / "goldfish"), str(copy)], check=True)
    with open(copy / "qemu" / "goldfish_board.c", "a") as f:
        f.write("\n")
    after = subprocess.run([str(copy / "build-qemu.sh"), "--dir"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert before != after
