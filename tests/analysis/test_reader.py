"""Every format libsndfile reads; every broken file answered with a message naming it."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from audiobook.analysis import analyze_file, analyze_files, audio_info
from audiobook.errors import InputError
from tests.signals import narration


@pytest.mark.parametrize("name,subtype,channels,fs,tolerance", [
    ("s.wav", "PCM_16", 1, 44100, 0.05), ("s.wav", "PCM_24", 2, 48000, 0.05), ("s.flac", "PCM_24", 1, 48000, 0.05),
    ("s.aiff", "PCM_16", 2, 44100, 0.05), ("s.ogg", "VORBIS", 1, 44100, 0.3), ("s.mp3", "MPEG_LAYER_III", 1, 44100, 0.3),
    ("s.w64", "FLOAT", 1, 22050, 0.05), ("s.rf64", "PCM_24", 1, 48000, 0.05),
])
def test_formats(tmp_path, name, subtype, channels, fs, tolerance):
    x = narration(8, fs=fs, seed=1).audio
    x = np.stack([x] * channels, axis=1) if channels == 2 else x
    reference = tmp_path / "ref.wav"
    sf.write(str(reference), x, fs, subtype="FLOAT")
    path = tmp_path / name
    sf.write(str(path), x, fs, subtype=subtype)
    a = analyze_file(path)
    assert (a.channels, a.sample_rate) == (channels, fs)
    assert a.integrated_lufs == pytest.approx(analyze_file(reference).integrated_lufs, abs=tolerance)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.wav"
    p.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.wav: the file is empty"):
        audio_info(p)


def test_not_audio(tmp_path):
    p = tmp_path / "notes.wav"
    p.write_text("these are my notes, not audio")
    with pytest.raises(InputError, match=r"notes\.wav: not an audio file we can read"):
        analyze_file(p)


def test_header_only(tmp_path):
    p = tmp_path / "header.wav"
    sf.write(str(p), np.zeros((0, 1)), 48000)
    with pytest.raises(InputError, match=r"header\.wav: holds no audio"):
        analyze_file(p)


def test_truncated_wav_says_how_long_it_should_be(tmp_path):
    p = tmp_path / "session-02.wav"
    sf.write(str(p), narration(6, seed=1).audio, 48000, subtype="PCM_24")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match=r"session-02\.wav: truncated WAV \(its header says 0:06\.0, the data ends at 0:02\.0\)"):
        analyze_file(p)


def test_truncated_flac(tmp_path):
    p = tmp_path / "session-03.flac"
    sf.write(str(p), narration(20, seed=1).audio, 48000, subtype="PCM_24")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"session-03\.flac: damaged or cut short"):
        analyze_file(p)


def test_parallel_results_in_order_and_errors_name_the_file(tmp_path):
    paths = []
    for i, gain in enumerate([-10, 0, -5]):
        p = tmp_path / f"s{i}.wav"
        sf.write(str(p), narration(6, seed=i, gain_db=gain).audio, 48000)
        paths.append(p)
    progress = []
    results = analyze_files(paths, jobs=2, on_progress=lambda done, total: progress.append((done, total)))
    assert [r.path for r in results] == [str(p) for p in paths]
    assert [round(r.integrated_lufs - results[1].integrated_lufs) for r in results] == [-10, 0, -5]
    assert progress and progress[-1][0] == pytest.approx(progress[-1][1])
    bad = tmp_path / "bad.wav"
    bad.write_text("nope")
    with pytest.raises(InputError, match="bad.wav"):
        analyze_files(paths + [bad], jobs=2)


@pytest.mark.parametrize("channels", [1, 2])
def test_a_last_block_shorter_than_a_frame_is_measured_not_a_traceback(tmp_path, channels):
    """4 s (one block, 400 whole 10 ms frames) and 5 samples: the last block held no whole frame,
    and numpy could not shape 0 frames of unknown width (found by scripts/fuzz.py)."""
    x = narration(4, fs=44100, seed=2).audio
    x = np.concatenate([x, x[:5]])
    path = tmp_path / "odd.wav"
    sf.write(str(path), np.stack([x] * channels, axis=1) if channels == 2 else x, 44100, subtype="PCM_16")
    a = analyze_file(path)
    assert a.duration_s == pytest.approx(4 + 5 / 44100) and a.channels == channels


def test_a_header_claiming_years_of_audio_is_not_allocated_for(tmp_path, monkeypatch):
    """An Ogg whose granule position lies says it holds 10^15 frames: the levels are not made
    room for up front (7.5 PiB: MemoryError); the file is read as what it holds."""
    from audiobook.analysis import reader

    path = tmp_path / "s.wav"
    sf.write(str(path), narration(3, fs=22050, seed=3).audio, 22050, subtype="PCM_16")
    honest = reader.audio_info(path)
    lying = reader.AudioInfo(honest.path, honest.sample_rate, honest.channels, 10**15, honest.format, honest.subtype)
    monkeypatch.setattr("audiobook.analysis.analyze.audio_info", lambda p: lying)
    monkeypatch.setattr(reader, "audio_info", lambda p: lying)
    with pytest.raises(InputError, match="truncated"):
        analyze_file(path)


def test_a_header_saying_two_samples_a_second_is_named_as_damaged(tmp_path):
    """3 s of samples whose header says 2 Hz: read as 9 hours, 8 samples a block, it took minutes
    (a hang to scripts/fuzz.py); now the header is said to be damaged, naming the file."""
    path = tmp_path / "s.wav"
    sf.write(str(path), narration(3, fs=22050, seed=4).audio, 22050, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    data[24:28] = (2).to_bytes(4, "little")  # the fmt chunk's sample rate
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"s\.wav: its header says 2 samples a second"):
        analyze_file(path)


def test_a_decoder_that_goes_on_past_the_header_is_stopped_and_the_file_named(tmp_path, monkeypatch):
    """A lying Ogg page set libsndfile's Opus decoder going round: 4 s said, 28 million samples
    read and on (a hang to scripts/fuzz.py). Audio far past what the header says is damage: here
    70 s where it says 4 (a tenth more and 10 s would be padding at most)."""
    from audiobook.analysis import reader

    path = tmp_path / "s.wav"
    sf.write(str(path), narration(70, fs=8000, seed=5).audio, 8000, subtype="PCM_16")
    honest = reader.audio_info(path)
    said = reader.AudioInfo(honest.path, 8000, 1, 4 * 8000, "OGG", "OPUS")  # 4 s, as its last page says
    monkeypatch.setattr(reader, "audio_info", lambda p: said)
    monkeypatch.setattr("audiobook.analysis.analyze.audio_info", lambda p: said)
    with pytest.raises(InputError, match=r"s\.wav: damaged — its audio decodes on past 0:1.*its header says 0:04\.0"):
        analyze_file(path)
