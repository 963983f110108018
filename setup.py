"""Only what pyproject.toml cannot say: the build compiles the translation catalogues
(``vecinos/locale/*/LC_MESSAGES/*.po``) into the ``.mo`` files Django reads, so a wheel
or a plain ``pip install .`` serves every language without ``make`` or gettext
(Babel's compiler; fuzzy entries are left out, as msgfmt does)."""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for source in sorted(Path("vecinos").glob("locale/*/LC_MESSAGES/*.po")):
            target = Path(self.build_lib) / source.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as po:
                catalogue = read_po(po)
            with target.open("wb") as mo:
                write_mo(mo, catalogue)


setup(cmdclass={"build_py": BuildWithCatalogues})
