"""Who may reach the app (issue 21, 3): this machine by default; others only in a mode of
their own (read-only, or a password for the pages that write); the Host header checked;
an upload limit of our own; each session's map files under a name of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from geo.app.access import UPLOAD_LIMIT_MB, AccessPolicy, is_loopback
from geo.cli import main
from geo.errors import AppAccessError
from geo.export import appcache
from tests.browser import ROOT, free_port, streamlit_app

APP = str(ROOT / "app.py")
PASSWORD = "correct horse battery"


def test_the_app_listens_on_this_machine_with_our_upload_limit():
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"]["address"] == "127.0.0.1"
    assert settings["server"]["maxUploadSize"] == UPLOAD_LIMIT_MB < 200  # Streamlit's default is 200
    assert "--server.address 127.0.0.1" in (ROOT / "Makefile").read_text(encoding="utf-8")


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_mode(address):
    assert is_loopback(address)
    AccessPolicy().check_address(address)


@pytest.mark.parametrize("address", ["0.0.0.0", "", "192.168.1.5", "::", "map.example.org"])
def test_the_network_needs_a_mode(address):
    with pytest.raises(AppAccessError, match="open to the network, with every page that writes.*--read-only"):
        AccessPolicy().check_address(address)


def test_every_interface_needs_the_names_others_use():
    with pytest.raises(AppAccessError, match="name the host names or addresses others will use"):
        AccessPolicy(mode="read-only").check_address("0.0.0.0")
    AccessPolicy(mode="read-only", hosts=("map.example.org",)).check_address("0.0.0.0")
    AccessPolicy(mode="read-only").check_address("192.168.1.5")  # a named address is its own host


def test_modes_from_the_environment():
    assert AccessPolicy.from_env({}).mode == "local"
    read_only = AccessPolicy.from_env({"CONFLICTMAP_APP_MODE": "read-only", "CONFLICTMAP_APP_HOSTS": "A.org, b"})
    assert (read_only.may_write, read_only.hosts) == (False, ("a.org", "b"))
    locked = AccessPolicy.from_env({"CONFLICTMAP_APP_PASSWORD": PASSWORD})
    assert locked.needs_password and locked.check_password(PASSWORD) and not locked.check_password("guess")
    assert PASSWORD not in repr(locked)
    with pytest.raises(AppAccessError, match="at least 12 characters in CONFLICTMAP_APP_PASSWORD"):
        AccessPolicy.from_env({"CONFLICTMAP_APP_MODE": "password", "CONFLICTMAP_APP_PASSWORD": "short"})
    with pytest.raises(AppAccessError, match="Unknown app mode 'open'"):
        AccessPolicy.from_env({"CONFLICTMAP_APP_MODE": "open"})


def test_allowed_hosts_are_this_machine_and_the_named_ones():
    hosts = AccessPolicy(mode="read-only", hosts=("map.example.org",)).allowed_hosts("10.0.0.5")
    assert hosts == ["localhost", "127.0.0.1", "::1", "map.example.org", "10.0.0.5"]


def test_the_cli_refuses_the_network_without_a_mode():
    result = CliRunner().invoke(main, ["app", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: The app would listen on 0.0.0.0, open to the network")
    both = CliRunner().invoke(main, ["app", "--read-only", "--password"])
    assert both.exit_code == 2 and "Choose one mode" in both.output


def test_the_server_refuses_to_start_open_to_the_network(tmp_path):
    """`streamlit run app_server.py --server.address 0.0.0.0` with no mode: a message, no server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTMAP_APP_")}
    done = subprocess.run(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app_server.py"), "--server.address", "0.0.0.0",
         "--server.port", str(free_port()), "--server.headless", "true", "--server.fileWatcherType", "none"],
        env={**env, "CONFLICTMAP_STORE": str(tmp_path / "events.sqlite")}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "Error: The app would listen on 0.0.0.0, open to the network" in done.stdout + done.stderr


def _get(url: str, host: str) -> int:
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_the_host_header_is_checked(index_path, tmp_path):
    """DNS rebinding: a page of evil.example resolving to 127.0.0.1 must get nothing."""
    with streamlit_app({"CONFLICTMAP_INDEX": str(index_path), "CONFLICTMAP_STORE": str(tmp_path / "e.sqlite")}) as url:
        port = url.rsplit(":", 1)[1]
        assert _get(f"{url}/_stcore/health", f"127.0.0.1:{port}") == 200
        assert _get(f"{url}/_stcore/health", f"localhost:{port}") == 200
        assert _get(f"{url}/_stcore/health", f"evil.example:{port}") == 400
        assert _get(f"{url}/", "evil.example") == 400


# -- the app's pages in each mode -----------------------------------------------------------


def _app(monkeypatch, index_path, tmp_path, **env: str) -> AppTest:
    monkeypatch.setenv("CONFLICTMAP_INDEX", str(index_path))
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "events.sqlite"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def test_read_only_mode_offers_no_page_that_writes(monkeypatch, index_path, tmp_path):
    at = _app(monkeypatch, index_path, tmp_path, CONFLICTMAP_APP_MODE="read-only")
    for page in ("add_articles", "import_events", "add_place", "your_places"):
        with pytest.raises(ValueError, match=r"Known pages: \[.*map.py', .*lookup.py'\]"):
            at.switch_page(f"app_pages/{page}.py")
    at.switch_page("app_pages/lookup.py").run()
    assert not at.exception and at.text_input(key="place_query")


def test_password_mode_asks_before_a_page_that_writes(monkeypatch, index_path, tmp_path):
    at = _app(monkeypatch, index_path, tmp_path, CONFLICTMAP_APP_PASSWORD=PASSWORD)
    at.switch_page("app_pages/import_events.py").run()
    assert not at.get("file_uploader") and at.text_input(key="unlock_password")
    at.text_input(key="unlock_password").input("guess")
    at.button(key="unlock_submit").click().run()
    assert at.error[0].value == "Wrong password." and not at.get("file_uploader")
    at.text_input(key="unlock_password").input(PASSWORD)
    at.button(key="unlock_submit").click().run()
    assert not at.exception and at.get("file_uploader")
    at.switch_page("app_pages/lookup.py").run()  # reading never asks
    assert at.text_input(key="place_query")


# -- the map's files ----------------------------------------------------------------------------


def test_each_session_gets_its_map_files_under_a_name_of_its_own(tmp_path):
    folder = tmp_path / "map-cache"
    folder.mkdir()
    payload = folder / "store_abc-r1-events-x-v3.bin.gz"
    payload.write_bytes(b"gzip")
    (folder / "store_abc-store.json").write_text('{"path": "/home/me/events.sqlite"}')
    one, two = appcache.share(payload, folder, "tokenOne"), appcache.share(payload, folder, "tokenTwo")
    assert one.parent != two.parent and one.read_bytes() == b"gzip"
    served = appcache.shared_folder(folder)
    assert sorted(p.relative_to(served).as_posix() for p in served.rglob("*") if p.is_file()) == [
        "tokenOne/store_abc-r1-events-x-v3.bin.gz", "tokenTwo/store_abc-r1-events-x-v3.bin.gz"]  # no store path
    newer = folder / "store_abc-r2-events-x-v3.bin.gz"
    newer.write_bytes(b"newer")
    appcache.share(newer, folder, "tokenOne")
    assert [p.name for p in (served / "tokenOne").iterdir()] == [newer.name]  # the older version's link is gone
    with pytest.raises(ValueError, match="not a session token"):
        appcache.share(payload, folder, "../x")


def test_two_sessions_of_the_app_fetch_their_map_files_apart(monkeypatch, index_path, tmp_path, _private_data_dir):
    """The map page links the session's files into its own secret folder; nothing else of
    the cache (the columns, the note naming the store's path) is in the folder served."""
    from geo.export.datasets import import_file
    from geo.store import SQLiteStore

    csv_file = tmp_path / "a.csv"
    csv_file.write_text("event_id_cnty,event_date,event_type,latitude,longitude,notes\n"
                        "E1,2022-03-01,Battles,50.0,30.0,one\n", encoding="utf-8")  # fmt: skip
    import_file(csv_file, SQLiteStore(tmp_path / "events.sqlite"))
    one = _app(monkeypatch, index_path, tmp_path)
    two = _app(monkeypatch, index_path, tmp_path)
    tokens = [at.session_state["map_files_token"] for at in (one, two)]
    assert tokens[0] != tokens[1] and all(len(t) >= 24 for t in tokens)
    served = appcache.shared_folder(appcache.cache_folder(_private_data_dir))
    assert sorted(p.name for p in served.iterdir()) == sorted(tokens)
    for token in tokens:
        names = sorted(p.name for p in (served / token).iterdir())
        assert len(names) == 2 and names[0].startswith("basemap-") and "-events-" in names[1]
    assert not list(served.rglob("*.npz")) and not list(served.rglob("*-store.json"))
