"""Make NATS operator-mode identities in a test: operator, account and user nkeys and JWTs.

nkeys 0.2.1 has no key generation helper for users; a seed is 32 random bytes encoded with the
role's prefix. A NATS JWT is `base64url(header).base64url(claims).base64url(ed25519 signature)`
signed by the issuer's nkey; `jti` is the base32 SHA-256 of the claims without it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from dataclasses import dataclass
from typing import Any

import nkeys

HEADER = {"typ": "JWT", "alg": "ed25519-nkey"}
UNLIMITED = {"subs": -1, "data": -1, "payload": -1}


@dataclass(frozen=True)
class Identity:
    """One nkey: its seed (secret) and public key."""

    seed: bytes
    public: str

    @classmethod
    def new(cls, prefix: int) -> Identity:
        seed = nkeys.encode_seed(os.urandom(32), prefix)
        return cls(seed, nkeys.from_seed(seed).public_key.decode())

    def sign(self, data: bytes) -> bytes:
        return bytes(nkeys.from_seed(bytearray(self.seed)).sign(data))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def encode_jwt(issuer: Identity, subject: str, name: str, nats: dict[str, Any]) -> str:
    claims: dict[str, Any] = {
        "iat": int(time.time()),
        "iss": issuer.public,
        "name": name,
        "sub": subject,
        "nats": {"version": 2, **nats},
    }
    digest = hashlib.sha256(json.dumps(claims, sort_keys=True).encode()).digest()
    claims["jti"] = base64.b32encode(digest).decode().rstrip("=")
    head = _b64(json.dumps(HEADER).encode()) + "." + _b64(json.dumps(claims).encode())
    return head + "." + _b64(issuer.sign(head.encode()))


@dataclass(frozen=True)
class OperatorSetup:
    """A ready operator-mode setup: server config text and the user's JWT and seed."""

    server_config: str
    user_jwt: str
    user_seed: str

    def creds(self) -> str:
        return (
            "-----BEGIN NATS USER JWT-----\n"
            + self.user_jwt
            + "\n------END NATS USER JWT------\n\n"
            "-----BEGIN USER NKEY SEED-----\n"
            + self.user_seed
            + "\n------END USER NKEY SEED------\n"
        )


def operator_setup() -> OperatorSetup:
    """Operator + SYS account + APP account + one APP user, with a MEMORY resolver config."""
    operator = Identity.new(nkeys.PREFIX_BYTE_OPERATOR)
    sys_acc = Identity.new(nkeys.PREFIX_BYTE_ACCOUNT)
    app_acc = Identity.new(nkeys.PREFIX_BYTE_ACCOUNT)
    user = Identity.new(nkeys.PREFIX_BYTE_USER)
    op_jwt = encode_jwt(
        operator, operator.public, "OP", {"type": "operator", "system_account": sys_acc.public}
    )
    limits = {**UNLIMITED, "imports": -1, "exports": -1, "wildcards": True, "conn": -1, "leaf": -1}
    acc = {"type": "account", "limits": limits}
    sys_jwt = encode_jwt(operator, sys_acc.public, "SYS", acc)
    app_jwt = encode_jwt(operator, app_acc.public, "APP", acc)
    user_jwt = encode_jwt(
        app_acc, user.public, "alice", {"type": "user", "pub": {}, "sub": {}, **UNLIMITED}
    )
    config = "\n".join(
        [
            f"operator: {op_jwt}",
            f"system_account: {sys_acc.public}",
            "resolver: MEMORY",
            "resolver_preload: {",
            f"  {sys_acc.public}: {sys_jwt}",
            f"  {app_acc.public}: {app_jwt}",
            "}",
        ]
    )
    return OperatorSetup(config, user_jwt, user.seed.decode())
