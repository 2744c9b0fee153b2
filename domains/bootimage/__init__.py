"""The parts of domains/mkimage.py: format (the boot image format read from the C++
headers), config (a configuration file and its checks) and elf (kernels, the boot image
and the output ELF). Python 3 standard library only; mkimage.py is the command."""
