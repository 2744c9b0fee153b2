"""The everyday make commands as a user types them: make help lists everything, make run
finds systems by name or path, says what its exit status means, writes the console log,
passes QEMU_EXTRA to QEMU."""
import os
import pathlib
import re
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[2]
MAKEFILES = [REPO / "Makefile", *REPO.glob("*/build.mk"), *REPO.glob("*/*/build.mk")]
HELLO = REPO / "build" / "guests" / "hello" / "hello.elf"


def make(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=REPO, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


def test_help_names_every_target_and_variable():
    out = make("help").stdout
    listed = set(re.findall(r"^  (\S+)", out, re.M))
    targets, variables = set(), set()
    for mk in MAKEFILES:
        text = mk.read_text()
        for line in re.findall(r"^\.PHONY:(.*)$", text, re.M):
            targets.update(line.split())
        variables.update(re.findall(r"^(\w+) \?=", text, re.M))
    assert targets and variables
    assert not targets - listed, f"targets missing from make help: {sorted(targets - listed)}"
    names = set(re.findall(r"\b([A-Z][A-Z_]+)=", out))
    assert not variables - names, f"variables missing from make help: {sorted(variables - names)}"
    # One line each.
    for t in targets:
        assert len(re.findall(rf"^  {re.escape(t)} ", out, re.M)) == 1, t


def test_an_unknown_system_lists_the_known_ones():
    result = make("run", "SYSTEM=nosuch")
    assert result.returncode == 2
    systems = sorted(p.stem for p in (REPO / "domains").glob("*.cfg"))
    assert f"no system 'nosuch': the systems in domains/ are {' '.join(systems)}; a configuration " \
           "elsewhere is SYSTEM=path/to/name.cfg" in result.stderr
    assert "qemu-system-arm" not in result.stdout


def outside_config(tmp_path: pathlib.Path) -> pathlib.Path:
    if not HELLO.exists():
        subprocess.run(["make", "--no-print-directory", "hello"], cwd=REPO, check=True)
    cfg = tmp_path / "elsewhere" / "mine.cfg"
    cfg.parent.mkdir()
    cfg.write_text(f"[system]\nname = mine\n[domain hello]\nkernel = {HELLO}\nmemory = 256K\n"
                   "privileged = yes\ncmdline = greeting=from-outside\n")
    return cfg


def test_run_a_configuration_outside_domains_with_its_console_log(tmp_path):
    cfg = outside_config(tmp_path)
    log = REPO / "build" / "goldfish" / "run-mine.log"
    log.unlink(missing_ok=True)
    result = make("run", f"SYSTEM={cfg}", "PLATFORM=goldfish")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"run: booting xen-arm with {cfg} on goldfish (quit: Ctrl-A X); console log: " \
           "build/goldfish/run-mine.log" in result.stdout
    assert "command line 'greeting=from-outside'" in result.stdout
    assert result.stdout.rstrip().endswith(
        "run: exit status 0: a clean stop: every domain shut down (or QEMU was quit with Ctrl-A X)")
    # The log holds the console, as printed.
    console = log.read_text().replace("\r\n", "\n")
    assert "[hello] hello, world from hello (domain 0)" in console
    assert "no domain left to run (1 shut down, 0 crashed)" in console
    assert (REPO / "build" / "goldfish" / "images" / "local" / "mine.elf").is_file()


def test_run_says_what_a_failure_status_means(tmp_path):
    cfg = outside_config(tmp_path)
    # A deliberate data abort in the VMM: status 3, and make fails.
    result = make("run", f"SYSTEM={cfg}", "PLATFORM=goldfish", "ARGS=fault=dabt")
    assert result.returncode == 2
    assert "run: exit status 3: the VMM itself took an unexpected exception (the report above says " \
           "where)" in result.stdout
    # QEMU_EXTRA reaches QEMU: a bad option is QEMU's error, status 1.
    result = make("run", f"SYSTEM={cfg}", "PLATFORM=goldfish", "QEMU_EXTRA=-no-such-option")
    assert result.returncode == 2
    assert "-no-such-option: invalid option" in result.stderr + result.stdout
    assert "run: exit status 1: QEMU could not run the image" in result.stdout


def test_qemu_extra_options_are_applied(tmp_path):
    cfg = outside_config(tmp_path)
    qlog = tmp_path / "qemu.log"
    result = make("run", f"SYSTEM={cfg}", "PLATFORM=goldfish", f"QEMU_EXTRA=-d guest_errors,unimp -D {qlog}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert qlog.exists()


def test_exit_statuses_in_the_readme_are_the_vmms():
    """README's table of exit statuses says what tools/exit-status.py says (which reads
    exit_status.hh)."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## Exit statuses\n", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| (\d+) \| (.*?) \|$", section, re.M))
    assert rows, "README.md has no exit-status table"
    for status in ("0", "1", "2", "3", "4", "5", "6"):
        said = subprocess.run([str(REPO / "tools" / "exit-status.py"), status], capture_output=True,
                              text=True, check=True).stdout.strip()
        assert said == f"exit status {status}: {rows[status]}", status
