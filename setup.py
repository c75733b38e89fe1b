"""The one packaging step pyproject.toml cannot declare: the example project `briefwright init --example` copies.

The example is the repository's own GLM-Image project at the top level (project.yaml, content/, briefs/,
translations/). The default theme (templates/) and the guides (docs/) are mapped into the wheel by pyproject.toml's
package-dir as data packages, with no copying; the top level cannot be mapped the same way, because a package's
folder ships every .py file in it (build.py, this file). So this step copies the example's folders into
briefwright/examples/glm-image; a checkout run from source finds all three where they are (briefwright/core/resources.py).
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildWithExample(build_py):
    def run(self):
        super().run()
        example = Path(self.build_lib) / "briefwright" / "examples" / "glm-image"
        shutil.rmtree(example, ignore_errors=True)
        example.mkdir(parents=True)
        shutil.copy2(HERE / "project.yaml", example / "project.yaml")
        for folder in ("content", "briefs", "translations"):  # not editions: their files are rebuilt from git
            shutil.copytree(HERE / folder, example / folder, ignore=IGNORE)


setup(cmdclass={"build_py": BuildWithExample})
