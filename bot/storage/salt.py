"""The salt for hashed ids, and the hashing itself: shared by both storage back ends, no SQL.

User and chat ids are kept only as HMAC-SHA256 hashes keyed with a salt (see the
privacy notes in bot/storage/sqlite.py and bot/storage/postgres.py). SQLite finds its
salt in PILKADA_BOT_SALT_FILE, PILKADA_BOT_SALT or `<database>.salt` (created once);
PostgreSQL needs PILKADA_BOT_SALT_FILE or PILKADA_BOT_SALT, the same on every replica.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from bot.storage.interface import StorageError

SALT_ENV = "PILKADA_BOT_SALT"
SALT_FILE_ENV = "PILKADA_BOT_SALT_FILE"
MIN_ENV_SALT_LENGTH = 16
_SALT_BYTES = 32
_HASH_HEX_CHARS = 32  # 128 bits of HMAC-SHA256: no collisions among any number of Telegram ids
_SALT_CHECK_MESSAGE = b"pilkada-bot salt check"


class IdHasher:
    """Salted hashes of user and chat ids (`kind` keeps the two apart: the tables cannot be joined on them)."""

    __slots__ = ("_salt",)

    def __init__(self, salt: bytes) -> None:
        self._salt = salt

    def _hash(self, kind: bytes, value: int) -> str:
        return hmac.new(self._salt, kind + b":" + str(value).encode(), hashlib.sha256).hexdigest()[:_HASH_HEX_CHARS]

    def user(self, user_id: int) -> str:
        return self._hash(b"user", user_id)

    def chat(self, chat_id: int) -> str:
        return self._hash(b"chat", chat_id)

    def check_value(self) -> str:
        """What the database keeps to recognise this salt again (meta 'salt_check')."""
        return hmac.new(self._salt, _SALT_CHECK_MESSAGE, hashlib.sha256).hexdigest()[:16]


def salt_from_environment(where: Path, environ: Mapping[str, str]) -> bytes | None:
    """The salt from PILKADA_BOT_SALT_FILE or PILKADA_BOT_SALT, None if neither is set."""
    if secrets_file := environ.get(SALT_FILE_ENV):
        path = Path(secrets_file)
        if not path.is_file():
            raise StorageError(where, f"{SALT_FILE_ENV} names {path}, which is not a readable file")
        return _read_salt(path, where)
    from_env = environ.get(SALT_ENV)
    if from_env is not None:
        if len(from_env) < MIN_ENV_SALT_LENGTH:
            raise StorageError(where, f"{SALT_ENV} must be at least {MIN_ENV_SALT_LENGTH} characters long")
        return from_env.encode("utf-8")
    return None


def salt_path(db_path: Path) -> Path:
    """Where the generated salt lives: `<database>.salt`, beside the database."""
    return db_path.with_name(db_path.name + ".salt")


def load_or_create_salt(db_path: Path, environ: Mapping[str, str] | None = None, *, may_create: bool = True) -> bytes:
    """The hashing salt: PILKADA_BOT_SALT if set, else `<db>.salt` (created once, mode 0600).

    `may_create=False` (the database already existed) refuses to make a new salt file:
    a new salt would not match the stored hashes, and the file would be in the way of
    the backup the operator must restore.

    Blocking file I/O; `Store.open` calls it in a worker thread.
    """
    env = os.environ if environ is None else environ
    from_env = salt_from_environment(db_path, env)
    if from_env is not None:
        return from_env
    path = salt_path(db_path)
    if path.exists():
        return _read_salt(path, db_path)
    if not may_create:
        raise StorageError(db_path, f"the salt file {path} is missing; restore it from a backup (or set {SALT_ENV})")
    _create_salt_file(path, db_path)
    # Read back, not the bytes just made: if another process created the file first,
    # its salt is the one both must use.
    return _read_salt(path, db_path)


def salt_warning(db_path: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """A warning for the operator when the salt is the generated file beside the database, else None.

    The hashes keep user ids out of sight of whoever sees the database alone (a copy,
    a backup, a staff export). Beside its salt they do not: Telegram ids are numbers
    small enough to try one by one, and a known id was found again in 5 s.
    """
    env = os.environ if environ is None else environ
    if env.get(SALT_FILE_ENV) or env.get(SALT_ENV) is not None:
        return None
    return (
        f"The salt for hashed user ids is {salt_path(db_path)}, beside the database: anyone with a copy of "
        f"the data folder can find a user's id again by trying ids. In production keep it elsewhere: move it "
        f"and set {SALT_FILE_ENV} to its new path (or set {SALT_ENV})"
    )


def _create_salt_file(path: Path, db_path: Path) -> None:
    """Create the salt file atomically, unless another process does first.

    The salt is written whole to a temporary file, which is then hard-linked to its
    name: a reader never sees an empty or partial file, and the link fails, instead
    of replacing it as a rename would, if another process got there first.
    """
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as file:
            os.fchmod(file.fileno(), 0o600)  # the umask may have removed bits, never added: be exact anyway
            file.write(secrets.token_bytes(_SALT_BYTES).hex() + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first
        except OSError:
            # A file system without hard links: exclusive create, then write (a reader
            # starting in between could still see it empty).
            with contextlib.suppress(FileExistsError):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="ascii") as file:
                    file.write(temporary.read_text(encoding="ascii"))
    except OSError as exc:
        raise StorageError(db_path, f"cannot create the salt file {path}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _read_salt(path: Path, db_path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        salt = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StorageError(db_path, f"cannot read the salt file {path}: {exc}") from exc
    if len(salt) < MIN_ENV_SALT_LENGTH:
        raise StorageError(db_path, f"the salt file {path} is too short; restore it from a backup")
    return salt
