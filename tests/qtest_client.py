"""A small client for QEMU's qtest protocol (softmmu/qtest.c), used to test the
project's machine models register by register without running guest code.

QEMU runs with `-accel qtest`: no instruction executes, and virtual time moves only
when the test says `clock_step`, so every timer observation is exact.
"""
import os
import socket
import subprocess
import tempfile


class QTestError(RuntimeError):
    pass


class QTest:
    def __init__(self, qemu: str, machine: str, extra=(), serial: str = "null"):
        """serial: the -serial backend of the first serial port (serial_hd(0))."""
        self._dir = tempfile.TemporaryDirectory(prefix="xen-arm-qtest-")
        sock_path = os.path.join(self._dir.name, "qtest.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(sock_path)
        server.listen(1)
        server.settimeout(30)
        self.proc = subprocess.Popen(
            [qemu, "-machine", machine, "-accel", "qtest", "-qtest", f"unix:{sock_path}",
             "-display", "none", "-serial", serial, "-monitor", "none", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        try:
            self.sock, _ = server.accept()
        except socket.timeout:
            self.proc.kill()
            _, err = self.proc.communicate()
            raise QTestError(f"QEMU did not connect: {err.decode(errors='replace')}")
        finally:
            server.close()
        self.sock.settimeout(30)
        self._buf = b""
        self.irq_events = []  # ("raise"|"lower", line) in the order QEMU reported them

    def close(self):
        try:
            self.sock.close()
        finally:
            self.proc.kill()
            self.proc.wait()
            self._dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _line(self) -> str:
        while b"\n" not in self._buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise QTestError("QEMU closed the qtest socket")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode()

    def cmd(self, text: str) -> str:
        """Sends one command and returns the text after 'OK'; IRQ notices are recorded."""
        self.sock.sendall(text.encode() + b"\n")
        while True:
            line = self._line()
            if line.startswith("IRQ "):
                _, what, num = line.split()
                self.irq_events.append((what, int(num)))
                continue
            if line.startswith("OK"):
                return line[2:].strip()
            raise QTestError(f"{text!r} -> {line!r}")

    def readl(self, addr: int) -> int:
        return int(self.cmd(f"readl 0x{addr:x}"), 16)

    def writel(self, addr: int, value: int) -> None:
        self.cmd(f"writel 0x{addr:x} 0x{value & 0xffffffff:x}")

    def readb(self, addr: int) -> int:
        return int(self.cmd(f"readb 0x{addr:x}"), 16)

    def writeb(self, addr: int, value: int) -> None:
        self.cmd(f"writeb 0x{addr:x} 0x{value & 0xff:x}")

    def clock_step(self, ns: int | None = None) -> int:
        """Advances virtual time by ns (or to the next timer deadline); returns the new time."""
        return int(self.cmd("clock_step" if ns is None else f"clock_step {ns}"))

    def clock_get(self) -> int:
        return int(self.cmd("clock_step 0"))

    def intercept_cpu_irq(self, qom_path: str = "/machine/unattached/device[0]") -> None:
        """Reports the CPU's IRQ (line 0) and FIQ (line 1) inputs as IRQ events."""
        self.cmd(f"irq_intercept_in {qom_path}")

    def cpu_irq_level(self, line: int = 0) -> int:
        """The CPU input's current level, from the recorded raise/lower events."""
        level = 0
        for what, num in self.irq_events:
            if num == line:
                level = 1 if what == "raise" else 0
        return level

    def memwrite(self, addr: int, data: bytes) -> None:
        self.cmd(f"write 0x{addr:x} 0x{len(data):x} 0x{data.hex()}")

    def memread(self, addr: int, size: int) -> bytes:
        return bytes.fromhex(self.cmd(f"read 0x{addr:x} 0x{size:x}")[2:])
