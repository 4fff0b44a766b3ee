"""Erasing a simulated server's disk file as IPA's erase steps would erase a disk."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

MIB = 1024**2
SECTOR = 512


def zero_range(handle: Any, offset: int, length: int) -> None:
    handle.seek(offset)
    handle.write(b"\0" * length)


def partition_starts(head: bytes, sector: int = SECTOR) -> list[int]:
    """Byte offsets of the partitions an MBR or GPT at the start of a disk names."""
    starts: list[int] = []
    if head[510:512] == b"\x55\xaa":
        for index in range(4):
            entry = head[446 + 16 * index : 462 + 16 * index]
            kind, first = entry[4], struct.unpack_from("<I", entry, 8)[0]
            if kind not in (0, 0xEE) and first:
                starts.append(first * sector)
    gpt = head[sector : 2 * sector]
    if gpt[:8] == b"EFI PART":
        table, count, size = struct.unpack_from("<QII", gpt, 72)
        for index in range(min(count, 128)):
            offset = table * sector + index * size
            entry = head[offset : offset + size]
            if len(entry) >= 40 and entry[:16] != b"\0" * 16:
                starts.append(struct.unpack_from("<Q", entry, 32)[0] * sector)
    return starts


def erase_metadata(path: Path) -> list[int]:
    """What ``wipefs`` + the GPT wipe do: each partition's first MiB (its filesystem's
    signatures), then the first and last MiB of the disk (MBR, both GPT copies). Returns the
    partition offsets wiped."""
    size = path.stat().st_size
    with open(path, "r+b") as disk:
        head = disk.read(MIB)
        starts = [s for s in partition_starts(head) if 0 < s < size]
        for start in starts:
            zero_range(disk, start, min(MIB, size - start))
        zero_range(disk, 0, min(MIB, size))
        zero_range(disk, max(0, size - MIB), min(MIB, size))
        disk.flush()
        os.fsync(disk.fileno())
    return starts


def erase_all(path: Path) -> None:
    """Every byte of the disk file reads zero again (the file stays its size, sparse)."""
    size = path.stat().st_size
    with open(path, "r+b") as disk:
        disk.truncate(0)
        disk.truncate(size)
        os.fsync(disk.fileno())
