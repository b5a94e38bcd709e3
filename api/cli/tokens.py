"""`registry token`: development tokens signed with the configured key."""

from __future__ import annotations

import re
import sys

import click

from registry.common.actors import Role
from registry.settings import Settings

OFFICE_CODE = re.compile(r"^[0-9a-z][0-9a-z-]{1,63}$")
OFFICELESS_ROLES = ("supervisor", "auditor", "citizen", "operator")


@click.command()
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--subject", default=None, help="Who the token is for (not for citizens).")
@click.option(
    "--office", default="", help="Office, authority or department code (all but supervisor, auditor, citizen)."
)
@click.option("--hours", type=int, default=8, show_default=True, help="Lifetime (at most REGISTRY_TOKEN_MAX_HOURS).")
def token(role: str, subject: str | None, office: str, hours: int) -> None:
    """Mint a development token signed with the configured key.

    A citizen's identity number is read from standard input (never from the command line, where it would stay in
    the shell's history and the process list); only its keyed hash enters the token.
    """
    from api.auth import mint_token
    from registry.keys import Purpose

    settings = Settings.from_env()
    if not 1 <= hours <= settings.token_max_hours:
        raise click.UsageError(f"--hours must be between 1 and {settings.token_max_hours}")
    if office:
        _check_office(Role(role), office)
    if role == "citizen":
        subject = _citizen_subject(settings)
    if role not in OFFICELESS_ROLES and not office:
        raise click.UsageError(f"a {role} token needs --office")
    if not subject:
        raise click.UsageError("give --subject")
    signed = mint_token(
        settings.keys[Purpose.TOKEN], subject=subject, role=Role(role), office=office, ttl_seconds=hours * 3600
    )
    click.echo(signed)


def _citizen_subject(settings: Settings) -> str:
    """The keyed hash of the identity number read from standard input, checked as the API checks it."""
    from datetime import date

    from registry.common.errors import InvalidInput
    from registry.common.identity import RESIDENT_ID, validated_document_key
    from registry.common.ids import PersonKeys
    from registry.keys import Purpose

    number = _read_secret_line("the citizen's identity number")
    try:  # the same checks as the API: ASCII (full-width read as ASCII), format, division, check character
        key = validated_document_key(RESIDENT_ID, number, "CHN", today=date.today())
    except InvalidInput as error:
        failed = "; ".join(f"{failure.code}: {failure.detail}" for failure in error.failures)
        raise click.UsageError(f"not a valid resident identity number ({failed})") from None
    return PersonKeys(settings.keys[Purpose.PERSON_HASH]).ref(key)


def _check_office(role: Role, office: str) -> None:
    """A clerk's office is a registration office: a known division code and three digits (330782001); any other
    office, authority or department is a code of lower-case letters, digits and hyphens (330782-court)."""
    from registry.common.divisions import division_known

    if role == Role.CLERK:
        if not (len(office) == 9 and office.isascii() and office.isdigit() and division_known(office[:6])):
            raise click.BadParameter(
                f"unknown office {office[:40]!r}: a registration office is a known division code and three digits, "
                "e.g. 330782001",
                param_hint="--office",
            )
    elif not OFFICE_CODE.match(office):
        raise click.BadParameter(
            f"unknown office {office[:40]!r}: lower-case letters, digits and hyphens, e.g. 330782-court",
            param_hint="--office",
        )


def _read_secret_line(what: str) -> str:
    """One line from standard input; on a terminal, a prompt that does not echo."""
    if sys.stdin.isatty():
        text: str = click.prompt(what.capitalize(), hide_input=True)
        return text.strip()
    line = sys.stdin.readline().strip()
    if not line:
        raise click.UsageError(f"give {what} on standard input")
    return line
