"""Operator mode for local servers: an operator, APP and SYS accounts and users, as signed JWTs.

`operator_mode()` returns the config block for `start_nats(auth_config=...)` (operator JWT,
system account, MEMORY resolver with both accounts preloaded) and a user JWT + seed per account,
so tests can exercise creds / JWT authentication against a real server. The JWTs are NATS v2
claims signed with ed25519 nkeys (header `{"typ":"JWT","alg":"ed25519-nkey"}`).
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

UNLIMITED = {
    "subs": -1,
    "data": -1,
    "payload": -1,
    "imports": -1,
    "exports": -1,
    "wildcards": True,
    "conn": -1,
    "leaf": -1,
}
HEADER = {"typ": "JWT", "alg": "ed25519-nkey"}


@dataclass(frozen=True)
class Identity:
    """An nkey pair: its seed (secret) and public key."""

    seed: str
    public_key: str

    @classmethod
    def create(cls, prefix: int) -> Identity:
        seed = nkeys.encode_seed(os.urandom(32), prefix)
        return cls(seed.decode(), nkeys.from_seed(seed).public_key.decode())

    def sign(self, data: bytes) -> bytes:
        signature: bytes = nkeys.from_seed(self.seed.encode()).sign(data)
        return signature


@dataclass(frozen=True)
class UserCreds:
    """A user's JWT and seed; `creds_text()` is the content of a .creds file."""

    name: str
    jwt: str
    seed: str

    def creds_text(self) -> str:
        return (
            f"-----BEGIN NATS USER JWT-----\n{self.jwt}\n------END NATS USER JWT------\n\n"
            f"-----BEGIN USER NKEY SEED-----\n{self.seed}\n------END USER NKEY SEED------\n"
        )


@dataclass(frozen=True)
class OperatorMode:
    """Everything a test needs: the server block and one user per account."""

    auth_config: str
    app_account: str
    sys_account: str
    app_user: UserCreds
    sys_user: UserCreds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def encode_jwt(claims: dict[str, Any], issuer: Identity) -> str:
    """Sign `claims` (with iss, iat and jti filled in) as a NATS JWT."""
    body = {**claims, "iss": issuer.public_key, "iat": int(time.time())}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).digest()
    body["jti"] = base64.b32encode(digest).decode().rstrip("=")
    signing_input = f"{_b64(json.dumps(HEADER).encode())}.{_b64(json.dumps(body).encode())}"
    return f"{signing_input}.{_b64(issuer.sign(signing_input.encode()))}"


def _account_jwt(name: str, account: Identity, operator: Identity) -> str:
    nats = {"type": "account", "version": 2, "limits": UNLIMITED}
    return encode_jwt({"name": name, "sub": account.public_key, "nats": nats}, operator)


def issue_user(name: str, account: Identity) -> UserCreds:
    """A new user of `account` without limits."""
    user = Identity.create(nkeys.PREFIX_BYTE_USER)
    nats = {"type": "user", "version": 2, "pub": {}, "sub": {}, "subs": -1, "data": -1}
    nats["payload"] = -1
    jwt = encode_jwt({"name": name, "sub": user.public_key, "nats": nats}, account)
    return UserCreds(name, jwt, user.seed)


def operator_mode() -> OperatorMode:
    """A fresh operator with APP and SYS accounts, ready for `start_nats(auth_config=...)`."""
    operator = Identity.create(nkeys.PREFIX_BYTE_OPERATOR)
    app = Identity.create(nkeys.PREFIX_BYTE_ACCOUNT)
    sys = Identity.create(nkeys.PREFIX_BYTE_ACCOUNT)
    op_claims = {"type": "operator", "version": 2, "system_account": sys.public_key}
    op_jwt = encode_jwt(
        {"name": "natstui-test", "sub": operator.public_key, "nats": op_claims}, operator
    )
    config = "\n".join(
        [
            f"operator: {op_jwt}",
            f"system_account: {sys.public_key}",
            "resolver: MEMORY",
            "resolver_preload: {",
            f"  {app.public_key}: {_account_jwt('APP', app, operator)}",
            f"  {sys.public_key}: {_account_jwt('SYS', sys, operator)}",
            "}",
        ]
    )
    return OperatorMode(
        config, app.public_key, sys.public_key, issue_user("app", app), issue_user("sys", sys)
    )
