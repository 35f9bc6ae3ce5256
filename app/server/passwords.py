"""What a new password must be: not among the passwords attackers try first.

zxcvbn (Dropbox's estimator) scores a password against its frequency lists (the most common
passwords, English words, names, keyboard patterns, repeats, sequences, dates) and the user's
own email; a score under 2 means about a million guesses or fewer, so it is refused with the
estimator's own hint. The estimate runs on the first 64 characters: its cost grows with length.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from .envelope import APIError

MIN_SCORE = 2


def weak_reason(password: str, email: str = "") -> str | None:
    """Why the password is too easy to guess, or None when it is good enough."""
    inputs = [email, email.split("@")[0]] if email else []
    result = zxcvbn(password[:64], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    warning = (result.get("feedback") or {}).get("warning") or ""
    return warning.rstrip(".") or "It is too easy to guess"


def check_new_password(password: str, email: str = "", field: str = "password") -> None:
    """A 422 `weak_password` naming the field and the reason when the password is weak."""
    reason = weak_reason(password, email)
    if reason:
        raise APIError(422, "weak_password", f"{field}: this password is among the first an "
                       f"attacker tries ({reason}). Use a longer phrase of unusual words.")
