"""`registry exchange`: follow the marriage exchange feeds of other provinces' registries."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from registry.settings import Settings

if TYPE_CHECKING:
    from registry.exchange.follower import ExchangeFollower
    from registry.system import Registry


@click.group()
def exchange() -> None:
    """The marriage exchange with other provinces' registries."""


@exchange.command("follow")
@click.option("--once", is_flag=True, help="apply what the peers have now, then stop")
@click.option("--every", type=click.FloatRange(min=0.1), default=5.0, show_default=True, help="seconds between rounds")
def exchange_follow(once: bool, every: float) -> None:
    """Follow REGISTRY_EXCHANGE_PEERS: verify every page, apply each fact once, resume after a crash."""
    from registry.system import open_registry

    settings = Settings.from_env()
    registry = open_registry(settings)
    followers = _followers(registry, settings)
    try:
        while True:
            failed = _follow_round(followers)
            if once:
                raise SystemExit(1 if failed else 0)
            time.sleep(every)
    except KeyboardInterrupt:
        pass
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


def _follow_round(followers: list[ExchangeFollower]) -> bool:
    """Each follower applies what its peer has now; True if a peer was out of reach or a page or fact rejected."""
    failed = False
    for follower in followers:
        try:
            applied = follower.follow_once()
        except OSError as error:  # a peer out of reach: try again next round
            click.echo(f"{follower.peer.jurisdiction}: unreachable ({type(error).__name__})", err=True)
            failed = True
            continue
        failed = failed or follower.rejected
        if follower.rejected:
            click.echo(f"{follower.peer.jurisdiction}: a page or fact was rejected (see the log)", err=True)
        if applied:
            click.echo(f"{follower.peer.jurisdiction}: applied {applied} facts")
    return failed
