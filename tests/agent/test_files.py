"""The agent's view of the person's files: the home folder and nothing outside it, files
received into Downloads under a hidden part name until whole, then under a free name."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.agent.files import FileRefused, HomeFiles


@pytest.fixture
def files(tmp_path: Path) -> HomeFiles:
    (tmp_path / "home").mkdir()
    return HomeFiles(tmp_path / "home")


@pytest.mark.parametrize("path", ["..", "../x", "/etc/passwd", "a/../../x", "nul\0byte"])
def test_paths_outside_the_home_are_refused(files: HomeFiles, path: str) -> None:
    with pytest.raises(FileRefused, match="home folder"):
        files.resolve(path)


def test_a_link_out_of_the_home_is_refused(files: HomeFiles, tmp_path: Path) -> None:
    (files.home / "out").symlink_to(tmp_path)
    with pytest.raises(FileRefused):
        files.send("out/anything", 0)
    assert files.resolve("") == files.home


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a\\b", "x\0y", "é" * 150])
def test_names_that_are_not_one_plain_name_are_refused(files: HomeFiles, name: str) -> None:
    with pytest.raises(FileRefused):
        files.receive(name, 1, "k" * 32)


def test_a_file_received_in_two_goes_lands_whole_under_a_free_name(files: HomeFiles) -> None:
    (files.downloads).mkdir()
    (files.downloads / "report.pdf").write_bytes(b"older")
    first = files.receive("report.pdf", 6, "a" * 32)
    first.write(0, b"abc")
    first.keep()  # the connection dropped
    again = files.receive("report.pdf", 6, "a" * 32)
    assert again.offset == 3
    with pytest.raises(FileRefused, match="out of order"):
        again.write(0, b"abc")
    again.write(3, b"def")
    assert again.complete and again.finish() == "Downloads/report (2).pdf"
    assert (files.downloads / "report (2).pdf").read_bytes() == b"abcdef"
    assert sorted(p.name for p in files.downloads.iterdir()) == ["report (2).pdf", "report.pdf"]


def test_a_listing_hides_parts_and_lists_folders_first(files: HomeFiles) -> None:
    (files.home / "b.txt").write_text("b")
    (files.home / "A folder").mkdir()
    files.receive("c.bin", 10, "b" * 32).keep()
    listing = files.listing("")
    assert [e.name for e in listing.entries] == ["A folder", "Downloads", "b.txt"]
    assert files.listing("b.txt").error == "That is a file, not a folder."
    assert files.listing("nowhere").error == "That folder is not there any more."
