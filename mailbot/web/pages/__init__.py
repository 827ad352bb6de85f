"""Every page module here exports ROUTES; the app mounts them all (a new page is a new module)."""

from __future__ import annotations

import importlib
import pkgutil

from starlette.routing import BaseRoute


def _collect() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        routes.extend(getattr(module, "ROUTES", ()))
    return routes


ROUTES = _collect()
