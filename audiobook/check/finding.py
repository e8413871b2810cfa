"""One finding of `check`: a file, what was checked, whether it passed, what was found against what
was asked, and what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Finding:
    file: str
    check: str
    passed: bool
    value: str
    limit: str
    message: str = ""

    def to_dict(self) -> dict:
        return {"file": self.file, "check": self.check, "passed": self.passed, "value": self.value,
                "limit": self.limit, "message": self.message}
