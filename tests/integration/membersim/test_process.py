"""The simulator process: --config clusters, and credentials that survive a restart."""

# The generated models type every field Optional; these tests read them directly.
# mypy: disable-error-code="union-attr, index"

from __future__ import annotations

from pathlib import Path

import yaml
from kubernetes import client

from tests.integration.membersim.conftest import api_client
from tests.support.membersim import SimulatorProcess

CONFIG = """\
clusters:
  - name: east
    region: us-east-1
    zones: [us-east-1a, us-east-1b]
    provider: aws
    nodes: 2
    capacity: {cpu: "4", memory: 16Gi, pods: "50"}
"""


def test_config_file_and_restart(tmp_path: Path) -> None:
    config = tmp_path / "clusters.yaml"
    config.write_text(CONFIG)
    directory = tmp_path / "run"
    directory.mkdir()
    first = SimulatorProcess(directory, clusters="", extra_args=(f"--config={config}",), expected=1)
    first.start()
    try:
        assert list(first.urls) == ["east"]
        assert first.urls["east"].startswith("https://127.0.0.1:")
        with api_client(first.kubeconfig("east")) as api:
            nodes = client.CoreV1Api(api).list_node().items
        assert [n.metadata.name for n in nodes] == ["east-node-1", "east-node-2"]
        labels = nodes[1].metadata.labels
        assert labels["topology.kubernetes.io/region"] == "us-east-1"
        assert labels["topology.kubernetes.io/zone"] == "us-east-1b"
        assert nodes[0].spec.provider_id == "aws://east/east-node-1"
        assert nodes[0].status.capacity["pods"] == "50"
    finally:
        assert first.stop() == 0
    before = yaml.safe_load(first.kubeconfig("east").read_text())

    second = SimulatorProcess(
        directory, clusters="", extra_args=(f"--config={config}",), expected=1
    )
    second.start()
    try:
        after = yaml.safe_load(second.kubeconfig("east").read_text())
        assert after["users"] == before["users"]  # same token
        ca = "certificate-authority-data"
        assert after["clusters"][0]["cluster"][ca] == before["clusters"][0]["cluster"][ca]
        with api_client(second.kubeconfig("east")) as api:
            assert len(client.CoreV1Api(api).list_node().items) == 2
    finally:
        assert second.stop() == 0
