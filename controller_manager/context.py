"""What every controller is built from: the apiserver client, shared informers, member clients."""

from __future__ import annotations

from dataclasses import dataclass

from controller_manager.informers import InformerFactory
from controller_manager.members import Members
from controller_manager.options import Options
from karmada.machinery.client import Client

__all__ = ["ControllerContext"]


@dataclass(slots=True)
class ControllerContext:
    client: Client
    options: Options
    informers: InformerFactory
    members: Members
