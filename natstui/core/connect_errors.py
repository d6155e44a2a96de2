"""Turn the exceptions of a failed NATS connect into plain words: a kind, the cause and the fix.

nats-py surfaces failures as a mix of OSError subclasses, `ssl` errors, asyncio timeouts and
`nats.errors.Error` strings; this module is the one place that knows what each one means for an
operator. Nothing here ever includes a secret: messages are built from exception types, codes
and server/host names only.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit


class FailureKind(StrEnum):
    PROFILE = "profile"
    REFUSED = "refused"
    DNS = "dns"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    TLS_UNKNOWN_CA = "tls_unknown_ca"
    TLS_HOSTNAME = "tls_hostname"
    TLS_EXPIRED = "tls_expired"
    TLS_CLIENT_CERT = "tls_client_cert"
    TLS_OTHER = "tls"
    TLS_PLAINTEXT = "tls_plaintext"
    TLS_NOT_OFFERED = "tls_not_offered"
    AUTH = "auth"
    PERMISSION = "permission"
    PROTOCOL = "protocol"


@dataclass(frozen=True)
class Diagnosis:
    """What went wrong (`cause`) and what to do about it (`fix`), without a traceback."""

    kind: FailureKind
    cause: str
    fix: str


# OpenSSL X509 verify codes (x509_vfy.h) that we explain specifically.
_X509_EXPIRED = 10
_X509_NOT_YET_VALID = 9
_X509_HOSTNAME_MISMATCH = 62
_X509_UNKNOWN_CA = {2, 18, 19, 20, 21}
_UNREACHABLE_ERRNOS = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN}


def hostport(servers: tuple[str, ...] | list[str]) -> str:
    """`host:port` of the servers, joined, for messages (never user:password@)."""
    shown = []
    for url in servers:
        parts = urlsplit(url if "://" in url else f"nats://{url}")
        try:
            port = parts.port or 4222
        except ValueError:
            port = 4222
        shown.append(f"{parts.hostname}:{port}")
    return ", ".join(shown)


def classify(exc: BaseException, where: str, timeout: float) -> Diagnosis:
    """Explain one exception raised while connecting to `where` (host:port list)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _cert_verify(exc, where)
    if isinstance(exc, ssl.SSLError):
        return _ssl_error(exc, where)
    if isinstance(exc, socket.gaierror):
        return Diagnosis(
            FailureKind.DNS,
            f"cannot resolve the host name of {where}",
            "check the spelling of the host in the server URL, or your DNS / VPN",
        )
    if isinstance(exc, ConnectionRefusedError):
        return Diagnosis(
            FailureKind.REFUSED,
            f"connection refused by {where}: nothing is listening on that port",
            "check the port in the server URL and that nats-server is running there",
        )
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE_ERRNOS:
        return Diagnosis(
            FailureKind.UNREACHABLE,
            f"{where} is unreachable ({exc.strerror})",
            "check the address, your network route / VPN, and firewalls",
        )
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return timeout_diagnosis(where, timeout)
    return _nats_error(exc, where)


def timeout_diagnosis(where: str, timeout: float) -> Diagnosis:
    return Diagnosis(
        FailureKind.TIMEOUT,
        f"no answer from {where} within {timeout:g}s (host down, or a firewall drops packets)",
        "check the address and port, that the host is up, and firewalls in between; "
        "raise connect_timeout for a slow link",
    )


def _cert_verify(exc: ssl.SSLCertVerificationError, where: str) -> Diagnosis:
    code = getattr(exc, "verify_code", None)
    detail = getattr(exc, "verify_message", None) or "certificate verify failed"
    if code == _X509_EXPIRED:
        return Diagnosis(
            FailureKind.TLS_EXPIRED,
            f"the server certificate of {where} has expired",
            "renew the server certificate (or check this machine's clock)",
        )
    if code == _X509_NOT_YET_VALID:
        return Diagnosis(
            FailureKind.TLS_EXPIRED,
            f"the server certificate of {where} is not valid yet",
            "check this machine's clock, or the certificate's start date",
        )
    if code == _X509_HOSTNAME_MISMATCH:
        return Diagnosis(
            FailureKind.TLS_HOSTNAME,
            f"the server certificate of {where} is not valid for that host name ({detail})",
            "connect with a host name the certificate lists, or set tls.server_name",
        )
    if code in _X509_UNKNOWN_CA:
        return Diagnosis(
            FailureKind.TLS_UNKNOWN_CA,
            f"the server certificate of {where} is signed by an unknown CA ({detail})",
            "set tls.ca_file to the CA that signed the server certificate",
        )
    return Diagnosis(
        FailureKind.TLS_OTHER, f"TLS certificate check failed for {where}: {detail}", _TLS_FIX
    )


_TLS_FIX = "check the TLS settings of the profile against the server's tls block"
_CLIENT_CERT_REASONS = (
    "CERTIFICATE_REQUIRED",
    "BAD_CERTIFICATE",
    "HANDSHAKE_FAILURE",
    "UNKNOWN_CA",
    "CERTIFICATE_UNKNOWN",
)


def _ssl_error(exc: ssl.SSLError, where: str) -> Diagnosis:
    reason = str(getattr(exc, "reason", "") or "")
    if "ALERT" in reason and any(r in reason for r in _CLIENT_CERT_REASONS):
        return client_cert_diagnosis(where)
    if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"):
        return Diagnosis(
            FailureKind.TLS_OTHER,
            f"{where} did not answer with TLS ({reason.lower().replace('_', ' ')})",
            "the server may want plain NATS first: turn off tls.handshake_first, "
            "or check that this is a NATS TLS port",
        )
    return Diagnosis(
        FailureKind.TLS_OTHER, f"TLS handshake with {where} failed: {reason}", _TLS_FIX
    )


def client_cert_diagnosis(where: str) -> Diagnosis:
    return Diagnosis(
        FailureKind.TLS_CLIENT_CERT,
        f"{where} requires a client certificate (mutual TLS) and rejected ours or got none",
        "set tls.cert_file and tls.key_file to a client certificate the server's CA signed",
    )


def _nats_error(exc: BaseException, where: str) -> Diagnosis:
    text = str(exc).strip().removeprefix("nats: ").strip("'\" ")
    lower = text.lower()
    name = type(exc).__name__
    if "authorization" in lower or "authentication" in lower or name == "AuthorizationError":
        return Diagnosis(
            FailureKind.AUTH,
            f"{where} rejected the credentials (authorization violation)",
            "check the user/password, token, nkey or creds of the profile (and that the "
            "referenced env vars and files hold the right values)",
        )
    if "user authentication expired" in lower or "expired" in lower:
        return Diagnosis(
            FailureKind.AUTH,
            f"{where} says the user credentials have expired",
            "get a fresh creds file / JWT",
        )
    if "permissions violation" in lower:
        return Diagnosis(
            FailureKind.PERMISSION,
            f"permission violation: {text}",
            "ask for the permission, or use a user that has it",
        )
    if "tls" in lower and "required" in lower:
        return Diagnosis(FailureKind.TLS_OTHER, f"{where}: {text}", "enable TLS in the profile")
    if name in ("UnexpectedEOF", "ConnectionClosedError", "IncompleteReadError"):
        return Diagnosis(
            FailureKind.PROTOCOL,
            f"{where} closed the connection during the handshake",
            "the server may require TLS, a client certificate or TLS handshake-first; "
            "run doctor to see which",
        )
    return Diagnosis(FailureKind.PROTOCOL, f"{where}: {text or name}", _TLS_FIX_GENERIC)


_TLS_FIX_GENERIC = "run doctor (d) for a step-by-step check"


def permission_diagnosis(inbox_prefix: str) -> Diagnosis:
    """The user may not subscribe to its inbox: requests, scatter-gather and $SYS all fail."""
    return Diagnosis(
        FailureKind.PERMISSION,
        f"permission violation: the user may not subscribe to {inbox_prefix}.> "
        "(needed for requests, replies and monitoring)",
        f"grant the user subscribe permission on {inbox_prefix}.>, or set the profile's "
        "inbox_prefix to a prefix the user may subscribe to",
    )


def pick_cause(errors: list[BaseException]) -> BaseException | None:
    """The most telling of several errors: TLS/auth beat refused, which beats a timeout."""
    if not errors:
        return None
    rank = [
        ssl.SSLError,
        socket.gaierror,
        ConnectionRefusedError,
        OSError,
    ]
    for kind in rank:
        for exc in reversed(errors):
            if isinstance(exc, kind) and not isinstance(exc, TimeoutError):
                return exc
    for exc in reversed(errors):
        if not isinstance(exc, TimeoutError | asyncio.TimeoutError) and type(exc).__name__ not in (
            "NoServersError",
        ):
            return exc
    return errors[-1]
