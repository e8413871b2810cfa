"""Stages 1 and 2: identify the recordings by their content, and analyse them (from the cache
where their content is unchanged) — levels, pauses, speech; recordings that cannot make a book
stop the build here."""

from __future__ import annotations

from pathlib import Path

from audiobook.analysis import Analysis, analyze_files
from audiobook.build.context import BuildContext
from audiobook.errors import InputError
from audiobook.manifest import Manifest
from audiobook.report import rounded


def identify(ctx: BuildContext) -> dict[str, str]:
    """Each recording's content digest, by path."""
    return ctx.cache.digests(ctx.paths, ctx.workers)


def analyse(ctx: BuildContext, digests: dict[str, str]) -> list[Analysis]:
    """Analyses of the recordings: from the cache where their content is unchanged."""
    cache, paths = ctx.cache, ctx.paths
    found = [cache.load_analysis(digests[str(p)], p) for p in paths]
    missing = [i for i, a in enumerate(found) if a is None]
    if missing:
        fresh = analyze_files([paths[i] for i in missing], jobs=ctx.jobs, on_progress=ctx.progress("analysing"),
                              pool=ctx.workers, true_peak=False)  # the split and gains need no true peak
        for i, a in zip(missing, fresh):
            cache.store_analysis(digests[str(paths[i])], a)
            # as the next build will read it back (figures rounded as stored): the same gains either way
            found[i] = cache.load_analysis(digests[str(paths[i])], paths[i])
    refuse_silent(found)
    return found


def refuse_silent(analyses: list[Analysis]) -> None:
    """A recording with no narration in it (digital silence, or room tone alone) stops the build."""
    for a in analyses:
        if a.speech_s < 1.0:
            what = "digital silence throughout" if a.digital_silence_s >= a.duration_s - 0.5 else \
                f"no speech above its room tone ({rounded(a.noise_floor_dbfs, 1)} dBFS)"
            raise InputError(f"{a.path}: silent — {what}; re-export the session, or leave the file out "
                             "(move it away, or list the others in the manifest's recordings.files)")


def recording_notes(analyses: list[Analysis], manifest: Manifest) -> list[str]:
    """What the build does about recordings that differ, and what it cannot mend (clipping)."""
    notes = []
    for key, what, after in (
            ("sample_rate", "sample rates", f"all resampled to {manifest.output.sample_rate_hz} Hz"),
            ("channels", "channel counts", "all mixed to " + ("mono" if manifest.output.channels == 1 else "stereo")),
            ("subtype", "sample formats", "all mastered in floating point, then dithered to 16 bits")):
        values = sorted({str(getattr(a, key)) for a in analyses})
        if len(values) > 1:
            notes.append(f"sessions at different {what} ({', '.join(values)}): {after}")
    for a in analyses:
        if a.decoder_errors:
            notes.append(f"warning: {Path(a.path).name}: {a.decoder_errors} damaged MP3 frames, decoded around — "
                         "listen there, or export the session again from the recording")
        if a.clipped_samples:
            notes.append(f"warning: {Path(a.path).name}: {a.clipped_samples} clipped samples — ACX rejects audible "
                         "clipping and mastering cannot undo it; listen there and re-record what is distorted")
    return notes
