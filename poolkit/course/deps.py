"""The course layer's optional dependencies, and the error that names them.

``pip install poolkit`` installs the pooling library and numpy only; the teaching
modules also need the packages of the ``course`` extra (``pip install
"poolkit[course]"``). Every course module imports them inside :func:`requires`,
so a missing one gives an ``ImportError`` that names the package, the
module that needs it and the command that fixes it, instead of a bare
``No module named 'matplotlib'``::

    with requires("poolkit.course.plot"):
        import matplotlib.pyplot as plt

This module imports nothing but the standard library.
"""

from __future__ import annotations

import contextlib

__all__ = ["COURSE_PACKAGES", "INSTALL_HINT", "MissingCourseDependency", "requires"]

#: Import name -> distribution name of each package the course extra provides
#: (pyproject.toml's ``[project.optional-dependencies] course``; tests/test_package.py checks they agree).
COURSE_PACKAGES = {
    "matplotlib": "matplotlib",
    "ipywidgets": "ipywidgets",
    "IPython": "ipython",
    "PIL": "Pillow",
    "jupyterquiz": "jupyterquiz",
}

#: The command that installs the course layer's dependencies.
INSTALL_HINT = 'pip install "poolkit[course]"'


class MissingCourseDependency(ImportError):
    """A course module was imported (or called) without a package of the ``course`` extra.

    ``package`` is the missing distribution's name (e.g. ``"matplotlib"``).
    """

    def __init__(self, message: str, *, name: str | None = None, package: str | None = None):
        super().__init__(message, name=name)
        self.package = package


@contextlib.contextmanager
def requires(module: str):
    """Turn a missing course dependency, imported in the ``with`` block, into a clear ImportError.

    Parameters
    ----------
    module : str
        The course module (or function) that needs the imports, named in the message.

    Raises
    ------
    MissingCourseDependency
        When an import in the block fails because a package of :data:`COURSE_PACKAGES`
        is not installed. Any other error (and a missing package that is not a course
        dependency) passes through unchanged.

    Examples
    --------
    >>> import sys
    >>> saved = sys.modules.get("jupyterquiz")
    >>> sys.modules["jupyterquiz"] = None   # as if it were not installed
    >>> try:
    ...     with requires("poolkit.course.example"):
    ...         import jupyterquiz
    ... except ImportError as err:
    ...     print(err)
    poolkit.course.example needs jupyterquiz, which is not installed. The teaching modules need the 'course' extra: pip install "poolkit[course]"
    >>> if saved is None: del sys.modules["jupyterquiz"]
    ... else: sys.modules["jupyterquiz"] = saved
    """
    try:
        yield
    except MissingCourseDependency as err:
        # A course module imported by this one lacks a package: name the module the learner imported.
        raise MissingCourseDependency(_message(module, err.package), name=err.name,
                                      package=err.package) from err.__cause__
    except ModuleNotFoundError as err:
        top = (err.name or "").split(".")[0]
        if top not in COURSE_PACKAGES:
            raise
        raise MissingCourseDependency(_message(module, COURSE_PACKAGES[top]), name=err.name,
                                      package=COURSE_PACKAGES[top]) from err


def _message(module: str, package: str) -> str:
    return (f"{module} needs {package}, which is not installed. "
            f"The teaching modules need the 'course' extra: {INSTALL_HINT}")
