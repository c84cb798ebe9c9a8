"""Canary secrets and a scanner that finds them in the encodings a leak would take."""
import base64
import json
import uuid
from pathlib import Path


def canary(label):
    """A unique secret-looking value that nothing else contains."""
    return f"cnry{label}{uuid.uuid4().hex}"


def _stable_base64(raw, encode):
    """The part of `raw`'s base64 that is the same wherever `raw` sits in a longer text:
    one encoding per alignment, without the groups that mix in neighbouring bytes."""
    out = []
    for pad in range(3):
        text = encode(b"\0" * pad + raw).decode().rstrip("=")
        core = text[4 if pad else 0:len(text) - 4]
        if len(core) >= 16:
            out.append(core)
    return out


def forms(secret):
    """Plain, base64, base64url, hex and JSON-escaped forms of a secret (str or bytes), as bytes."""
    raw = secret if isinstance(secret, bytes) else secret.encode()
    found = {raw, raw.hex().encode(), raw.hex().upper().encode()}
    found.update(f.encode() for f in _stable_base64(raw, base64.b64encode))
    found.update(f.encode() for f in _stable_base64(raw, base64.urlsafe_b64encode))
    if isinstance(secret, str):
        found.add(json.dumps(secret)[1:-1].encode())
        found.add(json.dumps(secret, ensure_ascii=False)[1:-1].encode())
    return found


class Scanner:
    """Named secrets; `leaks(where, data)` lists which of them `data` holds, in which form."""

    def __init__(self):
        self.secrets = {}

    def add(self, name, secret):
        assert len(secret) >= 16, f"{name}: too short to be a canary"
        found = forms(secret)
        if isinstance(secret, str) and "\n" not in secret and len(secret) >= 32:
            # A message that cuts a value short (`prefix(40)`) still leaks it.
            found.update({secret[:24].encode(), secret[-24:].encode()})
        self.secrets[name] = found

    def leaks(self, where, data):
        data = data if isinstance(data, bytes) else data.encode(errors="replace")
        return [f"{name} in {where}" for name, variants in self.secrets.items() if any(v in data for v in variants)]

    def files(self, root, skip):
        """Every regular file under root except the paths in `skip` (and what is under them)."""
        skip = [Path(p).resolve() for p in skip]
        for path in sorted(Path(root).rglob("*")):
            real = path.resolve()
            if path.is_symlink() or not path.is_file() or any(real == s or s in real.parents for s in skip):
                continue
            yield path
