"""describe's layout: tabwriter alignment, maps, conditions and the Events history."""

from __future__ import annotations

from datetime import UTC, datetime

from karmadactl.describing import History, Writer, conditions, events, metadata, selector_text

NOW = datetime(2025, 1, 10, 12, 0, 0, tzinfo=UTC)


def test_consecutive_fields_align_and_titles_break_blocks() -> None:
    writer = Writer()
    writer.field(0, "Name", "nginx")
    writer.field(0, "Namespace", "default")
    writer.title(0, "Placement")
    writer.field(1, "Cluster Affinity", "clusters member1")
    writer.field(1, "Tolerations", [])
    writer.field(0, "Propagate Deps", False)
    assert writer.render().splitlines() == [
        "Name:       nginx",
        "Namespace:  default",
        "Placement:",
        "  Cluster Affinity:  clusters member1",
        "  Tolerations:       <none>",
        "Propagate Deps:      false",
    ]


def test_tables_align_on_their_own() -> None:
    writer = Writer()
    writer.field(0, "Binding", "web-deployment")
    writer.title(0, "Works")
    writer.table(1, ("Cluster", "Applied"), [("member1", "True")])
    writer.field(0, "Long field name here", "x")
    assert writer.render().splitlines() == [
        "Binding:  web-deployment",
        "Works:",
        "  Cluster  Applied",
        "  -------  -------",
        "  member1  True",
        "Long field name here:  x",
    ]


def test_metadata_block() -> None:
    writer = Writer()
    obj = {
        "metadata": {
            "name": "web",
            "namespace": "team",
            "labels": {"b": "2", "a": "1"},
            "annotations": {"long": "x" * 200},
            "creationTimestamp": "2025-01-10T11:55:00Z",
        }
    }
    metadata(writer, obj, NOW)
    lines = writer.render().splitlines()
    assert lines[:4] == [
        "Name:         web",
        "Namespace:    team",
        "Labels:       a=1",
        "              b=2",
    ]
    assert lines[4].startswith("Annotations:  long: xxx") and lines[4].endswith("...")
    assert lines[5] == "Created:      2025-01-10T11:55:00Z (5m ago)"


def test_events_are_conditions_oldest_first() -> None:
    writer = Writer()
    history = [
        History(
            "work/member1",
            {
                "type": "Applied",
                "status": "True",
                "reason": "AppliedSuccessful",
                "lastTransitionTime": "2025-01-10T11:59:00Z",
            },
        ),
        History(
            "resourcebinding/web",
            {
                "type": "Scheduled",
                "status": "False",
                "message": "no fit",
                "lastTransitionTime": "2025-01-10T11:58:00Z",
            },
        ),
    ]
    events(writer, history, NOW)
    assert writer.render().splitlines() == [
        "Events:",
        "  Type     Reason             Age  From                 Message",
        "  ----     ------             ---  ----                 -------",
        "  Warning  Scheduled          2m   resourcebinding/web  Scheduled=False: no fit",
        "  Normal   AppliedSuccessful  60s  work/member1         Applied=True",
    ]


def test_no_history_is_events_none() -> None:
    writer = Writer()
    events(writer, [], NOW)
    conditions(writer, [], NOW)
    assert writer.render().splitlines() == ["Events:      <none>", "Conditions:  <none>"]


def test_selector_text() -> None:
    selector = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["a", "b"]},
            {"key": "canary", "operator": "DoesNotExist"},
        ],
    }
    assert selector_text(selector) == "app=web,tier in (a,b),!canary"
    assert selector_text(None) == ""
