"""Wires the controller-manager process: options -> context -> enabled controllers."""

from __future__ import annotations

import asyncio
import logging

from controller_manager.context import ControllerContext
from controller_manager.informers import InformerFactory
from controller_manager.members import Members
from controller_manager.options import Options
from controller_manager.registry import enabled, factory
from karmada.machinery import component
from karmada.machinery.client import Client
from karmada.member import ClientOptions

__all__ = ["run"]

log = logging.getLogger(__name__)


async def run(opts: Options) -> None:
    names = enabled(opts.controllers)
    current: list[InformerFactory] = []

    async def body(client: Client) -> None:
        informers = InformerFactory(client)
        members = Members(informers, options=ClientOptions(timeout=opts.member_timeout))
        ctx = ControllerContext(client=client, options=opts, informers=informers, members=members)
        controllers = [factory(name)(ctx) for name in names]
        current[:] = [informers]
        informers.start()
        log.info("Starting controllers", extra={"controllers": names})
        try:
            async with asyncio.TaskGroup() as group:
                for name, controller in zip(names, controllers, strict=True):
                    group.create_task(
                        controller.run(workers=opts.workers), name=f"controller:{name}"
                    )
        finally:
            current.clear()
            await informers.stop()
            await members.close()

    synced_once: list[bool] = []

    def ready() -> list[str]:
        # Ready once the first caches synced; informers added later (a kind a new policy
        # names) sync on their own without taking the process out of service.
        if not current or synced_once:
            return []
        if current[0].synced:
            synced_once.append(True)
            return []
        return ["informers not synced"]

    await component.run(opts.common, component="karmada-controller-manager", body=body, ready=ready)
