"""Who may reach the app, and what they may do there (issue 21).

The app listens on 127.0.0.1 (this machine only) unless it is started with another
address. Serving it to others is a choice made explicitly, in one of two modes:

- ``read-only``: the map, its filters, the event details, the downloads and the place
  lookup; no page that writes (no articles, imports, places, GeoNames layers).
- ``password``: every page, but the pages that write ask for a password first (kept in
  the environment, ``CONFLICTMAP_APP_PASSWORD``, never in a file the app serves).

Whatever the mode, the server answers only requests whose ``Host`` header names this
machine (or one of the names given with ``CONFLICTMAP_APP_HOSTS``), so a web page
elsewhere cannot reach it through DNS rebinding.

The policy is read from the environment so that ``conflictmap app`` (which sets it from
its options), ``make run`` and ``streamlit run app_server.py`` all mean the same thing:

>>> policy = AccessPolicy.from_env({"CONFLICTMAP_APP_MODE": "read-only"})
>>> policy.mode, policy.may_write
('read-only', False)
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from geo.errors import AppAccessError

MODE_ENV = "CONFLICTMAP_APP_MODE"
PASSWORD_ENV = "CONFLICTMAP_APP_PASSWORD"
HOSTS_ENV = "CONFLICTMAP_APP_HOSTS"
MODES = ("local", "read-only", "password")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
MIN_PASSWORD = 12  # characters: a short one is guessed over the network
UPLOAD_LIMIT_MB = 100  # .streamlit/config.toml's server.maxUploadSize: larger files go through the CLI


@dataclass(frozen=True)
class AccessPolicy:
    """How the app is served: ``mode`` (one of ``MODES``), the host names it answers to
    besides this machine's own, and the password of the pages that write (password mode)."""

    mode: str = "local"
    hosts: tuple[str, ...] = ()
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AccessPolicy:
        env = os.environ if env is None else env
        mode = (env.get(MODE_ENV) or "").strip().lower()
        password = env.get(PASSWORD_ENV) or None
        if not mode:
            mode = "password" if password else "local"
        hosts = tuple(h.strip().lower() for h in (env.get(HOSTS_ENV) or "").split(",") if h.strip())
        policy = cls(mode=mode, hosts=hosts, password=password)
        policy.validate()
        return policy

    def validate(self) -> None:
        if self.mode not in MODES:
            raise AppAccessError(f"Unknown app mode {self.mode!r} ({MODE_ENV}): choose one of {', '.join(MODES)}.")
        if self.mode == "password" and len(self.password or "") < MIN_PASSWORD:
            raise AppAccessError(
                f"The password mode needs a password of at least {MIN_PASSWORD} characters in {PASSWORD_ENV} "
                "(it guards the pages that write, over the network)."
            )

    @property
    def may_write(self) -> bool:
        """Whether any page that writes is offered (in password mode, behind the password)."""
        return self.mode != "read-only"

    @property
    def needs_password(self) -> bool:
        return self.mode == "password"

    def check_password(self, given: str) -> bool:
        """Whether ``given`` is the password (compared in constant time)."""
        return bool(self.password) and hmac.compare_digest(given.encode(), (self.password or "").encode())

    def check_address(self, address: str) -> None:
        """Refuse to listen beyond this machine unless a mode for serving others was chosen,
        with the host names the others will use."""
        if is_loopback(address):
            return
        if self.mode == "local":
            raise AppAccessError(
                f"The app would listen on {address or 'every interface'}, open to the network, with every page "
                "that writes. To serve it to others choose a mode: conflictmap app --host HOST --read-only "
                "(the map and downloads only), or --password (set CONFLICTMAP_APP_PASSWORD) for the pages that "
                "write. Or keep it on this machine: --host 127.0.0.1."
            )
        if not self.hosts and _any_address(address):
            raise AppAccessError(
                f"The app would listen on every interface ({address or '0.0.0.0'}): name the host names or "
                f"addresses others will use in their browser (--allowed-host map.example.org, or {HOSTS_ENV}); "
                "requests for any other Host are refused (DNS rebinding)."
            )

    def allowed_hosts(self, address: str) -> list[str]:
        """The ``Host`` header values the server answers (ports aside; an IPv6 literal is
        not matched, so reach the app by name or IPv4 address)."""
        hosts = [*LOCAL_HOSTS, *self.hosts]
        if address and not _any_address(address) and address.lower() not in hosts:
            hosts.append(address.lower())
        return hosts


def is_loopback(address: str | None) -> bool:
    """Whether ``address`` (a host name or IP; empty means every interface) is this machine only."""
    if not address:
        return False
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def _any_address(address: str | None) -> bool:
    return not address or address.strip("[]") in ("0.0.0.0", "::")


def host_middleware(policy: AccessPolicy, address: str) -> list:
    """The Starlette middleware that refuses requests for another ``Host`` (400)."""
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    return [Middleware(TrustedHostMiddleware, allowed_hosts=policy.allowed_hosts(address), www_redirect=False)]


__all__ = [
    "HOSTS_ENV",
    "MODES",
    "MODE_ENV",
    "PASSWORD_ENV",
    "UPLOAD_LIMIT_MB",
    "AccessPolicy",
    "host_middleware",
    "is_loopback",
]
