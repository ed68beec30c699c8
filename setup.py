"""Build hook: the wheel carries the templates, page templates, guide and demos.

They live at the top of the repository (``notebooks/``, ``templates/``, ...),
where people edit them; building the wheel copies them into
``whatworks/assets/`` so an installed package needs no checkout. Everything
else is configured in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
SHIPPED = ("notebooks", "templates", "docs/evaluation-guide.md", "evaluations", "data/demo")
SKIP = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


class BuildWithAssets(build_py):
    """Copy the shipped folders into the built package (not for editable installs, which read the checkout)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "whatworks" / "assets"
        for name in SHIPPED:
            source = HERE / name
            if not source.exists():
                continue
            dest = target / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, dest, ignore=SKIP, dirs_exist_ok=True)
            else:
                shutil.copy2(source, dest)


setup(cmdclass={"build_py": BuildWithAssets})
