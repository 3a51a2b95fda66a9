"""Configuration from kubeconfig content, files and the registry's rebuild-on-change."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from karmada.member import ClientOptions, ConfigError, MemberClient, MemberClients
from karmada.member.config import digest, from_kubeconfig, from_kubeconfig_file


def kubeconfig(server: str = "http://127.0.0.1:1", token: str = "t0k3n") -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": "one", "cluster": {"server": server}},
                {"name": "two", "cluster": {"server": "http://127.0.0.2:2"}},
            ],
            "users": [{"name": "u", "user": {"token": token}}],
            "contexts": [
                {"name": "ctx-one", "context": {"cluster": "one", "user": "u"}},
                {"name": "ctx-two", "context": {"cluster": "two", "user": "u"}},
            ],
            "current-context": "ctx-one",
        }
    )


async def test_from_content_str_bytes_and_context() -> None:
    configuration = await from_kubeconfig(kubeconfig())
    assert configuration.host == "http://127.0.0.1:1"
    assert configuration.api_key["BearerToken"] == "Bearer t0k3n"
    configuration = await from_kubeconfig(kubeconfig().encode(), context="ctx-two")
    assert configuration.host == "http://127.0.0.2:2"
    configuration = await from_kubeconfig(yaml.safe_load(kubeconfig()))
    assert configuration.host == "http://127.0.0.1:1"


async def test_from_file(tmp_path: Path) -> None:
    path = tmp_path / "member1.kubeconfig"
    path.write_text(kubeconfig())
    configuration = await from_kubeconfig_file(path, context="ctx-two")
    assert configuration.host == "http://127.0.0.2:2"


@pytest.mark.parametrize(
    ("content", "context", "match"),
    [
        ("clusters: [", None, "not valid YAML"),
        ("- a list", None, "not a YAML mapping"),
        (kubeconfig(), "no-such-context", "unusable kubeconfig"),
        ("apiVersion: v1\nkind: Config\n", None, "unusable kubeconfig"),
    ],
)
async def test_bad_kubeconfig(content: str, context: str | None, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as caught:
        await from_kubeconfig(content, context=context, cluster="m1")
    assert caught.value.cluster == "m1"


async def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unusable kubeconfig"):
        await from_kubeconfig_file(tmp_path / "absent", cluster="m1")


def test_digest_changes_with_content_and_context() -> None:
    base = digest(kubeconfig())
    assert digest(kubeconfig()) == base
    assert digest(kubeconfig().encode()) == base
    assert digest(kubeconfig(token="rotated")) != base
    assert digest(kubeconfig(), context="ctx-two") != base


def test_options_are_validated() -> None:
    for bad in (
        {"timeout": 0},
        {"max_in_flight": 0},
        {"conflict_retries": 0},
        {"watch_timeout": 0},
        {"page_size": 0},
    ):
        with pytest.raises(ValueError):
            ClientOptions(**bad)  # type: ignore[arg-type]


async def test_registry_reuses_and_rebuilds_on_new_credentials() -> None:
    async with MemberClients(options=ClientOptions(timeout=1)) as clients:
        first = await clients.get("m1", kubeconfig())
        assert isinstance(first, MemberClient)
        assert first.options.timeout == 1
        assert await clients.get("m1", kubeconfig().encode()) is first
        assert clients.cached("m1") is first
        rotated = await clients.get("m1", kubeconfig(token="rotated"))
        assert rotated is not first
        assert first.closed and not rotated.closed
        other = await clients.get("m2", kubeconfig(), context="ctx-two")
        assert other.host == "http://127.0.0.2:2"
        assert clients.clusters() == ["m1", "m2"]
        await clients.remove("m2")
        assert other.closed and clients.cached("m2") is None
    assert rotated.closed


async def test_registry_surfaces_bad_credentials() -> None:
    async with MemberClients() as clients:
        with pytest.raises(ConfigError):
            await clients.get("m1", "- not a kubeconfig")
        assert clients.cached("m1") is None
