"""Loudness presets: the shipped ones by name, or explicit numbers over one or alone."""

from __future__ import annotations

import pytest

from audiobook.errors import InputError
from audiobook.presets import get_preset, presets


def test_a_shipped_preset_by_name_is_itself():
    for name, preset in presets().items():
        assert get_preset(name) == preset and get_preset(f" {name.upper()} ") == preset


def test_numbers_over_a_preset_keep_the_rest_of_it():
    p = get_preset("podcast,lufs=-18")
    assert p.target_lufs == -18 and p.true_peak_max_dbtp == -1.0 and p.lufs_tolerance == 1.0
    assert p.name == "podcast" and p.label == "PODCAST (lufs=-18)" and p.spec == "podcast,lufs=-18"
    acx = get_preset("acx,rms=-19,noise_floor=-62")
    assert (acx.target_rms_dbfs, acx.rms_min_dbfs, acx.rms_max_dbfs, acx.peak_max_dbfs, acx.noise_floor_max_dbfs,
            acx.max_track_minutes) == (-19, -23, -18, -3, -62, 120)


def test_the_target_given_drives_the_gain():
    """A LUFS target over ACX replaces its RMS target and window; an RMS target over a LUFS preset
    replaces its loudness target."""
    p = get_preset("acx,lufs=-18")
    assert p.target_lufs == -18 and p.target_rms_dbfs is None and p.rms_min_dbfs is None and p.peak_max_dbfs == -3
    q = get_preset("ebu-r128,rms=-21")
    assert q.target_rms_dbfs == -21 and q.target_lufs is None and (q.rms_min_dbfs, q.rms_max_dbfs) == (-22, -20)


def test_numbers_alone_need_a_target_and_get_a_true_peak_limit():
    p = get_preset("lufs=-19")
    assert p.name == "custom" and p.target_lufs == -19 and p.true_peak_max_dbtp == -1.0 and p.max_track_minutes is None
    assert get_preset("target_lufs=-19, true_peak=-2").true_peak_max_dbtp == -2
    assert get_preset("rms=-20,peak=-3").peak_max_dbfs == -3 and get_preset("rms=-20,peak=-3").true_peak_max_dbtp is None
    assert "your preset (lufs=-19)" == p.label


@pytest.mark.parametrize("spec, says", [
    ("acz", "did you mean 'acx'"),
    ("lufs=-18,tpp=-1", "did you mean 'tp'"),
    ("lufs=loud", "needs a number"),
    ("lufs=nan", "needs a number"),
    ("true_peak=-1", "give a target"),
    ("lufs=-2", "out of range"),
    ("acx,rms=-25", "outside the RMS window"),
    ("lufs=-18,true_peak=3", "below 0 dBFS"),
    ("lufs=-18,max_minutes=0", "above 0"),
    ("", "no loudness preset"),
    ("lufs=-18,podcast", "a preset name comes first"),
])
def test_what_is_wrong_is_said(spec, says):
    with pytest.raises(InputError, match=says):
        get_preset(spec)
