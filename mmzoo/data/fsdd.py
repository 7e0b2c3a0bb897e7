"""The Free Spoken Digit Dataset (FSDD, CC BY-SA 4.0): where its recordings are, and fetching
a pinned release of them.

    recordings_dir()          MMZOO_FSDD, then the fetched copy in MMZOO_HOME, then a
                              checkout's ../shared/data/fsdd/recordings
    fetch(source=None)        `mmzoo data fetch fsdd [--from DIR|ARCHIVE|URL]`

The zoo uses five of its speakers. A sixth (lucas) is kept for evaluation outside the project,
so a fetch keeps only the five, and checks them against the sha256 of their contents pinned
here (every file's name and sha256, in name order): GitHub's generated release archives are
not promised to be byte-stable, their files are.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from mmzoo.data import download, readers
from mmzoo.data.records import sha256_file
from mmzoo.errors import InvalidInputError
from mmzoo.paths import mmzoo_home

VERSION = "1.0.10"
URL = f"https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v{VERSION}.tar.gz"
SPEAKERS = ("george", "jackson", "nicolas", "theo", "yweweler")
RECORDINGS = 2500
RECORDINGS_SHA256 = "11110d6e58039066ecf4dc9ce1757ef101ff489d0a87a6525fac1d8eab60cd89"
FETCH_COMMAND = "mmzoo data fetch fsdd"
_CHECKOUT_COPY = Path(__file__).resolve().parents[3] / "shared" / "data" / "fsdd" / "recordings"


def fetched_dir(home=None) -> Path:
    return Path(home or mmzoo_home()) / "fsdd" / VERSION / "recordings"


def recordings_dir(required: bool = True) -> Path | None:
    """The folder of FSDD recordings: `$MMZOO_FSDD`, the fetched copy, or a checkout's shared
    copy. Absent: an error that says how to fetch it (or None, not `required`)."""
    if os.environ.get("MMZOO_FSDD"):
        folder = Path(os.environ["MMZOO_FSDD"]).expanduser()
        if not folder.is_dir():
            raise InvalidInputError(folder, "MMZOO_FSDD names no folder of FSDD recordings")
        return folder
    for folder in (fetched_dir(), _CHECKOUT_COPY):
        if folder.is_dir():
            return folder
    if required:
        raise InvalidInputError("FSDD", f"the recordings are not here: run `{FETCH_COMMAND}` (or set MMZOO_FSDD "
                                        "to a folder of them)")
    return None


def _is_kept(name: str) -> bool:
    """A recording of the five speakers: `{digit}_{speaker}_{index}.wav`."""
    match = readers.FSDD_FILENAME.match(name.rsplit("/", 1)[-1])
    return bool(match) and match["speaker"] in SPEAKERS


def contents_sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.wav")):
        digest.update(path.name.encode() + b"\0" + sha256_file(path).encode() + b"\n")
    return digest.hexdigest()


def fetch(source=None, home=None, progress: bool = True, expected_sha256: str = RECORDINGS_SHA256,
          force: bool = False) -> Path:
    """The five speakers' recordings of FSDD `VERSION` into `MMZOO_HOME`, from `source`: the
    release URL (default; `$MMZOO_FSDD_URL` names a mirror), another URL of its archive, a local
    archive, or a local folder (the release's, or its `recordings/`). All or nothing; a fetched
    copy is kept unless `force`."""
    final = fetched_dir(home)
    if final.is_dir() and not force:
        return final
    source = source or os.environ.get("MMZOO_FSDD_URL") or URL
    final.parent.mkdir(parents=True, exist_ok=True)
    archive = final.parent / f"fsdd-{VERSION}.tar.gz"
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=final.parent) as scratch:
        scratch = Path(scratch)
        if download.is_url(source):
            try:
                download.download(source, archive, progress, f"FSDD {VERSION}")
                found = _recordings_in_archive(archive, scratch)
            finally:
                archive.unlink(missing_ok=True)  # a partial download stays (.partial) and resumes
        elif Path(source).is_file():
            found = _recordings_in_archive(Path(source), scratch)
        elif Path(source).is_dir():
            folder = Path(source) / "recordings" if (Path(source) / "recordings").is_dir() else Path(source)
            found = sorted(path for path in folder.glob("*.wav") if _is_kept(path.name))
        else:
            raise InvalidInputError(source, "neither a URL, an archive nor a folder of FSDD recordings")
        if expected_sha256 == RECORDINGS_SHA256 and len(found) != RECORDINGS:
            raise InvalidInputError(source, f"{len(found)} recordings of {', '.join(SPEAKERS)}; FSDD {VERSION} has "
                                            f"{RECORDINGS}")
        staged = scratch / "recordings"
        staged.mkdir()
        for path in found:
            shutil.copyfile(path, staged / path.name)
        digest = contents_sha256(staged)
        if digest != expected_sha256:
            raise InvalidInputError(source, f"the recordings' sha256 is {digest}, not FSDD {VERSION}'s "
                                            f"{expected_sha256}")
        if force:  # only now: a failed fetch keeps the copy there was
            shutil.rmtree(final, ignore_errors=True)
        os.rename(staged, final)  # one rename within a folder: all or nothing
    return final


def _recordings_in_archive(archive: Path, scratch: Path) -> list[Path]:
    unpacked = download.unpack_tar(archive, scratch / "unpacked", lambda member: _is_kept(member.name))
    return sorted(unpacked.rglob("*.wav"))
