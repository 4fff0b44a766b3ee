"""The sandbox's disk image (judged by util-linux, not by our own reader) and its HTTP server."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from oneview_openstack.sandbox import images
from oneview_openstack.sandbox.processes import Supervisor


def util_linux(*argv: str) -> str:
    tool = shutil.which(argv[0])
    assert tool is not None, f"{argv[0]} (util-linux) is missing"
    done = subprocess.run([tool, *argv[1:]], capture_output=True, text=True, check=True)  # noqa: S603
    return done.stdout


def test_the_image_has_a_gpt_that_util_linux_reads(tmp_path: Path) -> None:
    image = images.build_image(tmp_path / "disk.raw")
    data = image.path.read_bytes()
    assert len(data) == image.size == images.DEFAULT_SIZE
    assert hashlib.sha256(data).hexdigest() == image.sha256
    # blkid checks the headers' and entry array's CRC32s before it names the table.
    probed = util_linux("blkid", "-p", "-o", "export", str(image.path))
    assert "PTTYPE=gpt" in probed.split()
    assert f"PTUUID={image.disk_guid}" in probed.split()
    rows = util_linux(
        "partx", "--show", "--noheadings", "-o", "NR,START,NAME,UUID", str(image.path)
    )
    assert rows.split() == ["1", str(images.FIRST_PARTITION_LBA), images.PARTITION_NAME,
                            image.partition_guid]  # fmt: skip
    start = images.FIRST_PARTITION_LBA * images.SECTOR
    assert data[start : start + len(images.MARKER)] == images.MARKER
    assert images.read_partition_table(image.path) == images.PartitionTable(
        True, True, (image.partition_guid,)
    )
    assert images.build_image(tmp_path / "again.raw").sha256 == image.sha256  # reproducible
    info = image.instance_info()
    assert info["image_source"] == f"file://{image.path.resolve()}"
    assert (info["image_os_hash_algo"], info["image_os_hash_value"]) == ("sha256", image.sha256)


def test_holds_image_finds_the_partition_on_a_larger_disk_and_not_after_an_erase(
    tmp_path: Path,
) -> None:
    image = images.build_image(tmp_path / "disk.raw")
    disk = tmp_path / "server-disk.img"
    shutil.copy(image.path, disk)
    with disk.open("r+b") as handle:
        handle.truncate(64 * 1024 * 1024)  # the server's disk is larger than the image
    assert images.holds_image(disk, image)
    with disk.open("r+b") as handle:  # what a metadata erase does to the first sectors
        handle.write(bytes(images.FIRST_PARTITION_LBA * images.SECTOR + 1))
    assert not images.holds_image(disk, image)
    assert images.read_partition_table(disk) == images.PartitionTable(False, False, ())
    assert images.read_partition_table(tmp_path / "missing") == images.PartitionTable(
        False, False, ()
    )
    assert not images.holds_image(tmp_path / "missing", image)


def test_an_image_too_small_for_a_partition_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="image size 4096 must be a multiple of 512"):
        images.build_image(tmp_path / "tiny.raw", size=4096)


def test_the_http_server_serves_its_folder_on_loopback(tmp_path: Path) -> None:
    root = tmp_path / "http"
    supervisor = Supervisor()
    try:
        service = images.start_http_server(supervisor, root, log_path=tmp_path / "http.log")
        assert service.url is not None and service.url.startswith("http://127.0.0.1:")
        (root / "node").mkdir()
        (root / "node" / "disk").write_bytes(b"image bytes")
        reply = requests.get(f"{service.url}node/disk", timeout=10)
        assert (reply.status_code, reply.content) == (200, b"image bytes")
    finally:
        supervisor.stop_all()
    assert not service.running
