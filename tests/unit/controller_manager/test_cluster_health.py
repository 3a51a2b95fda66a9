"""Ready thresholds: a flip between True and not-True waits for its threshold; the rest do not."""

from __future__ import annotations

import math

import pytest

from controller_manager.controllers.cluster_health import Observation, ThresholdStore, adjust

SUCCESS = 30.0
FAILURE = 20.0


@pytest.mark.parametrize(
    ("saved", "observed", "current", "now", "expected"),
    [
        # First observation: published at once, remembered as held forever.
        (None, "False", "True", 100.0, (True, Observation("False", -math.inf))),
        (None, "True", None, 100.0, (True, Observation("True", -math.inf))),
        # No Ready condition yet: published at once.
        (Observation("True", 90.0), "False", None, 100.0, (True, Observation("False", 100.0))),
        # Same outcome as reported: nothing to wait for.
        (Observation("True", 0.0), "True", "True", 100.0, (True, Observation("True", 0.0))),
        (Observation("False", 0.0), "False", "False", 100.0, (True, Observation("False", 0.0))),
        # True -> False: the failure starts now; kept until the failure threshold.
        (Observation("True", 0.0), "False", "True", 100.0, (False, Observation("False", 100.0))),
        (Observation("False", 100.0), "False", "True", 119.0, (False, Observation("False", 100.0))),
        (Observation("False", 100.0), "False", "True", 120.0, (True, Observation("False", 100.0))),
        # False -> True: kept until the success threshold.
        (Observation("False", 0.0), "True", "False", 100.0, (False, Observation("True", 100.0))),
        (Observation("True", 100.0), "True", "False", 129.9, (False, Observation("True", 100.0))),
        (Observation("True", 100.0), "True", "False", 130.0, (True, Observation("True", 100.0))),
        # Unknown counts as not-True: Unknown -> True waits, Unknown -> False does not.
        (Observation("True", 100.0), "True", "Unknown", 110.0, (False, Observation("True", 100.0))),
        (
            Observation("False", 100.0),
            "False",
            "Unknown",
            100.0,
            (True, Observation("False", 100.0)),
        ),
        # A blip: healthy again before the threshold restarts the clock on the next failure.
        (Observation("False", 100.0), "True", "True", 105.0, (True, Observation("True", 105.0))),
    ],
)
def test_adjust(
    saved: Observation | None,
    observed: str,
    current: str | None,
    now: float,
    expected: tuple[bool, Observation],
) -> None:
    assert (
        adjust(
            saved,
            observed=observed,
            current=current,
            now=now,
            success_threshold=SUCCESS,
            failure_threshold=FAILURE,
        )
        == expected
    )


def test_zero_thresholds_publish_every_observation() -> None:
    store = ThresholdStore(success_threshold=0, failure_threshold=0)
    assert store.publish("a", observed="True", current=None, now=1.0)
    assert store.publish("a", observed="False", current="True", now=2.0)
    assert store.publish("a", observed="True", current="False", now=3.0)


def test_store_keeps_clusters_apart_and_forgets() -> None:
    store = ThresholdStore(success_threshold=SUCCESS, failure_threshold=FAILURE)
    assert store.publish("a", observed="True", current="True", now=0.0)
    assert store.publish("b", observed="True", current="True", now=0.0)
    assert not store.publish("a", observed="False", current="True", now=1.0)
    assert store.publish("b", observed="True", current="True", now=1.0)
    assert store.publish("a", observed="False", current="True", now=21.0)
    store.forget("a")
    # Forgotten: the next observation is a first one again.
    assert store.publish("a", observed="True", current="False", now=22.0)
