"""`registry exchange`: follow the marriage exchange feeds of other provinces' registries."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import click

from registry.settings import Settings

if TYPE_CHECKING:
    from registry.exchange.follower import ExchangeFollower, PeerRound
    from registry.system import Registry


@click.group()
def exchange() -> None:
    """The marriage exchange with other provinces' registries."""


@exchange.command("follow")
@click.option("--once", is_flag=True, help="apply what the peers have now, then stop")
@click.option(
    "--wait", type=click.FloatRange(min=0, max=25), default=20.0, show_default=True,
    help="seconds a peer may hold each request until it has a new fact (long polling); 0: rounds every --every",
)  # fmt: skip
@click.option(
    "--every", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
    help="with --wait 0, seconds from the start of one round to the next; else how often a peer that does not "
    "hold requests is asked",
)  # fmt: skip
def exchange_follow(once: bool, wait: float, every: float) -> None:
    """Follow REGISTRY_EXCHANGE_PEERS: verify every page, apply each fact once, resume after a crash.

    Each peer is asked with a held request (--wait): it answers as soon as it has a fact this registry lacks, and is
    asked again at once, so a fact arrives one round trip after its source has it. A peer out of reach is backed off
    (1 s, doubling to 30 s). With --wait 0, every peer is asked in rounds that start every --every seconds: a fact
    then waits up to --every seconds plus one round.
    """
    from registry.exchange.follower import follow_every, follow_held, follow_round
    from registry.system import open_registry

    settings = Settings.from_env()
    registry = open_registry(settings)
    followers = _followers(registry, settings)
    stop = threading.Event()
    try:
        if once:
            raise SystemExit(1 if _report(follow_round(followers)) else 0)
        if wait > 0:
            follow_held(followers, wait, every, stop, on_round=_report)
        else:
            follow_every(followers, every, stop, on_round=_report)
    except KeyboardInterrupt:
        stop.set()
    finally:
        registry.close()


def _followers(registry: Registry, settings: Settings) -> list[ExchangeFollower]:
    """A follower for each peer with a feed to follow, fetching its pages over HTTP; a usage error if none can run."""
    from registry.adapters.http_pages import http_fetch
    from registry.exchange.follower import ExchangeFollower, peers_from

    followers = [
        ExchangeFollower(registry.exchange, peer, http_fetch, reader=settings.jurisdiction)
        for peer in peers_from(settings.exchange_peers)
        if peer.url
    ]
    if not followers:
        raise click.UsageError("no peers to follow: set REGISTRY_EXCHANGE_PEERS with each peer's url and token")
    if registry.exchange.federation is None:
        raise click.UsageError("the exchange needs REGISTRY_FEDERATION_KEY (the key the federated provinces share)")
    return followers


def _report(rounds: list[PeerRound]) -> bool:
    """Say what each peer brought; True if a peer was out of reach or a page or fact rejected."""
    failed = False
    for peer_round in rounds:
        jurisdiction = peer_round.follower.peer.jurisdiction
        if peer_round.applied is None:
            click.echo(f"{jurisdiction}: unreachable or failed (see the log)", err=True)
            failed = True
            continue
        if peer_round.follower.rejected:
            click.echo(f"{jurisdiction}: a page or fact was rejected (see the log)", err=True)
            failed = True
        if peer_round.applied:
            click.echo(f"{jurisdiction}: applied {peer_round.applied} facts")
    return failed
