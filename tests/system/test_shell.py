"""dom0's console shell as a person uses it (minios/dom0/shell.c): keys typed at the
board's console, escape sequences included, some of them cut in two between writes;
line editing, the history, help, the device listing, the idempotent commands, list's
units and configurations, and the prompt shown again after guest output.

The console is a pipe into QEMU's stdio serial, written piece by piece while QEMU runs:
a pause between two writes puts their bytes in different reads of dom0 (the guest is
idle by then and reads what has come), which is how an escape sequence gets split.
What dom0 prints does not depend on where the reads fall; the assertions are on that."""
import pathlib
import re
import subprocess
import threading
import time

import pytest

import images
from vmm import PLATFORMS
from test_split import guest, shell_config, shell_dom0

BOARDS = ("goldfish", "imx21")  # as test_split.py; the typing tests run on every board (three UARTs)
SPLIT_PAUSE_S = 0.3
ESC = "\x1b"
LEFT, RIGHT, UP, DOWN = ESC + "[D", ESC + "[C", ESC + "[A", ESC + "[B"
CTRL_A, CTRL_C, CTRL_E, CTRL_K, CTRL_U, CTRL_W, BACKSPACE = "\x01", "\x03", "\x05", "\x0b", "\x15", "\x17", "\x7f"


@pytest.fixture(autouse=True, scope="module")
def ramdisk_image():
    return images.make_ramdisk()


RUNNING = []


@pytest.fixture(autouse=True)
def stop_qemu_left_running():
    """A test that failed half way leaves its QEMU waiting for input: stop it."""
    yield
    while RUNNING:
        proc = RUNNING.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class Console:
    """A booted image whose console input is written while it runs."""

    def __init__(self, platform, image):
        self.proc = subprocess.Popen(
            [str(images.REPO / "tools" / "run-qemu.sh"), "--test", platform, str(image), ""],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        RUNNING.append(self.proc)
        self.raw = bytearray()
        self.seen = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while chunk := self.proc.stdout.read1(4096):
            with self.seen:
                self.raw += chunk
                self.seen.notify_all()
        with self.seen:
            self.seen.notify_all()

    def text(self):
        with self.seen:
            return self.raw.decode(errors="replace").replace("\r\n", "\n")

    def type(self, *pieces):
        """Writes each piece on its own, with a pause after it (so they arrive apart)."""
        for piece in pieces:
            self.proc.stdin.write(piece.encode())
            self.proc.stdin.flush()
            time.sleep(SPLIT_PAUSE_S)

    def expect(self, pattern, timeout=120):
        """Waits until the output matches `pattern` (a regex); returns the match."""
        deadline = time.monotonic() + timeout
        with self.seen:
            while True:
                m = re.search(pattern, self.raw.decode(errors="replace").replace("\r\n", "\n"), re.M)
                if m or self.proc.poll() is not None and not self.reader.is_alive():
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.seen.wait(min(left, 1.0))
        assert m, f"no {pattern!r} in:\n{self.text()}"
        return m

    def finish(self, timeout=120):
        self.proc.stdin.close()
        self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return images.vmm.Run(self.proc.returncode, self.text())


def boot(tmp_path, platform, name, config):
    return Console(platform, images.build(tmp_path, platform, name, config))


def connected(console):
    console.type("wait 1 all\nwait 2 all\n")
    console.expect(r"^\[dom0\] wait: dom 2 all connected\ndom0> ")


def assert_clean_end(run):
    assert "[dom0] dom0: stopping (ok)" in run.output, run.output
    assert run.status == 0, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_line_editing_and_history(tmp_path, platform):
    con = boot(tmp_path, platform, "edit", shell_config())
    connected(con)
    # Left twice (each ESC cut from its '[' and 'D'), insert: "paus 2" -> "pause 2".
    con.type("paus 2" + ESC, "[D" + ESC + "[", "De\r")
    # Up recalls it: pausing again is "already".
    con.type(UP, "\r")
    # Home, Delete (cut inside the sequence): "xunpause 2" -> "unpause 2"; then twice.
    con.type("xunpause 2" + ESC + "[1~" + ESC + "[3", "~\r", "garbage" + CTRL_U + "unpause 2\r")
    # Ctrl-A, End (ESC [ F), five backspaces: "boot 1 junk" -> "boot 1".
    con.type("boot 1 junk" + CTRL_A + ESC + "[F" + BACKSPACE * 5 + "\r")
    # Left three times, Ctrl-K: "help statsXYZ" -> "help stats".
    con.type("help statsXYZ" + LEFT * 3 + CTRL_K + "\r")
    # Unknown sequences (F5, Shift-Tab, F1 as SS3, a private mode, Alt-x) are dropped.
    con.type("li" + ESC + "[15~" + ESC + "[Z" + ESC + "OP" + ESC + "[?1h" + ESC + "x" + "st\r")
    # Ctrl-A, Ctrl-E: "elp" -> "help destroy".
    con.type("elp" + CTRL_A + "h" + CTRL_E + " destroy\r")
    # SS3 left (ESC O D), insert: "help wt" -> "help wait"; Right after Ctrl-A; backspace mid-line.
    con.type("help wt" + ESC + "OD" + "ai\r", "help leep" + CTRL_A + RIGHT * 5 + "s\r",
             "help consolle" + LEFT * 2 + BACKSPACE + "\r")
    # Ctrl-W erases "junk"; Ctrl-C drops a whole line (no destroy happens).
    con.type("help pause junk" + CTRL_W + "\r", "destroy 1" + CTRL_C, "\r")
    # History: "help halt" twice is kept once (and the dropped line not at all), so Up, Up
    # is "help pause "; Down past the newest brings back the line being typed.
    con.type("help halt\rhelp halt\r", UP, UP, "\r", "help li", UP, DOWN, "st\r")
    con.type("halt\r")
    con.expect(r"\[dom0\] dom0: stopping")
    run = con.finish()
    out, lines = run.output, run.lines
    assert not any("unknown command" in l or l.startswith("[dom0] usage: boot") for l in lines), out
    assert lines.count("[dom0] pause: dom 2 paused") == 1, out
    assert lines.count("[dom0] pause: dom 2 is already paused") == 1, out
    assert lines.count("[dom0] unpause: dom 2 unpaused") == 1, out
    assert lines.count("[dom0] unpause: dom 2 is already running") == 1, out
    assert lines.count("[dom0] boot: dom 1 'guest1' is already running") == 1, out
    assert lines.count("[dom0] usage: stats") == 1, out
    assert sum(l.startswith("[dom0]   id name ") for l in lines) == 1, out  # "list" ran once
    assert lines.count("[dom0] usage: pause <dom>") == 2, out  # typed, then recalled
    assert lines.count("[dom0] usage: halt") == 2, out
    for usage in ("wait <dom> <vbd|vif|vtest|all|down> [ms]", "sleep <ms>", "console <dom>", "destroy <dom>",
                  "list"):
        assert lines.count(f"[dom0] usage: {usage}") == 1, (usage, out)
    assert "destroy 1^C" in out and "destroyed by the shell" not in out, out
    assert_clean_end(run)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_prompt_and_typed_line_come_back_after_guest_output(tmp_path, platform):
    # A guest that prints a line every 500 ms (of virtual time) for a long while.
    beater = images.domain("beater", images.MINIOS, cmdline="app=heartbeat console=ring count=100000 period=500")
    con = boot(tmp_path, platform, "reprompt", shell_dom0() + beater)
    con.expect(r"^\[beater\] heartbeat: dom 1 beat 1 at ")
    # "help sats" typed and the cursor moved left three times, at the prompt.
    con.type("help sats" + LEFT * 3)
    shown = re.escape("dom0> help sats\b\b\b")
    # A beat cuts the line; once the console is quiet again (200 ms, before the next
    # beat) the prompt and the line come back, the cursor where it was, no key typed.
    con.expect(rf"^{shown}\n\[beater\] heartbeat: dom 1 beat \d+ at \d+ ns\n{shown}(?:\n|\Z)")
    # The line is still being edited: 't' goes in at the cursor.
    con.type("t\r")
    con.expect(r"^\[dom0\] usage: stats\n")
    con.type("halt\r")
    con.expect(r"\[dom0\] dom0: stopping")
    run = con.finish()
    # Every beat that cut a prompt line is followed by the prompt again before the next beat.
    text = run.output
    for m in re.finditer(r"^dom0> [^\n]*\n(\[beater\] heartbeat: [^\n]*\n)(.*)$", text, re.M):
        assert m.group(2).startswith("dom0> ") or m.group(2).startswith("[dom0] "), (m.group(0), text)
    assert_clean_end(run)


def table_commands():
    """(name, usage) of every entry of the shell's command table, from its source."""
    source = (images.REPO / "minios" / "dom0" / "shell.c").read_text()
    table = source[source.index("} commands[] = {"):source.index("};", source.index("} commands[] = {"))]
    return re.findall(r'\{"(\w+)", \d+, \d+, "([^"]+)"', table)


@pytest.mark.parametrize("platform", BOARDS)
def test_help_lists_every_command_and_each_usage(tmp_path, platform):
    commands = table_commands()
    assert [c for c, _ in commands] == ["help", "list", "create", "boot", "pause", "unpause", "destroy", "console",
                                        "assign", "checkpoint", "rollback", "inject", "stats", "sleep", "wait",
                                        "halt"]
    script = "help\n" + "".join(f"help {c}\n" for c, _ in commands) + "help frobnicate\nhalt\n"
    con = boot(tmp_path, platform, "help", shell_dom0() + guest("guest1", "stay=1"))
    con.type(script)
    con.expect(r"\[dom0\] dom0: stopping")
    run = con.finish()
    lines = run.lines
    start = lines.index("[dom0] commands (<dom> is a domain id or name; 'help <cmd>' for its usage):")
    listed = []
    for l in lines[start + 1:]:
        m = re.match(r"\[dom0\]   (\w+) +(\S.*)$", l)
        if not m:
            break
        listed.append(m.group(1))
    assert listed == [c for c, _ in commands], run.output
    for name, usage in commands:
        assert f"[dom0] usage: {usage}" in lines, (name, run.output)
    assert "[dom0] help: no command 'frobnicate' ('help' lists them)" in lines, run.output
    assert_clean_end(run)


DEVICES = {"goldfish": None, "imx21": ("gpt3", 24, 0x10005000), "versatilepb": ("sp804b", 5, 0x101E3000)}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_assign_alone_lists_the_boards_devices_and_owners(tmp_path, platform):
    dev = DEVICES[platform]
    script = "wait 1 all\nassign\nassign 1\n"
    if dev:
        script += f"assign 1 {dev[0]}\nassign\n"
    con = boot(tmp_path, platform, "devs", shell_dom0() + guest("guest1", "hold=1 stay=1"))
    con.type(script + "halt\n")
    con.expect(r"\[dom0\] dom0: stopping")
    run = con.finish()
    lines = run.lines
    if dev is None:
        assert lines.count("[dom0] assign: this board has no device to pass through") == 2, run.output
    else:
        name, irq, phys = dev
        header = "[dom0] assign: devices this board can pass through ('assign <dom> <device>'):"
        assert lines.count(header) == 3, run.output
        free = f"[dom0]   {name:<8} line {irq:<3} registers 0x{phys:08x}  free"
        owned = f"[dom0]   {name:<8} line {irq:<3} registers 0x{phys:08x}  assigned to dom 1 'guest1'"
        assert lines.count(free) == 2 and lines.count(owned) == 1, run.output
        assert lines.index(owned) > lines.index(f"[dom0] assign: {name} (line {irq}) passed through to dom 1 "
                                                "at 0xc7e00000"), run.output
    assert_clean_end(run)


@pytest.mark.parametrize("platform", BOARDS)
def test_idempotent_commands_errors_in_words_and_list_units(tmp_path, platform):
    # guest3 (1.5 MiB, start = manual) is a configuration 'create' can start.
    guest3 = f"[domain guest3]\nkernel = {images.MINIOS_TEST}\nmemory = "
    config = shell_config().replace(guest3 + "1M", guest3 + "1536K")
    assert "memory = 1536K" in config
    script = ("wait 1 all\nwait 2 all\nlist\n"
              "create guest3\ncreate guest3\ncreate guest1\ncreate nosuch\nlist\n"
              "pause 3\nunpause 3\nboot 3\nboot 3\nwait 3 all\npause 3\npause 3\nunpause guest3\nunpause guest3\n"
              "destroy 3\ndestroy 3\nlist\n"
              "pause 7\nunpause nobody\nconsole 9\nboot 0\nassign 6 gpt3\ndestroy 0\nhalt\n")
    con = boot(tmp_path, platform, "words", config)
    con.type(script)
    con.expect(r"\[dom0\] dom0: stopping")
    run = con.finish()
    out, lines = run.output, run.lines
    expected = [
        "create: dom 3 'guest3' created, paused ('boot 3' starts it)",
        "create: 'guest3' was already created as dom 3 ('boot 3' starts it)",
        "create: 'guest1' is already running as dom 1",
        "create: the boot image has no configuration 'nosuch' ('list' shows them)",
        "pause: dom 3 is already paused (created, never booted)",
        "unpause: dom 3 was created but never booted: 'boot 3' starts it",
        "boot: dom 3 'guest3' started", "boot: dom 3 'guest3' is already running",
        "pause: dom 3 paused", "pause: dom 3 is already paused",
        "unpause: dom 3 unpaused", "unpause: dom 3 is already running",
        "destroy: dom 3 does not exist",
        "pause: dom 7 does not exist", "unpause: no domain is named 'nobody'", "console: dom 9 does not exist",
        "boot: not for dom0 itself", "assign: dom 6 does not exist", "destroy: dom0 cannot destroy itself (use 'halt')",
    ]
    for message in expected:
        assert lines.count(f"[dom0] {message}") == 1, (message, out)
    assert len(re.findall(r"^\[dom0\] dom0: dom 3 'guest3' destroyed by the shell: destroyed; "
                          r"dom0 ports in use \d+, grant maps \d+$", out, re.M)) == 1, out
    # No raw return codes: nothing dom0 says ends in a negative number in parentheses.
    assert not re.search(r"^\[dom0\] .*\(-\d+\)", out, re.M), out
    # list: memory in human units, then what 'create' can start (guest3 until created, and
    # again once destroyed).
    rows = [l for l in lines if re.match(r"\[dom0\]   [0-3]  ", l)]
    assert re.match(r"\[dom0\]   0  dom0 +running +4 MiB +\d+ +- +- +- +-$", rows[0]), out
    assert re.match(r"\[dom0\]   1  guest1 +\w+ +1 MiB +\d+ +- +Connected +Connected +Connected$", rows[1]), out
    guest3_rows = [l for l in rows if l.startswith("[dom0]   3  guest3 ")]
    assert len(guest3_rows) == 1 and re.match(r"\[dom0\]   3  guest3 +created +1\.5 MiB ", guest3_rows[0]), out
    header = "[dom0]   configurations 'create' can start:"
    offered = "[dom0]      guest3          1.5 MiB"
    assert lines.count(header) == 2 and lines.count(offered) == 2, out
    assert lines.count("[dom0]   configurations 'create' can start: none (every one is running)") == 1, out
    assert lines.index(guest3_rows[0]) > lines.index("[dom0] create: dom 3 'guest3' created, paused ('boot 3' "
                                                     "starts it)"), out
    assert_clean_end(run)
