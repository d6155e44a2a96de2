"""A throw-away CA for one run, with a server and a client certificate, written as PEM files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme

SERVER_NAMES = ("127.0.0.1", "localhost")
CLIENT_NAME = "natstui-client.localhost"


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the PEM files made for a run."""

    ca_file: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def make_tls_files(directory: Path) -> TlsFiles:
    """Create a CA, a server cert for 127.0.0.1/localhost and a client cert in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    # ECDSA keys: generating RSA keys costs a noticeable fraction of a second per run.
    ca = trustme.CA(key_type=trustme.KeyType.ECDSA)
    files = TlsFiles(
        ca_file=directory / "ca.pem",
        server_cert=directory / "server-cert.pem",
        server_key=directory / "server-key.pem",
        client_cert=directory / "client-cert.pem",
        client_key=directory / "client-key.pem",
    )
    ca.cert_pem.write_to_path(str(files.ca_file))
    _write_leaf(ca.issue_cert(*SERVER_NAMES), files.server_cert, files.server_key)
    _write_leaf(ca.issue_cert(CLIENT_NAME), files.client_cert, files.client_key)
    return files


def _write_leaf(cert: trustme.LeafCert, cert_path: Path, key_path: Path) -> None:
    cert.private_key_pem.write_to_path(str(key_path))
    cert_path.write_bytes(b"")
    for blob in cert.cert_chain_pems:
        blob.write_to_path(str(cert_path), append=True)
    key_path.chmod(0o600)
