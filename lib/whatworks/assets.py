"""Where whatworks finds its templates, page templates, guide and demo specs.

An installed wheel carries them inside the package (``whatworks/assets/``,
copied there when the wheel is built); a checkout installed with ``-e``
reads them from the checkout's own folders, so an edit shows at once. Two
environment variables point elsewhere:

- ``WHATWORKS_HOME``: a folder laid out like the checkout (``notebooks/``,
  ``templates/``, ``docs/``, ``evaluations/``, ``data/demo/``);
- ``WHATWORKS_TEMPLATES``: a force's own folder of template notebooks,
  used instead of the shipped ones.

Examples
--------
>>> (notebooks() / "before-after.ipynb").is_file()
True
>>> (page_templates() / "report.css").is_file()
True
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = ["root", "notebooks", "page_templates", "guide", "demo_specs", "checkout"]

#: The folders (and one file) a run needs, as laid out in the checkout; the
#: wheel carries the same layout under ``whatworks/assets/``.
SHIPPED: tuple[str, ...] = ("notebooks", "templates", "docs/evaluation-guide.md", "evaluations", "data/demo")


def checkout() -> Path | None:
    """The source checkout this package runs from, if it does (an editable install)."""
    top = Path(__file__).resolve().parents[2]
    return top if (top / "pyproject.toml").is_file() and (top / "notebooks").is_dir() else None


def root() -> Path:
    """The folder holding ``notebooks/``, ``templates/``, ``docs/``, ``evaluations/`` and ``data/demo/``."""
    env = os.environ.get("WHATWORKS_HOME")
    if env:
        return Path(env).resolve()
    packaged = Path(str(resources.files("whatworks") / "assets"))
    if (packaged / "notebooks").is_dir():
        return packaged
    top = checkout()
    if top is None:
        raise FileNotFoundError("whatworks cannot find its templates: reinstall it, or set WHATWORKS_HOME")
    return top


def notebooks() -> Path:
    """The template notebooks (``WHATWORKS_TEMPLATES`` overrides)."""
    env = os.environ.get("WHATWORKS_TEMPLATES")
    return Path(env).resolve() if env else root() / "notebooks"


def page_templates() -> Path:
    """The report, index and guide page templates, the stylesheet and the index script."""
    return root() / "templates"


def guide() -> Path:
    """The officers' evaluation guide (markdown), published beside the reports."""
    return root() / "docs" / "evaluation-guide.md"


def demo_specs() -> Path:
    """The demo evaluation specs."""
    return root() / "evaluations"
