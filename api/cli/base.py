"""What every `registry` command shares: the root group, one-line failures, settings checked against the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import click

from registry.keys import SettingsError
from registry.settings import Settings

if TYPE_CHECKING:
    from projections.catalog import ReadSide
    from registry.system import Registry


class RegistryCommand(click.Group):
    """Settings that cannot be used are a usage error of one line (exit code 2); a store that cannot be used is one
    line naming the cause and the fix (exit code 1). Never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from registry.adapters.faults import store_fault, store_not_migrated
        from registry.adapters.store_check import MIGRATE, StoreProblem

        try:
            return super().invoke(ctx)
        except SettingsError as error:
            raise click.UsageError(str(error)) from None
        except StoreProblem as error:
            fail(str(error))
        except Exception as error:
            if not store_fault(error):
                raise
            if store_not_migrated(error):
                fail(f"the store is not migrated: {MIGRATE}")
            fail(f"the store failed ({type(error).__name__}: {first_line(error)}); try again when it is back")


def fail(message: str) -> NoReturn:
    """One line on standard error, exit code 1."""
    click.echo(f"registry: {message}", err=True)
    raise SystemExit(1)


def first_line(error: BaseException) -> str:
    """The first line of an error's message (its class name when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def checked_settings(*, migrated: bool = True) -> Settings:
    """The settings, once the store they name answers (and is migrated): StoreProblem otherwise."""
    from registry.adapters.store_check import check_store

    settings = Settings.from_env()
    check_store(settings, migrated=migrated)
    return settings


@contextmanager
def opened_read_side(settings: Settings) -> Iterator[tuple[Registry, ReadSide]]:
    """The registry and its read side, closed (read side first) however the command ends."""
    from projections.catalog import ReadSide
    from registry.system import open_registry

    registry = open_registry(settings)
    read_side = ReadSide(registry)
    try:
        yield registry, read_side
    finally:
        read_side.close()
        registry.close()
