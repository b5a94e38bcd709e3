"""The registry command as the README documents it."""

import subprocess
import sys
from pathlib import Path

import jwt

from tests.conftest import TEST_KEYS


def test_registry_token_mints_a_token_signed_with_the_configured_key(tmp_path: Path) -> None:
    env = {**TEST_KEYS, "REGISTRY_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "api.cli", "token", "--role", "clerk", "--office", "330782001", "--subject", "c1"]
    minted = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.strip()
    claims = jwt.decode(minted, TEST_KEYS["REGISTRY_JWT_SECRET"], algorithms=["HS256"], issuer="civil-registry")
    assert (claims["sub"], claims["role"], claims["office"]) == ("c1", "clerk", "330782001")
