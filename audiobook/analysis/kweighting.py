"""The K-weighting filter of ITU-R BS.1770-4 (pre-filter and RLB high-pass), at any sample rate.

The two biquads are designed from their analogue prototypes (as libebur128 does), which
reproduces the spec's 48 kHz coefficients (BS.1770-4 Tables 1 and 2) and extends them to
other rates.
"""

from __future__ import annotations

import math

import numpy as np

# Analogue prototype of the stage-1 high shelf (+4 dB above ~1.7 kHz: the head's effect)
SHELF_F0_HZ = 1681.974450955533
SHELF_GAIN_DB = 3.999843853973347
SHELF_Q = 0.7071752369554196
# Stage-2 RLB weighting: a second-order high-pass at ~38 Hz
HIGHPASS_F0_HZ = 38.13547087602444
HIGHPASS_Q = 0.5003270373238773


def k_weighting_sos(sample_rate: int) -> np.ndarray:
    """Second-order sections (for scipy.signal.sosfilt) of the K-weighting filter at `sample_rate`."""
    k = math.tan(math.pi * SHELF_F0_HZ / sample_rate)
    vh = 10 ** (SHELF_GAIN_DB / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / SHELF_Q + k * k
    shelf = [(vh + vb * k / SHELF_Q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / SHELF_Q + k * k) / a0,
             1.0, 2 * (k * k - 1) / a0, (1 - k / SHELF_Q + k * k) / a0]
    k = math.tan(math.pi * HIGHPASS_F0_HZ / sample_rate)
    a0 = 1 + k / HIGHPASS_Q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / HIGHPASS_Q + k * k) / a0]
    return np.array([shelf, highpass])
