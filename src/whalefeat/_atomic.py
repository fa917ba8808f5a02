"""Write a file all at once: to a temporary name beside it, then renamed over it.

A reader (or a later run) sees either no file or the complete one: never a
half-written file that an interrupt, a full disk or a crash left behind.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "check_writable"]


def check_writable(target: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Check that ``target`` can be written, before any work is done to fill it.

    Parameters
    ----------
    target : str or os.PathLike
        The file to write.
    overwrite : bool, default=False
        Whether an existing file may be replaced.

    Returns
    -------
    target : pathlib.Path

    Raises
    ------
    FileExistsError
        If ``target`` exists and ``overwrite`` is False.
    IsADirectoryError
        If ``target`` is a folder.
    FileNotFoundError
        If the folder to hold it does not exist.
    PermissionError, OSError
        If no file can be created in that folder.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> check_writable(f"{folder.name}/out.npz").name
    'out.npz'
    >>> folder.cleanup()
    """
    target = Path(target)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, f"{target} is a folder, not a file")
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"folder {folder} for {target} does not exist")
    if target.exists() or target.is_symlink():
        if not overwrite:
            raise FileExistsError(errno.EEXIST, f"{target} already exists")
        if not target.is_file():
            raise OSError(errno.EEXIST, f"{target} exists and is not a regular file")
    # a probe file: the only sure test that the folder takes new files
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, f"no file can be created in {folder} ({exc.strerror})") from None
    os.close(handle)
    os.unlink(probe)
    return target


def atomic_write(
    target: str | os.PathLike, write: Callable[[BinaryIO], None], *, overwrite: bool = False
) -> Path:
    """Write ``target`` through ``write(handle)``, atomically.

    ``write`` gets a binary file open on a temporary file in the folder of
    ``target``; once it returns, the file is flushed, synced to disk and
    renamed to ``target`` (:func:`os.replace`, atomic on POSIX and Windows).
    If anything fails or interrupts it (including :class:`KeyboardInterrupt`),
    the temporary file is removed and ``target`` is left as it was.

    Parameters
    ----------
    target : str or os.PathLike
        The file to write; exactly this name is written (no suffix added).
    write : callable
        Called with the open binary file; writes the content.
    overwrite : bool, default=False
        Whether an existing ``target`` may be replaced.

    Returns
    -------
    target : pathlib.Path

    Raises
    ------
    FileExistsError
        If ``target`` exists and ``overwrite`` is False.
    OSError
        If the file cannot be written (no such folder, no permission, a full
        disk, ...).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = atomic_write(f"{folder.name}/a.txt", lambda handle: handle.write(b"hi"))
    >>> path.read_bytes()
    b'hi'
    >>> atomic_write(path, lambda handle: handle.write(b"again"))
    Traceback (most recent call last):
    ...
    FileExistsError: ...a.txt already exists
    >>> folder.cleanup()
    """
    target = check_writable(target, overwrite=overwrite)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if not overwrite and target.exists():
            raise FileExistsError(errno.EEXIST, f"{target} already exists")
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _sync_folder(target.parent)
    return target


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the platform allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open folders
        return
    try:
        os.fsync(descriptor)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(descriptor)
