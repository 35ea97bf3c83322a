"""Writing a file only its owner may read — the admin PIN hash, the badge signing key, a config
that may hold the centre's password — atomically, so a crash never leaves half a file.

The temporary file is created with mode 0600 (never readable by others, even for a moment),
fsync'd, then renamed over the target; on any failure it is removed and the target untouched.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``, mode 0600; raises OSError with nothing changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)  # O_CREAT's mode is ignored if the temp file already existed
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
