"""WAV: 16-bit PCM, for a master to hand on; no tags, no chapters."""

from audiobook.formats import Format
from audiobook.formats.libsndfile import writer

FORMAT = Format("wav", ".wav", "audio/wav", "WAV (16-bit PCM)", "none (WAV holds no chapter markers)", "",
                open_writer=writer("WAV", "PCM_16", integer_pcm=True))
