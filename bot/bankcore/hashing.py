"""Salted PBKDF2 hashes for passwords and PINs, so the ledger never stores a secret in plaintext.

The encoded form ``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>`` carries its own parameters, so
the work factor can be raised later without invalidating stored hashes.
"""
from __future__ import annotations

import hashlib
import hmac
import os

ITERATIONS = 200_000
_SCHEME = "pbkdf2_sha256"


def hash_secret(secret: str, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, iterations)
    return f"{_SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, encoded: str | None) -> bool:
    """Constant-time check; a missing hash still costs one derivation so timing does not leak it."""
    if not encoded:
        hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), b"\0" * 16, ITERATIONS)
        return False
    scheme, iterations, salt_hex, digest_hex = encoded.split("$")
    if scheme != _SCHEME:
        return False
    digest = hashlib.pbkdf2_hmac(
        "sha256", secret.encode("utf-8"), bytes.fromhex(salt_hex), int(iterations)
    )
    return hmac.compare_digest(digest.hex(), digest_hex)
