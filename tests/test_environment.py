"""Pinned dependencies: one universal lock, and environment.yml and pyproject.toml agree with it.

The lock resolves for Linux, Windows and macOS at once: lines that only one
platform or Python needs carry an environment marker, and every other line
holds for all of them.
"""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement

from conftest import ROOT

PLATFORMS = {
    "linux": {"sys_platform": "linux", "os_name": "posix", "platform_system": "Linux"},
    "windows": {"sys_platform": "win32", "os_name": "nt", "platform_system": "Windows"},
    "macos": {"sys_platform": "darwin", "os_name": "posix", "platform_system": "Darwin"},
}
PYTHON = {"python_version": "3.11", "python_full_version": "3.11.7", "implementation_name": "cpython",
          "platform_python_implementation": "CPython"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def _lock_lines() -> list[str]:
    return _lines((ROOT / "requirements.lock").read_text(encoding="utf-8"))


def _pins(platform: str) -> dict[str, str]:
    """The exact pins the lock gives one platform under Python 3.11."""
    pins: dict[str, str] = {}
    for line in _lock_lines():
        req = Requirement(line)
        spec = list(req.specifier)
        assert len(spec) == 1 and spec[0].operator == "==", f"requirements.lock: '{line}' is not an exact pin"
        if req.marker is None or req.marker.evaluate({**PYTHON, **PLATFORMS[platform]}):
            name = _norm(req.name)
            assert name not in pins, f"requirements.lock pins {req.name} twice for {platform}"
            pins[name] = spec[0].version
    return pins


def test_the_lock_is_universal() -> None:
    for line in _lock_lines():
        if ";" in line:
            Marker(line.split(";", 1)[1])  # parses
    linux, windows, macos = (_pins(p) for p in PLATFORMS)
    assert "colorama" in windows and "colorama" not in linux, "the lock does not resolve for Windows"
    assert "appnope" in macos and "appnope" not in linux, "the lock does not resolve for macOS"
    for core in ("pandas", "statsmodels", "papermill", "ipykernel", "matplotlib"):
        assert linux[core] == windows[core] == macos[core], f"{core} is pinned differently by platform"


def test_environment_yml_lists_the_same_lines_as_the_lock() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert sorted(pip) == sorted(_lock_lines())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert python == "python=3.11"
    assert not [d for d in env["dependencies"] if isinstance(d, str) and "[" in d], "platform selectors in conda deps"


def test_every_declared_dependency_is_pinned_inside_its_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    for platform in PLATFORMS:
        lock = _pins(platform)
        for spec in declared:
            req = Requirement(spec)
            if req.marker is not None and not req.marker.evaluate({**PYTHON, **PLATFORMS[platform]}):
                continue
            name = _norm(req.name)
            assert name in lock, f"{req.name} is not pinned in requirements.lock for {platform}"
            assert req.specifier.contains(lock[name]), f"{req.name}=={lock[name]} is outside {req.specifier}"
