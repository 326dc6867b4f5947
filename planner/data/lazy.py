"""Package re-exports imported on first use (PEP 562), so that importing one light module of a
part does not load every heavy library its siblings use (OR-Tools, statsmodels, matplotlib).

A package's `__init__` lists its public names in `__all__`, says which submodule provides each
(`lazy_exports`), and imports them under `if TYPE_CHECKING:` for the type checker; `from
planner.match import match` keeps working.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any


class _Package(types.ModuleType):
    """A package whose public name is also a submodule's (`planner.match.options.options`): when
    the import system binds the submodule on the package, the name keeps meaning the function, as
    it did when packages imported everything eagerly."""

    _lazy_names: frozenset[str] = frozenset()

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in self._lazy_names and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


def lazy_exports(package: str, where: dict[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: `where` maps each submodule to the names it provides."""
    module_of = {name: module for module, names in where.items() for name in names}
    pkg = sys.modules[package]
    pkg.__class__ = _Package
    pkg._lazy_names = frozenset(module_of)  # type: ignore[attr-defined]

    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(pkg, name, value)  # the next look-up is an ordinary attribute
        return value

    return __getattr__
