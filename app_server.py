"""Serve the app (``app.py``) warm: ``make run`` starts Streamlit on this file.

``streamlit run app_server.py`` serves ``app.py`` exactly as ``streamlit run app.py`` does,
but before the server takes its first visitor it imports what the Map page needs (folium,
streamlit-folium, the ``geo`` package: about a second and a half) and loads the gazetteer
and the stored events' columns and map files (``app_state.warm``). Without this the first
visit after every start waits for all of it. The index is never built here: when it is
missing or stale, the app builds it on the first visit, with a message, as before.

Who may reach it (``geo.app.access``): the server listens on 127.0.0.1 unless started with
another address, and then only in a mode for serving others (``CONFLICTMAP_APP_MODE``
read-only or password, which ``conflictmap app`` sets); it answers only requests whose
Host header names this machine or an allowed host (no DNS rebinding).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from streamlit import config as streamlit_config

from geo.app.access import AccessPolicy, host_middleware
from geo.errors import AppAccessError


@asynccontextmanager
async def warm_first(app):
    await asyncio.to_thread(_warm)
    yield


def _warm() -> None:
    # What the Map page imports, but not streamlit_folium itself: a component declared
    # outside a visit is never registered with the server, and its frame would not load.
    import branca.colormap  # noqa: F401
    import folium.plugins  # noqa: F401  (dozens of templates, compiled on import)
    import pandas  # noqa: F401

    import app_state

    # The caches are filled outside any visit: Streamlit would warn of that once a call.
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        app_state.warm()
    finally:
        quiet.setLevel(level)


def _policy_for(address: str) -> AccessPolicy:
    """The access policy, refusing to start (with the reason and the fix) when unsafe."""
    try:
        policy = AccessPolicy.from_env()
        policy.check_address(address)
    except AppAccessError as err:  # said plainly, without a traceback
        raise SystemExit(f"Error: {err}") from err
    return policy


ADDRESS = streamlit_config.get_option("server.address") or ""
app = st.App(Path(__file__).with_name("app.py"), lifespan=warm_first,
             middleware=host_middleware(_policy_for(ADDRESS), ADDRESS))  # fmt: skip
