"""Assembles a tiny raw ARM926 program for a machine-model test (QEMU -kernel loads a raw
binary at the board's kernel address). Needs arm-none-eabi binutils, which
`make test` installs; a missing assembler is a failure, not a skip."""
import pathlib
import shutil
import subprocess


def assemble(tmp_path: pathlib.Path, name: str, source: str, text_addr: int) -> pathlib.Path:
    for tool in ("arm-none-eabi-as", "arm-none-eabi-ld", "arm-none-eabi-objcopy"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} not installed: run tools/install-deps.sh build")
    src, obj, elf, binary = (tmp_path / f"{name}{ext}" for ext in (".S", ".o", ".elf", ".bin"))
    src.write_text(source)
    subprocess.run(["arm-none-eabi-as", "-mcpu=arm926ej-s", "-o", obj, src], check=True)
    subprocess.run(["arm-none-eabi-ld", f"-Ttext=0x{text_addr:x}", "-o", elf, obj], check=True)
    subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", elf, binary], check=True)
    return binary
