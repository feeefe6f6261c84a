"""The credential libraries behind the `Credentials` port of the administration use cases (domain/ports.py)."""

from __future__ import annotations

from api import auth
from api.passwords import guessable_for


class LibraryCredentials:
    """argon2 hashes passwords, zxcvbn knows the guessable ones, `secrets` mints API tokens (api/auth.py)."""

    def hash_password(self, password: str) -> str:
        return auth.hash_password(password)

    def is_guessable(self, password: str, *, username: str) -> bool:
        return guessable_for(username)(password)

    def new_api_token(self) -> tuple[str, str, str]:
        return auth.new_api_token()

    def new_activation_token(self) -> tuple[str, str]:
        return auth.new_activation_token()


CREDENTIALS = LibraryCredentials()
