"""The toolkit's exceptions: one root, and the exit status each kind maps to."""

from __future__ import annotations


class AudiobookError(Exception):
    """Root of every error the toolkit raises on purpose."""

    exit_code = 2


class InputError(AudiobookError, ValueError):
    """Unusable input: a file that cannot be read, a manifest that does not validate.

    The message names the file (and line, where there is one) and says what to do.
    """

    exit_code = 2


class ManifestError(InputError):
    """A manifest that does not validate; carries one message per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class PresetNotMet(InputError):
    """A file the build wrote fails its preset even after the build corrected what it could (more
    headroom for the codec, the level again): the recordings cannot make it. The message names the
    file, what fails and what to do; the file is not left behind (exit status 2)."""


class CheckFailed(AudiobookError):
    """A check ran and something failed its limits (exit status 1)."""

    exit_code = 1
