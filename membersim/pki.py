"""The simulator's TLS certificates: a CA, and a serving certificate it signs.

Token authentication needs TLS: client-go (so kubectl, and the Go tools
people point at a member) sends bearer tokens only over HTTPS, and drops
them silently on plain HTTP. So the simulator serves HTTPS, like every
real cluster, and its kubeconfigs carry the CA in
``certificate-authority-data``.

Keys are P-256 ECDSA, generated with the ``openssl`` command (a system
dependency the project already installs; no Python crypto package is
needed). The CA is kept beside the kubeconfigs and reused, so that
kubeconfigs written by an earlier run stay valid after a restart; the
serving certificate is issued afresh each start for the addresses served.
"""

from __future__ import annotations

import ipaddress
import subprocess
from dataclasses import dataclass
from pathlib import Path

_CURVE = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")


@dataclass(frozen=True, slots=True)
class Certificates:
    """Paths of the PEM files, and the CA's PEM for kubeconfigs."""

    ca_cert: Path
    cert: Path
    key: Path

    @property
    def ca_pem(self) -> bytes:
        return self.ca_cert.read_bytes()


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _subject_alt_names(hosts: list[str]) -> str:
    names = {"DNS:localhost", "IP:127.0.0.1"}
    for host in hosts:
        try:
            names.add(f"IP:{ipaddress.ip_address(host)}")
        except ValueError:
            names.add(f"DNS:{host}")
    return ",".join(sorted(names))


def issue(where: Path, hosts: list[str]) -> Certificates:
    """Make (or reuse) the CA in `where` and issue a serving certificate for `hosts`.

    Args:
        where: the directory holding the files (created, mode 0700).
        hosts: host names or IP addresses the certificate must be valid for
            (localhost and 127.0.0.1 are always included).
    """
    where.mkdir(parents=True, exist_ok=True)
    where.chmod(0o700)
    if not (where / "ca.crt").exists() or not (where / "ca.key").exists():
        _openssl(
            "req",
            "-x509",
            *_CURVE,
            "-days",
            "3650",
            "-subj",
            "/CN=membersim-ca",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            cwd=where,
        )
    (where / "server.ext").write_text(
        f"subjectAltName={_subject_alt_names(hosts)}\n"
        "extendedKeyUsage=serverAuth\n"
        "keyUsage=critical,digitalSignature\n"
        "basicConstraints=CA:FALSE\n"
    )
    _openssl(
        "req",
        *_CURVE,
        "-subj",
        "/CN=membersim",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        cwd=where,
    )
    _openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "825",
        "-extfile",
        "server.ext",
        "-out",
        "server.crt",
        cwd=where,
    )
    return Certificates(
        ca_cert=where / "ca.crt", cert=where / "server.crt", key=where / "server.key"
    )
