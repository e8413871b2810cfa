"""Pronunciations for words the recogniser's dictionary lacks, from espeak-ng's phonemes.

The acoustic model knows the CMU dictionary's words; a book also holds names, archaic and
foreign words and numbers ("Thermidor", "churl", "1936"). espeak-ng (the library and its
data ship in the `espeakng-loader` wheel) spells any of them in IPA, which maps onto the
model's ARPAbet phones closely enough to align and spot them.
"""

from __future__ import annotations

import ctypes
import threading

_IPA_TO_ARPABET = {
    # vowels and diphthongs (espeak-ng's en-us inventory, and the r-coloured ones it joins)
    "aɪə": "AY ER", "aɪɚ": "AY ER", "ɑːɹ": "AA R", "ɔːɹ": "AO R", "oːɹ": "AO R", "ɛɹ": "EH R", "ɪɹ": "IH R",
    "ʊɹ": "UH R", "iə": "IY AH", "ɪə": "IH AH", "eə": "EH AH", "ʊə": "UH AH",
    "aɪ": "AY", "aʊ": "AW", "eɪ": "EY", "oʊ": "OW", "əʊ": "OW", "ɔɪ": "OY",
    "ɑː": "AA", "ɑ": "AA", "ɒ": "AA", "a": "AE", "æ": "AE", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ɔː": "AO", "ɔ": "AO",
    "ɛ": "EH", "e": "EH", "ɜː": "ER", "ɜ": "ER", "ɚ": "ER", "ɝ": "ER", "ɪ": "IH", "ᵻ": "IH", "i": "IY", "iː": "IY",
    "o": "OW", "oː": "OW", "ʊ": "UH", "u": "UW", "uː": "UW",
    # consonants
    "tʃ": "CH", "dʒ": "JH", "b": "B", "d": "D", "ð": "DH", "f": "F", "ɡ": "G", "g": "G", "h": "HH", "k": "K",
    "l": "L", "m": "M", "n": "N", "ŋ": "NG", "p": "P", "ɹ": "R", "r": "R", "ɾ": "T", "ʔ": "T", "s": "S", "ʃ": "SH",
    "t": "T", "θ": "TH", "v": "V", "w": "W", "j": "Y", "z": "Z", "ʒ": "ZH", "x": "K", "ç": "HH", "ɬ": "L",
    "l̩": "AH L", "n̩": "AH N", "m̩": "AH M", "ɫ": "L",
}
_MARKS = str.maketrans("", "", "ˈˌ-‿")
_ESPEAK_IPA = 0x02  # espeak_TextToPhonemes: phoneme names in IPA ...
_SEPARATOR = ord("_") << 8  # ... separated by '_'
_ESPEAK_UTF8 = 1


def ipa_to_arpabet(ipa: str) -> list[str]:
    """'t_ɹ_ˈɑː_t_s_k_i' (espeak-ng's IPA, '_' between phonemes) → ['T', 'R', 'AA', 'T', 'S', 'K', 'IY'].
    A phoneme with no counterpart is matched by its longest known prefix, else left out."""
    phones: list[str] = []
    for piece in ipa.translate(_MARKS).replace(" ", "_").split("_"):
        while piece:
            for n in range(min(4, len(piece)), 0, -1):
                if piece[:n] in _IPA_TO_ARPABET:
                    phones += _IPA_TO_ARPABET[piece[:n]].split()
                    piece = piece[n:]
                    break
            else:
                piece = piece[1:]  # a tie, a length mark or a symbol English does not use
    return phones


class Espeak:
    """espeak-ng's text-to-phonemes, through ctypes on the library the espeakng-loader wheel ships.
    One per process; calls are serialised (the library keeps global state)."""

    _lock = threading.Lock()

    def __init__(self, voice: str = "en-us"):
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        if lib.espeak_Initialize(0x02, 0, espeakng_loader.get_data_path().encode(), 0) <= 0:
            raise OSError("espeak-ng did not start")
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise OSError(f"espeak-ng has no voice {voice!r}")
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
        self._lib = lib

    def ipa(self, text: str) -> str:
        buf = ctypes.create_string_buffer(text.encode())
        pointer = ctypes.c_void_p(ctypes.addressof(buf))
        out = []
        with self._lock:
            while pointer.value:
                piece = self._lib.espeak_TextToPhonemes(ctypes.byref(pointer), _ESPEAK_UTF8, _ESPEAK_IPA | _SEPARATOR)
                if piece:
                    out.append(piece.decode("utf-8", "replace"))
        return " ".join(out)

    def arpabet(self, word: str) -> list[str]:
        return ipa_to_arpabet(self.ipa(word))


_espeak: Espeak | None = None
_espeak_failed = False


def espeak() -> Espeak | None:
    """This process's espeak-ng, or None where the library will not load."""
    global _espeak, _espeak_failed
    if _espeak is None and not _espeak_failed:
        try:
            _espeak = Espeak()
        except (OSError, ImportError):
            _espeak_failed = True
    return _espeak
