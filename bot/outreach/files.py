"""Writing the kit's files (`pilkada-bot poster --out`, `cards --out`) without harming what is there.

Staff run these commands in shared folders (a USB stick, a synced drive, /tmp), so
(issue 25, item 6):

- an existing file is never replaced unless they ask (`--force`), and then only a regular
  file: a folder or anything else is refused;
- a symbolic link is never written through, not even with `--force`: a link planted where
  the poster goes would make the bot overwrite the file it points to;
- a file is written whole to a temporary file in the same folder, then put in place: a
  reader never sees half a poster, and a failed write leaves the old file as it was. In
  place means `os.link` (which fails if anything appeared under that name meanwhile, a
  link included), or with `--force` `os.replace` (which replaces a link planted meanwhile,
  never the file it points to).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


class RefusedOutput(Exception):
    """The file cannot be written safely; the message is one line that names it and says why."""


def check_output(path: Path, *, force: bool) -> None:
    """RefusedOutput if `path` may not be written: a link, anything but a regular file, or a file without `force`."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise RefusedOutput(f"Refusing to write {path}: it is a symbolic link (remove it or choose another name)")
    if not stat.S_ISREG(st.st_mode):
        raise RefusedOutput(f"Refusing to write {path}: it exists and is not a regular file")
    if not force:
        raise RefusedOutput(f"Refusing to write {path}: it already exists (pass --force to replace it)")


def write_output(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write `data` to `path` whole, or not at all (module docstring). RefusedOutput or OSError."""
    check_output(path, force=force)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as file:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(file.fileno(), 0o666 & ~umask)  # as any file the user creates (mkstemp's is private)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if force:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _link_new(temporary: Path, path: Path) -> None:
    """Give the written file its name, unless something took that name meanwhile."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        check_output(path, force=False)  # says what is there now
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # A file system without hard links (FAT on a USB stick): checked again just before.
        check_output(path, force=False)
        os.replace(temporary, path)
