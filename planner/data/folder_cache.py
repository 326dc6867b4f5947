"""Results kept beside a data folder's files (`DATA_DIR/.planner-cache/NAME`), so that one command
can reuse what another worked out from the same files: `planner options` reuses the batch answer
`planner match` found. Each entry is stored with the key it was made for (the files' digest and
every option that changes the result) and is used only when that key matches, so editing a file,
or asking for another date, simply makes a new one. A folder that cannot be written to is used
without a cache.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

CACHE_DIR: Final = ".planner-cache"
_HEADER: Final = b"planner-cache 1\n"


def read(folder: Path, name: str, key: str) -> bytes | None:
    """The bytes stored under `name` for `key`, or None (nothing stored, or stored for another key)."""
    try:
        data = (Path(folder) / CACHE_DIR / name).read_bytes()
    except OSError:
        return None
    head = _HEADER + key.encode() + b"\n"
    return data[len(head) :] if data.startswith(head) else None


def write(folder: Path, name: str, key: str, data: bytes) -> bool:
    """Store `data` under `name` for `key`, replacing what was there (all or nothing); False when
    the folder cannot be written to."""
    if "\n" in key:
        raise ValueError("a cache key is one line")
    where = Path(folder) / CACHE_DIR
    try:
        where.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=where)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_HEADER + key.encode() + b"\n")
                f.write(data)  # megabytes at England scale: not copied onto the header first
            os.replace(tmp, where / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        log.info("not caching %s in %s: %s", name, where, e)
        return False
    return True
