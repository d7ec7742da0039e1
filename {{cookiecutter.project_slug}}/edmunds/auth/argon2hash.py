"""Passwords' argon2 hashes, computed by the cryptography package.

Flask-Security hashes through libpass, whose argon2 handler parses, writes
and checks the ``$argon2id$v=19$m=...,t=...,p=...$salt$hash`` strings and
knows two engines to compute them: argon2-cffi, which comes with its
bindings and cffi (three packages), or a pure-Python one that is far too
slow to be safe. The handler below is libpass's own, given a third engine:
OpenSSL's Argon2 through ``cryptography`` (two packages, with cffi). The
strings stay the same, so hashes written by argon2-cffi still verify and
ours verify there.
"""

from passlib.handlers import argon2 as libpass_argon2
from passlib.registry import register_crypt_handler
from passlib.utils import handlers, to_bytes


class _CryptographyEngine(libpass_argon2._Argon2Common):
    """What libpass calls a backend: its ``_calc_checksum`` computes the raw
    hash from the parsed settings, libpass does the rest."""

    @classmethod
    def _load_backend_mixin(mixin_cls, name, dryrun):
        # libpass asks at the first hash. (Flask-Security's passlib.totp
        # imports cryptography's ciphers at boot already, when installed.)
        try:
            from cryptography.hazmat.primitives.kdf import argon2
        except ImportError:
            return False
        mixin_cls._backend_type_map = {
            libpass_argon2.TYPE_ID: argon2.Argon2id,
            libpass_argon2.TYPE_I: argon2.Argon2i,
            libpass_argon2.TYPE_D: argon2.Argon2d,
        }
        # OpenSSL computes version 1.3 (0x13) only, the one every library
        # has written since 2016.
        mixin_cls.version = mixin_cls.max_version = 0x13
        return mixin_cls._finalize_backend_mixin(name, dryrun)

    def _calc_checksum(self, secret):
        handlers.validate_secret(secret)
        if self.version != 0x13:
            raise ValueError(f"argon2 version 0x{self.version:X} is not supported")
        kdf = self._get_backend_type(self.type)(
            salt=self.salt,
            length=self.checksum_size,
            iterations=self.rounds,
            lanes=self.parallelism,
            memory_cost=self.memory_cost,
            ad=self.data or None,
        )
        return kdf.derive(to_bytes(secret, "utf-8"))


class argon2(libpass_argon2._NoBackend, libpass_argon2._Argon2Common):
    """libpass's ``argon2`` handler, name and format unchanged, on the
    engine above. libpass puts the engine in place of ``_NoBackend`` among
    this class's bases once a hash is asked for."""

    backends = ("cryptography",)
    _backend_mixin_target = True
    _backend_mixin_map = {
        None: libpass_argon2._NoBackend,
        "cryptography": _CryptographyEngine,
    }
    _no_backend_suggestion = " -- install the cryptography package"


def use_cryptography_for_argon2():
    """Makes the scheme named ``argon2`` this handler for every CryptContext
    made from now on in this process (Flask-Security makes its own from the
    name in SECURITY_PASSWORD_HASH)."""
    register_crypt_handler(argon2, force=True)
