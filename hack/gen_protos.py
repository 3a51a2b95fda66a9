"""Regenerates the committed Python stubs from protos/ and the vendored etcd protos.

Why a script and not `buf generate`: the stubs come from grpcio-tools' bundled
protoc (the version pinned in pyproject.toml, which must match the protobuf
runtime) plus mypy-protobuf for typed `.pyi` files, all offline. Output lands
next to the package named after the proto root, so `karmada.cluster.v1alpha1`
imports resolve with no rewriting.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import grpc_tools

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
ETCD = ROOT / "apiserver" / "storage" / "etcdpb"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", "_pb2_grpc.pyi")


def _protoc(include: pathlib.Path, files: list[pathlib.Path], out: pathlib.Path) -> None:
    wkt = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    plugin_dir = pathlib.Path(sys.executable).parent
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{include}",
        f"-I{wkt}",
        f"--plugin=protoc-gen-mypy={plugin_dir / 'protoc-gen-mypy'}",
        f"--plugin=protoc-gen-mypy_grpc={plugin_dir / 'protoc-gen-mypy_grpc'}",
        f"--python_out={out}",
        f"--grpc_python_out={out}",
        f"--mypy_out={out}",
        f"--mypy_grpc_out={out}",
        *[str(f.relative_to(include)) for f in files],
    ]
    subprocess.run(cmd, check=True)


def _clean(tree: pathlib.Path) -> None:
    for path in tree.rglob("*"):
        if path.is_file() and path.name.endswith(GENERATED_SUFFIXES):
            path.unlink()


def _ensure_packages(tree: pathlib.Path, stop: pathlib.Path) -> None:
    for pyfile in tree.rglob("*_pb2.py"):
        directory = pyfile.parent
        while directory != stop and directory.is_relative_to(stop):
            init = directory / "__init__.py"
            if not init.exists():
                init.write_text("")
            directory = directory.parent


def main() -> None:
    api_files = sorted(PROTOS.rglob("*.proto"))
    for sub in sorted({f.relative_to(PROTOS).parts[1] for f in api_files}):
        _clean(ROOT / "karmada" / sub)
    _protoc(PROTOS, api_files, ROOT)
    _ensure_packages(ROOT / "karmada", ROOT / "karmada")

    etcd_files = sorted(ETCD.glob("*.proto"))
    _clean(ETCD)
    _protoc(ROOT, etcd_files, ROOT)
    for pycache in ROOT.glob("karmada/**/__pycache__"):
        shutil.rmtree(pycache, ignore_errors=True)


if __name__ == "__main__":
    main()
