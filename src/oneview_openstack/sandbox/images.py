"""The sandbox's instance image and the HTTP server Ironic hands images to agents from.

The image is a small raw whole-disk image with a real GPT (protective MBR, primary and backup
headers and entry arrays with their CRC32s) holding one Linux partition whose first bytes say
what it is, so a test can find the image on a server's disk file and see cleaning erase it.
It has no EFI system partition on purpose: nothing in it invites an agent to install a boot
loader or to touch UEFI variables.

Ironic caches a ``file://`` image, links it under ``[deploy] http_root`` and gives the agent an
``[deploy] http_url`` address (``image_download_source = http``); ``start_http_server`` serves
that folder with Python's own ``http.server`` on a free 127.0.0.1 port.
"""

from __future__ import annotations

import hashlib
import struct
import sys
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

from .processes import Service, Supervisor, free_port

SECTOR = 512
ENTRIES = 128
ENTRY_SIZE = 128
ENTRY_SECTORS = ENTRIES * ENTRY_SIZE // SECTOR  # 32
GPT_SIGNATURE = b"EFI PART"
LINUX_FILESYSTEM = uuid.UUID("0fc63daf-8483-4772-8e79-3d69d8477de4")
IMAGE_NAME = "sandbox-disk.raw"
PARTITION_NAME = "sandbox-root"
# The partition's first bytes: what a deployed disk carries (tests look for it).
MARKER = b"oneview-openstack sandbox image: written by ironic-python-agent\n"
DEFAULT_SIZE = 4 * 1024 * 1024
FIRST_PARTITION_LBA = 2048  # 1 MiB aligned, as partitioning tools do


@dataclass(frozen=True)
class DiskImage:
    path: Path
    size: int
    sha256: str
    disk_guid: str
    partition_guid: str

    @property
    def url(self) -> str:
        return self.path.resolve().as_uri()

    def instance_info(self) -> dict[str, str]:
        """What a direct deployment of this image puts in the node's instance_info.

        ``image_type`` is given because Ironic 39 cannot guess it for a ``file://`` source
        (``images.is_source_a_path`` reads ``.url`` of the path string it gets back).
        """
        return {
            "image_source": self.url,
            "image_type": "whole-disk",
            "image_os_hash_algo": "sha256",
            "image_os_hash_value": self.sha256,
            "image_disk_format": "raw",
        }


def _header(
    *, current: int, backup: int, first: int, last: int, disk: uuid.UUID, entries_lba: int,
    entries_crc: int,
) -> bytes:  # fmt: skip
    fields = struct.pack(
        "<8sIIIIQQQQ16sQIII",
        GPT_SIGNATURE, 0x00010000, 92, 0, 0, current, backup, first, last,
        disk.bytes_le, entries_lba, ENTRIES, ENTRY_SIZE, entries_crc,
    )  # fmt: skip
    crc = zlib.crc32(fields)
    fields = fields[:16] + struct.pack("<I", crc) + fields[20:]
    return fields.ljust(SECTOR, b"\0")


def _protective_mbr(sectors: int) -> bytes:
    entry = struct.pack("<B3sB3sII", 0, b"\x00\x02\x00", 0xEE, b"\xff\xff\xff", 1,
                        min(sectors - 1, 0xFFFFFFFF))  # fmt: skip
    return bytes(446) + entry + bytes(48) + b"\x55\xaa"


def build_image(path: Path, *, size: int = DEFAULT_SIZE, seed: str = "sandbox") -> DiskImage:
    """Write a raw GPT disk image of ``size`` bytes at ``path`` (same seed, same bytes).

    :raises ValueError: ``size`` is not a multiple of 512 or too small for one partition.
    """
    if size % SECTOR or size < (FIRST_PARTITION_LBA + 64) * SECTOR:
        raise ValueError(
            f"image size {size} must be a multiple of {SECTOR} bytes and at least "
            f"{(FIRST_PARTITION_LBA + 64) * SECTOR}"
        )
    sectors = size // SECTOR
    last_usable = sectors - 1 - ENTRY_SECTORS - 1
    disk = uuid.uuid5(uuid.NAMESPACE_URL, f"oneview-openstack:{seed}:disk")
    part = uuid.uuid5(uuid.NAMESPACE_URL, f"oneview-openstack:{seed}:root")
    name = PARTITION_NAME.encode("utf-16-le").ljust(72, b"\0")
    entry = struct.pack("<16s16sQQQ72s", LINUX_FILESYSTEM.bytes_le, part.bytes_le,
                        FIRST_PARTITION_LBA, last_usable, 0, name)  # fmt: skip
    entries = entry.ljust(ENTRIES * ENTRY_SIZE, b"\0")
    entries_crc = zlib.crc32(entries)
    first_usable = 2 + ENTRY_SECTORS
    image = bytearray(size)
    image[0:SECTOR] = _protective_mbr(sectors)
    image[SECTOR : 2 * SECTOR] = _header(
        current=1, backup=sectors - 1, first=first_usable, last=last_usable, disk=disk,
        entries_lba=2, entries_crc=entries_crc,
    )  # fmt: skip
    image[2 * SECTOR : first_usable * SECTOR] = entries
    backup_entries = sectors - 1 - ENTRY_SECTORS
    image[backup_entries * SECTOR : (sectors - 1) * SECTOR] = entries
    image[(sectors - 1) * SECTOR :] = _header(
        current=sectors - 1, backup=1, first=first_usable, last=last_usable, disk=disk,
        entries_lba=backup_entries, entries_crc=entries_crc,
    )  # fmt: skip
    start = FIRST_PARTITION_LBA * SECTOR
    image[start : start + len(MARKER)] = MARKER
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(image))
    return DiskImage(path, size, hashlib.sha256(image).hexdigest(), str(disk), str(part))


@dataclass(frozen=True)
class PartitionTable:
    """What the first sectors of a disk say (``None`` fields: not there)."""

    mbr_signature: bool
    gpt_header: bool
    partitions: tuple[str, ...]  # partition GUIDs of the primary entry array


def read_partition_table(path: Path) -> PartitionTable:
    """The partition table at the start of a disk file (a missing or short file has none)."""
    try:
        with path.open("rb") as disk:
            head = disk.read((2 + ENTRY_SECTORS) * SECTOR)
    except FileNotFoundError:
        head = b""
    head = head.ljust((2 + ENTRY_SECTORS) * SECTOR, b"\0")
    gpt = head[SECTOR : SECTOR + 8] == GPT_SIGNATURE
    partitions: list[str] = []
    if gpt:
        for index in range(ENTRIES):
            offset = 2 * SECTOR + index * ENTRY_SIZE
            kind, guid = head[offset : offset + 16], head[offset + 16 : offset + 32]
            if kind != bytes(16):
                partitions.append(str(uuid.UUID(bytes_le=guid)))
    return PartitionTable(head[510:512] == b"\x55\xaa", gpt, tuple(partitions))


def sandbox_image(state_dir: Path) -> DiskImage:
    """The sandbox's instance image in ``<state>/images`` (written on every start)."""
    return build_image(state_dir / "images" / IMAGE_NAME)


def start_http_server(
    supervisor: Supervisor, root: Path, *, log_path: Path, timeout: float = 30.0
) -> Service:
    """Python's ``http.server`` serving ``root`` on a free 127.0.0.1 port (``service.url``).

    :raises SandboxError: it exited or did not answer within ``timeout``.
    """
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
            "--directory", str(root)]  # fmt: skip
    service = supervisor.start("image HTTP server", argv, log_path=log_path)
    url = f"http://127.0.0.1:{port}"
    supervisor.wait_http(service, url + "/", timeout=timeout, ok=lambda r: r.status_code == 200)
    return service


def holds_image(path: Path, image: DiskImage) -> bool:
    """Whether the disk file carries the image's partition, byte for byte, where the image has it.

    The partition's bytes are compared rather than the whole image: an agent may move the
    backup GPT to the end of a disk larger than the image (``sgdisk -e``), which rewrites both
    headers but not the partition.
    """
    start = FIRST_PARTITION_LBA * SECTOR
    end = image.size - (ENTRY_SECTORS + 1) * SECTOR
    try:
        with path.open("rb") as disk, image.path.open("rb") as source:
            disk.seek(start)
            source.seek(start)
            while (left := end - source.tell()) > 0:
                chunk = source.read(min(left, 1024 * 1024))
                if disk.read(len(chunk)) != chunk:
                    return False
    except FileNotFoundError:
        return False
    return True
