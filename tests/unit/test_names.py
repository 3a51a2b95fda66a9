"""Karmada's derived names."""

from __future__ import annotations

import pytest

from karmada.names import (
    binding_name,
    cluster_of_execution_space,
    execution_space,
    fnv32a,
    safe_encode,
    work_name,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"", 0x811C9DC5), (b"a", 0xE40C292C), (b"foobar", 0xBF9CF968)],
)
def test_fnv32a_matches_the_reference_vectors(data: bytes, expected: int) -> None:
    assert fnv32a(data) == expected


def test_safe_encode_uses_the_vowel_free_alphabet() -> None:
    # ord("0") = 48, 48 % 27 = 21 -> "4" (the alphabet skips vowels and 0, 1, 3)
    assert safe_encode("0123") == "4567"


def test_names() -> None:
    assert execution_space("member1") == "karmada-es-member1"
    assert cluster_of_execution_space("karmada-es-member1") == "member1"
    assert cluster_of_execution_space("default") == ""
    assert binding_name("nginx", "Deployment") == "nginx-deployment"
    assert binding_name("system:admin", "ClusterRole") == "system.admin-clusterrole"
    name = work_name("Deployment", "nginx", "default")
    assert name.startswith("nginx-")
    suffix = name.removeprefix("nginx-")
    assert suffix and set(suffix) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert work_name("Deployment", "nginx", "default") == name
    assert work_name("Deployment", "nginx", "other") != name
    assert work_name("ClusterRole", "admin") != work_name("ClusterRole", "admin", "x")
