"""Fuzz natscli context files (`<nats config>/context/<name>.json`) through the importer.

Whatever a context file holds (not JSON, not an object, wrong types, odd URLs, `env://` and
`op://` references, partial TLS), `import_contexts` returns one `ImportedContext` per file with
either a profile or a one-line error naming the file; it never raises. Secrets taken from a
context (password, token, user JWT, seed) are hidden in the profile's repr.

Profile TOML files are fuzzed in tests/unit/test_config_fuzz.py and not repeated here.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from natstui.contexts import import_contexts

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
SECRET = "ctx-SECRET-8675309"
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=15)
URLS = st.sampled_from(
    [
        "nats://127.0.0.1:4222",
        "tls://a:1, nats://b:2",
        "nats://u:p@h:4222",
        "",
        ",,,",
        "http://x",
        "nats://[::1]:99999",
        "not a url",
        "nats://h:4222\n",
    ]
)
REFS = st.sampled_from(
    [SECRET, f"env://NATSTUI_FUZZ_{SECRET[-4:]}", "file:///nonexistent", "op://vault/x", ""]
)
CONTEXT = st.fixed_dictionaries(
    {},
    optional={
        "description": SCALARS,
        "url": URLS | SCALARS,
        "user": st.sampled_from(["app", ""]) | SCALARS,
        "password": REFS | SCALARS,
        "token": REFS | SCALARS,
        "creds": st.sampled_from(["~/x.creds", "file://~/y.creds", ""]) | SCALARS,
        "nkey": st.sampled_from(["~/k.nk", ""]) | SCALARS,
        "user_jwt": REFS | SCALARS,
        "user_seed": REFS | SCALARS,
        "cert": st.sampled_from(["c.pem", ""]) | SCALARS,
        "key": st.sampled_from(["k.pem", ""]) | SCALARS,
        "ca": st.sampled_from(["ca.pem", ""]) | SCALARS,
        "tls_first": SCALARS,
        "inbox_prefix": st.sampled_from(["_INBOX", "bad prefix", "a.>"]) | SCALARS,
        "socks_proxy": SCALARS,
        "jetstream_domain": SCALARS,
        "nsc": SCALARS,
    },
)
FILES = st.one_of(
    CONTEXT.map(lambda c: json.dumps(c).encode()),
    st.recursive(SCALARS, lambda i: st.lists(i, max_size=3), max_leaves=5).map(
        lambda v: json.dumps(v).encode()
    ),
    st.binary(max_size=80),
    CONTEXT.map(lambda c: json.dumps(c).encode()[:-3]),  # cut short
)
NAMES = st.sampled_from(["prod", "dev-eu", "a b", "..", "ctx.1", "é"])


@FUZZ
@given(st.dictionaries(NAMES, FILES, min_size=1, max_size=4))
def test_context_files_import_or_say_why(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "context"
        folder.mkdir()
        for name, data in files.items():
            (folder / f"{name}.json").write_bytes(data)
        (Path(tmp) / "context.txt").write_text("prod")
        imported = import_contexts(root=Path(tmp))
    assert sorted(i.name for i in imported) == sorted(files)
    for item in imported:
        assert (item.profile is None) != (item.error is None), item
        if item.error is not None:
            assert item.error and "\n" not in item.error
            continue
        profile = item.profile
        assert profile is not None and profile.servers
        shown = repr(profile) + str(profile) + " ".join(item.warnings)
        assert SECRET not in shown, "a context secret shows in a repr or warning"
