"""Start a command (a student's Jupyter kernel) locked in a sandbox.

Run as root inside fresh namespaces, the way `command()` builds the call:

    unshare --mount --net --pid --ipc --uts --fork --kill-child python sandbox.py SPEC --own FILE -- CMD...

It builds a new root on a tmpfs holding only what the spec names (the system and Python
read-only, a private /tmp) and a private tmpfs copy of the current folder, enters it, drops to
an unprivileged uid, sets resource limits and execs CMD. The network namespace has no interface
up, and the new PID namespace ends every process the command started when the command ends.
kill() is for the grader, outside: it ends what a sandboxed uid left running.

This file runs before any package is importable, so it uses the standard library only.
"""
from __future__ import annotations

import ctypes
import json
import os
import re
import resource
import shutil
import signal
import sys
from pathlib import Path

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
DEVICES = ("null", "zero", "random", "urandom")
_libc = ctypes.CDLL(None, use_errno=True)


def command(spec: Path, argv: list[str], own: str) -> list[str]:
    """The argv that runs argv in the sandbox described by spec; own is chowned to the sandbox uid."""
    return ["unshare", "--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child",
            sys.executable, "-I", __file__, str(spec), "--own", own, "--", *argv]


STATUS = re.compile(r"^State:\s*(\S).*?^PPid:\s*(\d+).*?^Uid:\s*(\d+)", re.S | re.M)  # /proc/<pid>/status's order


def processes(uid: int) -> dict[int, int]:
    """pid -> parent pid of every live (not zombie) process whose real uid is uid."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/status") as status:
                    fields = STATUS.search(status.read())
            except OSError:  # ended while we looked
                continue
            if fields and int(fields[3]) == uid and fields[1] != "Z":  # zombies hold nothing
                found[int(name)] = int(fields[2])
    return found


def kill(uid: int, spare: int | None = None) -> None:
    """Kill every process of uid but those whose parent is spare (the sandbox's launcher: that
    spares the kernel itself, not what it started)."""
    for pid, parent in processes(uid).items():
        if parent != spare:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def mount(source: str, target: Path, fstype: str | None = None, flags: int = 0, data: str = "") -> None:
    if _libc.mount(source.encode(), str(target).encode(), fstype.encode() if fstype else None,
                   flags, data.encode()) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def bind(path: str, root: Path, writable: bool = False) -> None:
    """Make path appear at the same place under root (symlinks stay symlinks)."""
    target = root / path.lstrip("/")
    if os.path.islink(path):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(os.readlink(path))
        return
    if os.path.isdir(path):
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    mount(path, target, flags=MS_BIND | MS_REC)
    if not writable:
        mount("none", target, flags=MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def own(path: Path, uid: int) -> None:
    """chown the tree at path (not following links) to uid."""
    for folder, dirs, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.lchown(name, uid, uid)


def private_copy(path: str, root: Path, uid: int, size_mb: int) -> None:
    """A size-limited tmpfs at path under root, holding a copy of path's files, owned by uid."""
    target = root / path.lstrip("/")
    target.mkdir(parents=True, exist_ok=True)
    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode=0755")
    shutil.copytree(path, target, dirs_exist_ok=True)
    own(target, uid)


def build_root(spec: dict) -> Path:
    """The new root: a private /tmp holding the spec's copies (owned by the sandbox uid, made before
    anything is bound below it), the read-only and writable binds, devices, /proc, and the
    private copy of the current folder."""
    root = Path(spec["root"])
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")
    tmp = root / "tmp"
    tmp.mkdir()
    mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, f"size={spec['tmp_mb']}m,mode=1777")
    for source, dest in spec["copy"].items():
        (tmp / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, tmp / dest)
    own(tmp, spec["uid"])
    for path in spec["read_only"]:
        if os.path.lexists(path):
            bind(path, root)
    for path in spec["writable"]:
        bind(path, root, writable=True)
    for device in DEVICES:
        bind(f"/dev/{device}", root, writable=True)
    (root / "proc").mkdir()
    mount("proc", root / "proc", "proc", MS_NOSUID | MS_NODEV)
    private_copy(os.getcwd(), root, spec["uid"], spec["workdir_mb"])
    return root


def limit(spec: dict) -> None:
    mib = 1024 * 1024
    for name, value in [("RLIMIT_AS", spec["memory_mb"] * mib), ("RLIMIT_NPROC", spec["processes"]),
                        ("RLIMIT_FSIZE", spec["file_mb"] * mib), ("RLIMIT_CORE", 0)]:
        resource.setrlimit(getattr(resource, name), (value, value))


def main(argv: list[str]) -> None:
    spec_path, _, own, _, *command_argv = argv
    spec = json.loads(Path(spec_path).read_text())
    os.chown(own, spec["uid"], spec["uid"])
    cwd = os.getcwd()
    root = build_root(spec)
    os.chroot(root)
    os.chdir(cwd)
    os.setgroups([])
    os.setgid(spec["uid"])
    os.setuid(spec["uid"])
    limit(spec)
    passed = {k: v for k, v in os.environ.items() if k.startswith(("JPY_", "NBGRADER_", "GRADLAB_"))}
    os.execve(command_argv[0], command_argv, {**passed, **spec["env"]})


if __name__ == "__main__":
    main(sys.argv[1:])
