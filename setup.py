"""The packaging step: the wheel carries the engine's theme, its guides and the example project as package data.

This repository keeps one copy of each: `templates/` is the default theme, and the GLM-Image project
at the top level (project.yaml, content/, briefs/) is the example `briefwright init --example` copies.
`docs/` holds the guides `briefwright docs` shows. The build copies them into the package
(briefwright/default_theme, briefwright/docs, briefwright/examples/glm-image);
a checkout run from source finds them where they are (see briefwright/resources.py).
Everything else about the package is declared in pyproject.toml.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildWithTheme(build_py):
    def run(self):
        super().run()
        package = Path(self.build_lib) / "briefwright"
        for source, target in ((HERE / "templates", package / "default_theme"), (HERE / "docs", package / "docs")):
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=IGNORE)
        example = package / "examples" / "glm-image"
        shutil.rmtree(example, ignore_errors=True)
        example.mkdir(parents=True)
        shutil.copy2(HERE / "project.yaml", example / "project.yaml")
        for folder in ("content", "briefs", "translations"):  # not editions: their files are rebuilt from git
            shutil.copytree(HERE / folder, example / folder, ignore=IGNORE)


setup(cmdclass={"build_py": BuildWithTheme})
