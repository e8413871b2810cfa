"""Text as the narrator speaks it: the words a recogniser listens for, in reading order."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def spoken_words(text: str) -> list[str]:
    """'The "Friends" of the Soviet Union, 1936–37' → ['the', 'friends', 'of', 'the', 'soviet', 'union', '1936', '37'].
    Lower case; hyphenated words and numbers' separators split or joined as they are read."""
    text = text.translate(_QUOTES).lower()
    text = re.sub(r"(?<=\d)[,.](?=\d{3}\b)", "", text)  # 1,000 → 1000
    return [w.strip("'") for w in _TOKEN.findall(text) if w.strip("'")]
