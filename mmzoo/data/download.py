"""Downloads that land whole or not at all: what `mmzoo data fetch` and the prebuilt models
use. A URL may be http(s):// or file://; a local path is read in place."""

from __future__ import annotations

import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

from mmzoo.data.records import atomic_directory
from mmzoo.errors import InvalidInputError

CHUNK = 1 << 20
TIMEOUT_SECONDS = 60


def is_url(source) -> bool:
    return str(source).startswith(("http://", "https://", "file://"))


def download(url: str, path: Path, progress: bool = True, description: str | None = None) -> Path:
    """`url` to `path`, through `path`.partial: an interrupted download resumes from where it
    stopped when the server takes a Range request, and starts again cleanly when it does not.
    The finished file appears in one rename."""
    from tqdm.auto import tqdm

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    done = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={done}-"} if done else {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            resumed = done and getattr(response, "status", 200) == 206
            total = response.headers.get("Content-Length")
            total = int(total) + (done if resumed else 0) if total else None
            with open(partial, "ab" if resumed else "wb") as out, tqdm(
                    total=total, initial=done if resumed else 0, unit="B", unit_scale=True, disable=not progress,
                    desc=description or path.name) as bar:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    bar.update(len(chunk))
            if total is not None and partial.stat().st_size < total:
                raise OSError(f"the connection closed after {partial.stat().st_size} of {total} bytes")
    except urllib.error.HTTPError as error:
        if error.code == 416:  # the partial file is already whole (or longer): start again
            partial.unlink(missing_ok=True)
            return download(url, path, progress, description)
        raise InvalidInputError(url, f"download failed: HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise InvalidInputError(url, f"download failed: {getattr(error, 'reason', error)} (run again to resume)") \
            from None
    partial.replace(path)
    return path


def unpack_tar(archive: Path, final: Path, keep=lambda member: True) -> Path:
    """The regular files of a .tar(.gz) that `keep(member)` accepts, unpacked into `final` in
    one rename; members that would land outside `final` (absolute paths, `..`, links) are refused."""
    try:
        with tarfile.open(archive) as tar, atomic_directory(final) as scratch:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if member.issym() or member.islnk() or Path(member.name).is_absolute() or ".." in parts:
                    raise InvalidInputError(archive, f"unsafe member {member.name!r} (a link, or outside the folder)")
                if not member.isfile() or not keep(member):
                    continue
                target = scratch.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise InvalidInputError(archive, f"not a readable .tar.gz archive ({error})") from None
    return final
