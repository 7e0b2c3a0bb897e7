"""`mmzoo data fetch fsdd`: a release archive from a URL (a local server here), an archive or a
folder; the five speakers kept, their contents checked, all or nothing."""

import io
import tarfile

import numpy as np
import pytest

from mmzoo import cli
from mmzoo.data import download, fsdd, preprocessing
from mmzoo.errors import InvalidInputError
from tests.local_http import serve_folder

NAMES = ("0_george_0.wav", "7_jackson_3.wav", "3_lucas_1.wav")  # lucas: the speaker kept out


def wav(seed):
    waveform = np.random.default_rng(seed).uniform(-0.5, 0.5, 800).astype("float32")
    return preprocessing.encode_wav(waveform, 8000).numpy()


def release_archive(path, extra=()):
    top = f"free-spoken-digit-dataset-{fsdd.VERSION}"
    with tarfile.open(path, "w:gz") as tar:
        for index, name in enumerate(NAMES):
            data = wav(index)
            member = tarfile.TarInfo(f"{top}/recordings/{name}")
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
        for member, data in extra:
            tar.addfile(member, io.BytesIO(data))
    return path


def kept_digest(tmp_path):
    folder = tmp_path / "expected"
    folder.mkdir()
    for index, name in enumerate(NAMES[:2]):
        (folder / name).write_bytes(wav(index))
    return fsdd.contents_sha256(folder)


def test_fetch_downloads_keeps_the_five_speakers_checks_and_resumes(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    release_archive(served / "fsdd.tar.gz")
    digest = kept_digest(tmp_path)
    home = tmp_path / "home"
    with serve_folder(served) as (url, handler):
        handler.cut_after = 300  # the first try drops the connection: the second resumes
        with pytest.raises(InvalidInputError, match="download failed.*run again to resume"):
            fsdd.fetch(f"{url}/fsdd.tar.gz", home=home, progress=False, expected_sha256=digest)
        assert not fsdd.fetched_dir(home).exists()
        folder = fsdd.fetch(f"{url}/fsdd.tar.gz", home=home, progress=False, expected_sha256=digest)
        assert handler.requests[-1][1] == "bytes=300-"
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES[:2])
    assert not list(folder.parent.glob("*.tar.gz*")) and not list(folder.parent.glob(".fetch-*"))


def test_fetch_refuses_other_contents_and_unsafe_archives_and_leaves_nothing(tmp_path):
    archive = release_archive(tmp_path / "fsdd.tar.gz")
    with pytest.raises(InvalidInputError, match="sha256 is .*, not FSDD"):
        fsdd.fetch(archive, home=tmp_path / "home", progress=False, expected_sha256="0" * 64)
    with pytest.raises(InvalidInputError, match="3 recordings|2 recordings"):
        fsdd.fetch(archive, home=tmp_path / "home", progress=False)  # the pinned release has 2500
    link = tarfile.TarInfo("free-spoken-digit-dataset/recordings/1_theo_0.wav")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    unsafe = release_archive(tmp_path / "unsafe.tar.gz", extra=[(link, b"")])
    with pytest.raises(InvalidInputError, match="unsafe member"):
        fsdd.fetch(unsafe, home=tmp_path / "home", progress=False, expected_sha256="0" * 64)
    (tmp_path / "broken.tar.gz").write_bytes(b"\x1f\x8b not gzip")
    with pytest.raises(InvalidInputError, match="not a readable .tar.gz"):
        fsdd.fetch(tmp_path / "broken.tar.gz", home=tmp_path / "home", progress=False)
    assert not list((tmp_path / "home").rglob("*.wav"))


def test_fetch_from_a_folder_and_the_cli(tmp_path, monkeypatch, capsys):
    source = tmp_path / "release" / "recordings"
    source.mkdir(parents=True)
    for index, name in enumerate(NAMES):
        (source / name).write_bytes(wav(index))
    digest = kept_digest(tmp_path)
    monkeypatch.setattr(fsdd, "RECORDINGS_SHA256", digest)
    monkeypatch.setattr(fsdd, "RECORDINGS", 2)
    monkeypatch.setattr(fsdd.fetch, "__defaults__", (None, True, digest, False))
    monkeypatch.setenv("MMZOO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MMZOO_FSDD", raising=False)
    assert cli.main(["data", "fetch", "fsdd", "--from", str(tmp_path / "release")]) == 0
    assert "2 recordings" in capsys.readouterr().out
    assert fsdd.recordings_dir() == fsdd.fetched_dir(tmp_path / "home")
    monkeypatch.setenv("MMZOO_FSDD", str(tmp_path / "nowhere"))
    with pytest.raises(InvalidInputError, match="MMZOO_FSDD names no folder"):
        fsdd.recordings_dir()
    assert cli.main(["data", "fetch", "fsdd", "--force", "--from", str(tmp_path / "nowhere")]) == 2
    assert "neither a URL, an archive nor a folder" in capsys.readouterr().err


def test_download_starts_again_when_the_partial_file_is_whole(tmp_path):
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / "file.bin").write_bytes(b"x" * 1000)
    target = tmp_path / "out" / "file.bin"
    target.parent.mkdir()
    target.with_name("file.bin.partial").write_bytes(b"y" * 1000)
    with serve_folder(tmp_path / "served") as (url, _):
        download.download(f"{url}/file.bin", target, progress=False)
        assert target.read_bytes() == b"x" * 1000
        with pytest.raises(InvalidInputError, match="HTTP 404"):
            download.download(f"{url}/missing.bin", tmp_path / "out" / "missing.bin", progress=False)
