"""Pronunciations for words the recogniser's dictionary lacks, from espeak-ng."""

from __future__ import annotations

import pytest

from audiobook.listen.pronounce import espeak, ipa_to_arpabet
from audiobook.listen.speakable import spoken_words


def test_ipa_maps_onto_the_models_phones():
    assert ipa_to_arpabet("θ_ˈɜː_m_ɪ_d_ˌɔːɹ") == ["TH", "ER", "M", "IH", "D", "AO", "R"]
    assert ipa_to_arpabet("tʃ_ˈɜː_l") == ["CH", "ER", "L"]
    assert ipa_to_arpabet("n_ˈaɪ_n θ_ˈɜː_ɾ_i") == ["N", "AY", "N", "TH", "ER", "T", "IY"]


def test_espeak_spells_names_and_numbers():
    es = espeak()
    assert es is not None, "espeak-ng from the espeakng-loader wheel should load"
    assert es.arpabet("Thermidor")[:3] == ["TH", "ER", "M"]
    assert "S" in es.arpabet("1936") and es.arpabet("1936")[0] == "N"  # "nineteen thirty-six"


def test_words_missing_from_the_dictionary_are_given_a_pronunciation():
    from audiobook.listen.listener import Listener

    with Listener() as listener:
        assert listener._decoder.lookup_word("thermidor") is None  # not in the CMU dictionary ...
        assert listener.knows("thermidor")  # ... and listened for all the same
        assert listener.knows("niggarding") and listener.knows("1936")


@pytest.mark.parametrize("text, words", [
    ("The \u201cFriends\u201d of the Soviet Union", ["the", "friends", "of", "the", "soviet", "union"]),
    ("Russia\u2019s 1,000 semi-feudal peasants", ["russia's", "1000", "semi", "feudal", "peasants"]),
])
def test_spoken_words(text, words):
    assert spoken_words(text) == words


def test_no_model_for_other_languages():
    from audiobook.listen.listener import Listener, NoModel

    with pytest.raises(NoModel, match="fr"):
        Listener("fr")
