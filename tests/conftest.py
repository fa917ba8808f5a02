"""Shared fixtures: the real challenge clips, where present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_DEFAULT_NARW = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "narw"


def narw_path() -> Path:
    """Folder of the real clips: ``$WHALEFEAT_NARW_DATA`` or ``../shared/data/narw``."""
    return Path(os.environ.get("WHALEFEAT_NARW_DATA", _DEFAULT_NARW))


@pytest.fixture(scope="session")
def narw_dir() -> Path:
    """The real labelled clips (``train/`` + ``train.csv``); skips where absent."""
    path = narw_path()
    if not (path / "train.csv").is_file() or not (path / "train").is_dir():
        pytest.skip(
            f"real challenge clips not found at {path} "
            "(set WHALEFEAT_NARW_DATA to a folder holding train/ and train.csv)"
        )
    return path
