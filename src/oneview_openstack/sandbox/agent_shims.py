"""The commands every sandbox ironic-python-agent finds first on its PATH.

IPA runs as root on THIS machine and runs host commands by name. Each name below is a small
script in ``<state>/agents/bin`` (first on the agent's PATH) that runs ``run_shim``:

- ``poweroff``/``shutdown``/``halt``/``reboot`` ask the simulator to switch the server off (or
  restart it) as its OS would, and ALWAYS exit 0: a failure would send IPA to its fallback,
  ``echo o > /proc/sysrq-trigger``, which powers off this machine;
- ``hwclock`` does nothing (the simulated server has no clock to set);
- commands that act on this machine itself (modules, md arrays, UEFI variables, mounts, network,
  loop devices, services) refuse with exit 1;
- disk tools run the real binary only when no argument names a device, ``/proc`` or ``/sys``;
  ``lsblk``/``blockdev`` on the disk file answer as the kernel would for a disk, and
  ``partx``/``partprobe``/``udevadm settle`` have no kernel to tell about a file's partitions.

Nothing heavy is imported: each shim is a fresh interpreter, and IPA runs dozens of them.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

# The path of the server's JSON description; the hardware manager reports nothing without it.
DESCRIPTION_ENV = "ONEVIEW_SANDBOX_SERVER_DESCRIPTION"
SECTOR = 512

# What the server's OS does on power commands (True: a restart).
POWER_SHIMS = {"poweroff": False, "shutdown": False, "halt": False, "reboot": True}
# What IPA does to a real server's clock before it powers off: the simulated server has none.
NOOP_SHIMS = ("hwclock",)
# Commands that act on this machine itself: never run for an agent.
REFUSED_SHIMS = (
    "modprobe", "insmod", "rmmod", "mdadm", "efibootmgr", "mount", "umount", "ip", "ipmitool",
    "iscsistart", "multipath", "multipathd", "ntpdate", "chronyc", "chronyd",
    "systemctl", "kexec", "losetup", "kpartx", "dmsetup", "mkswap", "swapon", "swapoff",
    "cryptsetup", "pvremove", "vgremove", "lvremove", "vgchange", "lvchange", "grub-install",
    "grub2-install", "chroot", "ethtool", "sysctl", "podman", "docker", "bootc", "lldpad",
    "lldptool", "biosdevname",
)  # fmt: skip
# Disk tools: run (the real binary) only when no argument names a device, /proc or /sys.
GUARDED_SHIMS = (
    "dd", "wipefs", "sgdisk", "sfdisk", "parted", "partprobe", "partx", "blkid", "blockdev",
    "hdparm", "nvme", "shred", "blkdiscard", "qemu-img", "mkfs", "mkfs.ext4", "mkfs.vfat",
    "mkfs.fat", "mkdosfs", "mke2fs", "e2fsck", "tune2fs", "fuser", "smartctl", "sg_sanitize",
    "udevadm", "lsblk",
)  # fmt: skip
HARMLESS_DEVICES = ("/dev/zero", "/dev/null", "/dev/urandom", "/dev/random", "/dev/stdin",
                    "/dev/stdout", "/dev/stderr", "/dev/fd/")  # fmt: skip
# partx options that only read a table; any other use adds partitions to the kernel, and on a
# regular file partx first attaches a loop device to it.
PARTX_READS = ("-s", "--show", "-l", "--list", "-h", "--help", "-V", "--version")

# The script behind every name. A power command must exit 0 even when this package cannot be
# imported, so IPA never falls back to /proc/sysrq-trigger.
SHIM = """#!{python}
# Written by the oneview sandbox: IPA must not act on this machine (see sandbox/agent_shims.py).
import os, sys
try:
    from oneview_openstack.sandbox.agent_shims import run_shim
except BaseException as error:
    name = os.path.basename(sys.argv[0])
    sys.stderr.write("oneview sandbox: `%s` not run, the shim is broken: %r\\n" % (name, error))
    raise SystemExit(0 if name in {power!r} else 1)
raise SystemExit(run_shim())
"""


def write_shims(bin_dir: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    text = SHIM.format(python=sys.executable, power=sorted(POWER_SHIMS))
    for name in (*POWER_SHIMS, *NOOP_SHIMS, *REFUSED_SHIMS, *GUARDED_SHIMS):
        path = bin_dir / name
        path.write_text(text)
        path.chmod(0o755)


def ensure_shims(bin_dir: Path) -> None:
    """Every shim in place and executable (written again otherwise)."""
    names = (*POWER_SHIMS, *NOOP_SHIMS, *REFUSED_SHIMS, *GUARDED_SHIMS)
    if not all(os.access(bin_dir / name, os.X_OK) for name in names):
        write_shims(bin_dir)


def names_a_device(argument: str) -> bool:
    """Whether an argument (or the value of ``key=value``) is a device, or under /proc, /sys,
    /dev, also through a symlink: what a disk tool must never be given for an agent."""
    for value in {argument, argument.split("=", 1)[-1]}:
        if not value.startswith("/") or value.startswith(HARMLESS_DEVICES):
            continue
        real = os.path.realpath(value)
        if real.startswith(("/proc/", "/sys/", "/dev/")) or real in ("/proc", "/sys", "/dev"):
            return True
        try:
            mode = os.stat(real).st_mode
        except OSError:
            continue
        if stat.S_ISBLK(mode) or stat.S_ISCHR(mode):
            return True
    return False


def _say(message: str) -> None:
    # Never the words "ignoring request": IPA reads them in a poweroff's stderr as "not done"
    # and falls back to /proc/sysrq-trigger.
    sys.stderr.write(f"oneview sandbox: {message.replace('ignoring request', 'ignoring')}\n")


def run_shim(argv: list[str] | None = None) -> int:
    """A shim's body: the command name is the script's name."""
    argv = list(sys.argv if argv is None else argv)
    name, arguments = Path(argv[0]).name, argv[1:]
    if name in POWER_SHIMS:
        try:
            return _os_power(name, restart=POWER_SHIMS[name])
        except BaseException as error:  # exit 0 whatever happens (sysrq)
            _say(f"`{name}`: {error!r}")
            return 0
    if name in NOOP_SHIMS:
        _say(f"`{name} {' '.join(arguments)}` not run: the simulated server has no such device")
        return 0
    if name in GUARDED_SHIMS:
        return _guarded(argv[0], name, arguments)
    _say(
        f"refused `{name} {' '.join(arguments)}`: it would act on this machine, not on the "
        "simulated server"
    )
    return 1


def _guarded(script: str, name: str, arguments: list[str]) -> int:
    restore_disk_size()
    named = [a for a in arguments if names_a_device(a)]
    if named:
        _say(
            f"refused `{name} {' '.join(arguments)}`: {named[0]} is this machine's, "
            "not the simulated server's"
        )
        return 1
    disk_file = next((a for a in arguments if Path(a).is_file()), None)
    if name in DISK_FILE_QUERIES and disk_file is not None:
        return DISK_FILE_QUERIES[name](Path(disk_file), arguments)
    if name == "udevadm" and arguments[:1] != ["settle"]:
        _say(f"refused `udevadm {' '.join(arguments)}`: only `settle` is harmless")
        return 1
    if name == "partx" and not any(a in PARTX_READS for a in arguments):
        return 0  # no kernel to tell about a disk file's partitions (and no loop device)
    here = str(Path(script).resolve().parent)
    search = os.pathsep.join(
        p
        for p in os.environ.get("PATH", "").split(os.pathsep)
        if p and str(Path(p).resolve()) != here
    )
    real = shutil.which(name, path=search)
    if real is None:
        if name in ("udevadm", "partprobe"):
            return 0  # no kernel to tell about a disk file: nothing to do
        _say(f"`{name}` is not installed on this machine")
        return 127
    os.execv(real, [real, *arguments])  # noqa: S606 - the real tool, same arguments
    return 0  # not reached: execv replaced this process


def restore_disk_size(description_path: str | None = None) -> None:
    """A disk does not shrink, but IPA writes a raw image with ``open(device, "wb+")``, which
    truncates a file: grow the disk file back (sparse zeros) to the size it was described with,
    before any tool looks at it, as if it were the block device it stands for."""
    path = description_path or os.environ.get(DESCRIPTION_ENV)
    if not path:
        return
    try:
        disk = json.loads(Path(path).read_text())["disk"]
        target, size = Path(disk["path"]), int(disk["sizeBytes"])
        if target.is_file() and target.stat().st_size < size:
            with open(target, "r+b") as handle:
                handle.truncate(size)
    except (OSError, ValueError, KeyError, TypeError):
        return


def _blockdev(disk: Path, arguments: list[str]) -> int:
    """``blockdev`` on the disk file: what the kernel would say of a 512-byte-sector disk."""
    size = disk.stat().st_size
    answers = {"--getss": SECTOR, "--getpbsz": SECTOR, "--getbsz": 4096, "--getsize64": size,
               "--getsz": size // SECTOR, "--getro": 0}  # fmt: skip
    for option in arguments:
        if option in answers:
            print(answers[option])
        elif option in ("--flushbufs", "--rereadpt"):
            with open(disk, "rb") as handle:
                os.fsync(handle.fileno())
    return 0


def _lsblk_fields(arguments: list[str]) -> list[str]:
    for index, argument in enumerate(arguments):
        if argument in ("-o", "--output") and index + 1 < len(arguments):
            return arguments[index + 1].split(",")
        if argument.startswith("--output="):
            return argument.split("=", 1)[1].split(",")
        if argument.startswith("-") and not argument.startswith("--") and "o" in argument:
            rest = argument[argument.index("o") + 1 :]
            if rest:
                return rest.split(",")
            if index + 1 < len(arguments):
                return arguments[index + 1].split(",")
    return ["NAME", "SIZE", "TYPE"]


def _lsblk(disk: Path, arguments: list[str]) -> int:
    """``lsblk`` on the disk file, ``--pairs`` style: a whole disk (its partitions are not
    devices of their own: no kernel reads this file's table)."""
    table = {}
    probe = shutil.which("blkid", path="/usr/sbin:/usr/bin:/sbin:/bin")
    if probe is not None:
        found = subprocess.run(  # noqa: S603 - blkid on our own file
            [probe, "-p", "-o", "export", str(disk)], capture_output=True, text=True, check=False
        )
        table = dict(line.split("=", 1) for line in found.stdout.splitlines() if "=" in line)
    values = {"NAME": str(disk), "KNAME": str(disk), "PATH": str(disk), "TYPE": "disk",
              "SIZE": str(disk.stat().st_size), "ROTA": "0", "RO": "0", "RM": "0",
              "MODEL": "LOGICAL VOLUME", "VENDOR": "HPE", "PTUUID": table.get("PTUUID", ""),
              "PTTYPE": table.get("PTTYPE", ""), "LOG-SEC": str(SECTOR),
              "PHY-SEC": str(SECTOR)}  # fmt: skip
    fields = [f.upper() for f in _lsblk_fields(arguments)]
    print(" ".join(f'{field}="{values.get(field, "")}"' for field in fields))
    return 0


DISK_FILE_QUERIES = {"blockdev": _blockdev, "lsblk": _lsblk}


def _os_power(name: str, *, restart: bool) -> int:
    """``poweroff``/``reboot`` inside the server: the simulator switches it off (or restarts
    it). Always exit 0, so IPA never falls back to ``/proc/sysrq-trigger``."""
    path = os.environ.get(DESCRIPTION_ENV)
    if not path:
        _say(f"`{name}`: no {DESCRIPTION_ENV}; this machine is left alone")
        return 0
    import requests

    try:
        description = json.loads(Path(path).read_text())
        server_id = description["server"]["uri"].rsplit("/", 1)[-1]
        with requests.Session() as http:
            http.trust_env = False
            reply = http.post(
                f"{description['simulatorUrl']}/_sim/server-hardware/{server_id}/os-power-off",
                json={"restart": restart},
                verify=description.get("caFile") or True,
                timeout=30,
            )
        if reply.status_code >= 400:
            _say(f"`{name}`: the simulator answered {reply.status_code}: {reply.text[:300]}")
        else:
            _say(f"`{name}`: {description['server']['name']} is now {reply.json()['powerState']}")
    except Exception as error:  # a power command always "succeeds" (sysrq)
        _say(f"`{name}` could not reach the simulator: {error}")
    return 0
