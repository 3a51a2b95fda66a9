"""Wires the scheduler process: options -> framework -> Scheduler, inside the shared lifecycle."""

from __future__ import annotations

import logging

from karmada.machinery import component
from karmada.machinery.client import Client
from scheduler.framework.registry import build
from scheduler.options import Options
from scheduler.scheduler import Scheduler

__all__ = ["run"]

log = logging.getLogger(__name__)


async def run(opts: Options) -> None:
    framework = build(opts.plugins)
    current: list[Scheduler] = []

    async def body(client: Client) -> None:
        scheduler = Scheduler(client, framework, workers=opts.workers)
        current[:] = [scheduler]
        try:
            await scheduler.run()
        finally:
            current.clear()

    def ready() -> list[str]:
        if current and not current[0].synced:
            return ["informers not synced"]
        return []

    await component.run(opts.common, component="karmada-scheduler", body=body, ready=ready)
