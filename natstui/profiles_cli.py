"""`natstui profiles list | show | import-nats-contexts`: the profile store without the UI.

Output never contains a secret: inline secrets show as `******** (inline)`, references as the
variable name or file path they point to.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from natstui.config import ConfigError, LoadedConfig, config_path, load, save_profile
from natstui.contexts import ImportedContext, import_contexts
from natstui.core.profile import Auth, Profile, SecretRef
from natstui.profile_toml import KIND_SECRETS


def run_profiles(args: argparse.Namespace, out: TextIO) -> int:
    loaded = load(config_path(args.config))
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.command == "list":
        return _list(loaded, out, args.json)
    if args.command == "show":
        return _show(loaded, args.name, out, args.json)
    return _import(loaded, args.names, args.replace, out)


def _errors(loaded: LoadedConfig) -> int:
    for error in loaded.errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if loaded.errors else 0


def secret_text(ref: SecretRef) -> str | None:
    """How a secret is shown: a reference, or a mask for an inline value."""
    if ref.inline is not None:
        return "******** (inline)"
    if ref.env:
        return f"${ref.env}"
    if ref.file:
        return f"file {ref.file}"
    return None


def auth_summary(auth: Auth) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": auth.kind.value}
    if auth.user:
        data["user"] = auth.user
    for attr in KIND_SECRETS[auth.kind]:
        data[attr] = secret_text(getattr(auth, attr))
    return data


def profile_summary(profile: Profile) -> dict[str, Any]:
    """A JSON-able, secret-free view of a profile."""
    tls = profile.tls
    data: dict[str, Any] = {
        "name": profile.name,
        "description": profile.description,
        "servers": list(profile.servers),
        "auth": auth_summary(profile.auth),
        "tls": {
            "enabled": profile.tls_wanted,
            "ca_file": tls.ca_file,
            "cert_file": tls.cert_file,
            "key_file": tls.key_file,
            "verify": tls.verify,
            "handshake_first": tls.handshake_first,
            "server_name": tls.server_name,
        },
        "system_auth": auth_summary(profile.system_auth) if profile.system_auth else None,
        "monitor_urls": list(profile.monitor_urls),
        "connect_timeout": profile.connect_timeout,
        "inbox_prefix": profile.inbox_prefix,
        "subscriptions": list(profile.subscriptions),
    }
    return data


def _list(loaded: LoadedConfig, out: TextIO, as_json: bool) -> int:
    profiles = list(loaded.profiles.values())
    if as_json:
        json.dump([profile_summary(p) for p in profiles], out, indent=2)
        out.write("\n")
    elif not profiles:
        print(f"no profiles in {loaded.path}", file=out)
    else:
        rows = [
            (p.name, ", ".join(p.servers), p.auth.summary(), "tls" if p.tls_wanted else "plain")
            for p in profiles
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for row in rows:
            print(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + row[3], file=out
            )
    return _errors(loaded)


def _show(loaded: LoadedConfig, name: str, out: TextIO, as_json: bool) -> int:
    profile = loaded.get(name)
    if profile is None:
        _errors(loaded)
        print(f"error: no profile named {name!r} in {loaded.path}", file=sys.stderr)
        return 1
    summary = profile_summary(profile)
    if as_json:
        json.dump(summary, out, indent=2)
        out.write("\n")
        return 0
    for key, value in summary.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, False))
            print(f"{key}: {shown}", file=out)
        elif isinstance(value, list):
            print(f"{key}: {', '.join(value) or '-'}", file=out)
        else:
            print(f"{key}: {value}", file=out)
    return 0


def _import(loaded: LoadedConfig, names: list[str], replace: bool, out: TextIO) -> int:
    if loaded.errors:
        _errors(loaded)
        print("error: fix the profile file first; natstui will not overwrite it", file=sys.stderr)
        return 1
    results = import_contexts(names)
    if not results:
        print("no natscli contexts found", file=out)
        return 1 if names else 0
    failed = 0
    for result in results:
        failed += _import_one(loaded, result, replace, out)
    return 1 if failed else 0


def _import_one(loaded: LoadedConfig, result: ImportedContext, replace: bool, out: TextIO) -> int:
    if result.profile is None:
        print(f"{result.name}: not imported: {result.error}", file=out)
        return 1
    if result.name in loaded.profiles and not replace:
        print(f"{result.name}: skipped, a profile of that name exists (use --replace)", file=out)
        return 0
    try:
        save_profile(loaded.path, result.profile)
    except ConfigError as exc:
        print(f"{result.name}: not imported: {exc}", file=out)
        return 1
    print(f"{result.name}: imported ({result.profile.auth.summary()})", file=out)
    for warning in result.warnings:
        print(f"  warning: {warning}", file=out)
    return 0
