"""The `audiobook` command: parse the arguments, call one library function, show the result.

The only module that prints or exits; every error becomes its exit status here.

Each command imports the library it runs inside its function: importing every command's modules
up front takes `audiobook --help` from 0.4 s to 1.6 s (measured, 2 cores), for every command.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

import click

from audiobook import __version__
from audiobook.errors import AudiobookError, ManifestError
from audiobook.presets import DEFAULT_PRESET

_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="audiobook")
def cli() -> None:
    """Turn a narrator's recordings and a book's text into a finished audiobook.

    \b
    1. audiobook init RECORDINGS --book TEXT [--blurb FILE] [--toc FILE] [--cover IMAGE]
       writes RECORDINGS/manifest.yaml from the book's chapters and sections.
    2. audiobook validate RECORDINGS checks the manifest after you edit it.
    3. audiobook analyze RECORDINGS checks the raw recordings against ACX's requirements.
    4. audiobook build RECORDINGS [--out build] splits, masters, encodes and tags the tracks.
    5. audiobook check build proves runtime, chapter markers and compliance.
    6. audiobook publish build --to DEST --base-url URL puts the podcast where it is served.
    """


PRESET_HELP = ("Preset: a store's or a loudness standard's (acx, findaway, google, apple, podcast, ebu-r128: "
               "docs/stores.md), or numbers over one or alone — podcast,lufs=-18 or "
               "lufs=-19,true_peak=-2 (also rms, peak, noise_floor, max_minutes).")

@cli.command()
@click.argument("recordings", type=click.Path(file_okay=False, path_type=Path))
@click.option("--book", "book_path", type=_existing_file, required=True,
              help="The book: EPUB, DOCX, PDF, HTML (Project Gutenberg's too), Markdown or plain text. An EPUB's cover "
                   "becomes the audiobook's unless --cover is given.")
@click.option("--blurb", type=_existing_file, help="The publisher's blurb: title, author, narrator, description.")
@click.option("--toc", type=_existing_file, help="A table of contents that supplies or corrects titles.")
@click.option("--cover", type=_existing_file, help="Cover art (JPEG or PNG, square, 1400-3000 px).")
@click.option("--title", help="The book's title, when neither the text nor the blurb gives it right.")
@click.option("--author", help="The book's author, when neither the text nor the blurb names one (the tags need it).")
@click.option("--narrator", help="Who reads it, when the blurb does not say.")
@click.option("--force", is_flag=True, help="Replace an existing manifest.")
def init(recordings: Path, book_path: Path, blurb: Path | None, toc: Path | None, cover: Path | None,
         title: str | None, author: str | None, narrator: str | None, force: bool) -> None:
    """Write RECORDINGS/manifest.yaml from the book's chapter structure.

    The manifest lists the book's details and every chapter with its sections and word
    counts; the build splits the recordings by it. Read it, fix what the text got wrong,
    then build.
    """
    from audiobook.manifest import init_manifest
    from audiobook.plan.planner import chapter_title

    path, manifest, book = init_manifest(recordings, book_path, blurb_path=blurb, toc_path=toc,
                                         cover_path=cover, title=title, author=author,
                                         narrator=narrator, force=force)
    for w in book.warnings:
        where = f"{book_path.name}:{w.line}" if w.line else book_path.name
        click.echo(f"warning: {where}: {w.message}", err=True)
    sections = sum(len(c.sections) for c in manifest.chapters)
    click.echo(f"{path}: {manifest.book.title or 'untitled'} — {len(manifest.chapters)} parts, "
               f"{sections} sections, {sum(c.words for c in manifest.chapters):,} words, "
               f"{len(manifest.recordings.files)} recordings")
    for c in manifest.chapters:  # titled as its track will be
        click.echo(f"  {c.id:<16} {c.words:>7,} words  {len(c.sections)} sections  {chapter_title(c)}")
    left = sum(x.words for x in book.left_out)
    click.echo(f"words: {book.words:,} read, {left:,} left out" + (
        ": " + ", ".join(str(x) for x in book.left_out) if book.left_out else ""))


@cli.command()
@click.argument("manifest", type=click.Path(exists=True, path_type=Path))
def validate(manifest: Path) -> None:
    """Check a manifest (a file, or the recordings folder that holds manifest.yaml).

    Every problem is listed with its line; exit status 2 when there is any.
    """
    from audiobook.manifest import load_manifest

    loaded, folder = load_manifest(manifest)
    words = sum(c.words for c in loaded.chapters)
    click.echo(f"{manifest}: valid — {loaded.book.title}, {len(loaded.chapters)} chapters, {words:,} words")


@cli.command()
@click.argument("recordings", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("build"), show_default=True,
              help="Where the tracks, plan.yaml and report.json go.")
@click.option("--chapters", help="Build only these: positions in the manifest (1-3, 1,4) or ids (chapter-01).")
@click.option("--plan-only", is_flag=True, help="Write plan.yaml and stop: review the split before rendering.")
@click.option("--m4b/--no-m4b", default=None,
              help="Also write one M4B with every chapter and section (default: when ffmpeg is at hand).")
@click.option("--base-url", help="Where the files will be served from: the feed's URLs start with it.")
@click.option("--preset", help=f"{PRESET_HELP} Default: the manifest's output.preset (acx).")
@click.option("--align/--no-align", default=True, show_default=True,
              help="Listen for each chapter's and section's spoken heading to place the cuts; "
                   "--no-align places them by pauses and word counts alone.")
@click.option("--transcripts/--no-transcripts", default=True, show_default=True,
              help="Write a WebVTT transcript beside each track (the book's sentences, timed where they are "
                   "said) and link it in the feed; needs book.text in the manifest (English).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Processes to use (default: every core).")
def build(recordings: Path, out: Path, chapters: str | None, plan_only: bool, m4b: bool | None,
          base_url: str | None, preset: str | None, align: bool, transcripts: bool, jobs: int | None) -> None:
    """Split the recordings into chapter tracks, master them to the preset, encode them.

    Reads RECORDINGS/manifest.yaml (write it with `audiobook init`). Chapter and section
    boundaries are predicted from the word counts and the pauses, then placed where their
    headings are heard spoken (English; plan.yaml says how each was placed); pin any of
    them in the manifest. Writes OUT/NN - Title.mp3 (or the manifest's format; a chapter longer than the
    preset allows, in parts), the one-file M4B, feed.xml, blurb.txt with the real runtime,
    the retail sample, plan.yaml and report.json; with the book's text, OUT/NN - Title.vtt
    transcripts. Run it again after a change: only what
    changed is rendered again.
    """
    from audiobook.build import build as run_build
    from audiobook.files import clock

    bars = _StageBars()
    try:
        result = run_build(recordings, out, chapters=chapters, plan_only=plan_only, jobs=jobs, on_progress=bars,
                           m4b=m4b, base_url=base_url, preset=preset, align=align, transcripts=transcripts)
    finally:
        bars.close()
    plan = result.plan
    click.echo(f"{out / 'plan.yaml'}: {len(plan.tracks)} tracks, narration at {plan.pace_wpm:.0f} words a minute")
    for t in plan.tracks:
        weak = "  <- review" if t.confidence < 0.5 and t.number > 1 else ""
        click.echo(f"  {t.number:>2}. {clock(t.duration_s):>9}  {len(t.markers)} markers  {t.title}{weak}")
    if plan_only:
        _notes(result.notes)
        return
    total = sum(t.duration_s for t in result.tracks)
    reused = f" ({result.reused} unchanged since the last build)" if result.reused else ""
    click.echo(f"{len(result.tracks)} tracks in {out}{reused}, {round(total / 60)} minutes in all; "
               f"report: {result.report_path}")
    if result.m4b:
        click.echo(f"one-file audiobook: {result.m4b}")
    _notes(result.notes)


def _notes(notes: list[str]) -> None:
    for note in notes:
        click.echo(note if note.startswith("warning: ") else f"note: {note}", err=True)


@cli.command()
@click.argument("recordings", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("build"), show_default=True,
              help="The build folder: times in tracks are those of a build there; proof.json is written there.")
@click.option("--chapters", help="Only these: positions in the manifest (1-3, 1,4) or ids (chapter-01).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines instead of the list.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Processes to use (default: every core).")
@click.pass_context
def proof(ctx: click.Context, recordings: Path, out: Path, chapters: str | None, as_json: bool,
          jobs: int | None) -> None:
    """Listen to the narration against the book's text and list the narrator's slips.

    Follows every chapter's text (manifest book.text) through its recordings and reports,
    most certain first: passages omitted, passages read twice, flubs (a sentence started,
    broken off, read again) and extra speech (asides, "take two"), each with its time in the
    session file and in the built track; and per chapter the share of its text heard. Exit
    status 0 when nothing is found, 1 when something is.
    """
    from audiobook.proof import proof as run_proof

    bars = _StageBars()
    try:
        result = run_proof(recordings, out, chapters=chapters, jobs=jobs, on_progress=bars)
    finally:
        bars.close()
    if as_json:
        click.echo(result.to_json())
    else:
        for s in result.slips:
            track = f", {s.track_at}" if s.track_at else ""
            click.echo(f"{s.kind:<13} {s.source}{track}  ({s.chapter}; confidence {s.confidence:.1f})")
            click.echo(f"              “{s.text}”")
        for c in result.chapters:
            click.echo(f"{c.heard_share:>4.0%} heard  {len(c.slips)} slip(s)  {c.title}")
        click.echo(f"{len(result.slips)} slip(s) in {round(result.audio_s / 60)} minutes of narration"
                   + ("" if result.slips else ": nothing found"))
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
    ctx.exit(1 if result.slips or result.notes else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--preset", help=f"{PRESET_HELP} Default: a build folder's own preset, else acx.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines instead of the table.")
@click.option("--listen/--no-listen", default=True, show_default=True,
              help="For a build folder: hear that every track and marker begins with its heading.")
@click.option("--allow-unverified", is_flag=True,
              help="A marker whose words cannot be heard at all (a voice the recogniser cannot follow) passes, "
                   "said to be not verified; without this it fails.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Processes to use (default: every core).")
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], preset: str | None, as_json: bool, listen: bool,
          allow_unverified: bool, jobs: int | None) -> None:
    """Prove runtime, chapter markers and compliance of audiobook files (MP3, M4B, FLAC, Ogg, WAV).

    Per file: runtime; format (ACX: MP3 192 kbps CBR in every frame, 44.1 kHz, all alike);
    levels against the preset; room tone at head and tail; length; tags; and every chapter
    marker — first at 0, ordered, not overlapping, inside the file, titled, the CTOC
    consistent, and in a pause rather than mid-word. For a build folder, also: a track for
    every chapter and a marker for every section, lengths as planned, the feed's lengths and
    durations, chapters JSON against the tags, the blurb's runtime, the M4B's chapters,
    each chapter's narration pace against the book's, and — by listening (English) — that
    every track and marker begins with its heading (or the first words of its text). Exit status 0 when all pass, 1 when
    anything fails, 2 when a file cannot be read.
    """
    import json

    from audiobook.check import build_preset, check_paths
    from audiobook.presets import get_preset

    chosen = get_preset(preset or build_preset(list(paths)) or DEFAULT_PRESET)
    with _progress("checking") as on_progress:
        files, findings = check_paths(list(paths), chosen, jobs=jobs, on_progress=on_progress, listen=listen,
                                      allow_unverified=allow_unverified)
    failed = [f for f in findings if not f.passed]
    if as_json:
        from audiobook.check.summary import summarise

        click.echo(json.dumps({"passed": not failed, "files": [summarise(p, findings).to_dict() for p in files],
                               "findings": [f.to_dict() for f in findings]}, indent=2, ensure_ascii=False))
    else:
        width = max((len(f.file) for f in findings), default=10)
        for f in failed + [f for f in findings if f.passed]:
            line = f"{'FAIL' if not f.passed else 'ok':<4}  {f.file:<{width}}  {f.check:<18} {f.value:<24} {f.limit}"
            click.echo(click.style(line, fg="red") if not f.passed else line)
            if f.message and not f.passed:
                click.echo(click.style(f"      {f.message}", fg="red"))
        click.echo(f"{len(files)} files, {len(findings)} checks, {len(failed)} failed")
    ctx.exit(1 if failed else 0)


@cli.command()
@click.argument("build_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--to", "dest", required=True,
              help="A folder, sftp://[user@]host[:port]/path, or another fsspec URL (s3://bucket/path).")
@click.option("--base-url", help="The address DEST is served from (http:// or https://); the feed's URLs start with it.")
@click.option("--delete", is_flag=True,
              help="Remove files of earlier publishes the build no longer has — after the new feed is in place.")
def publish(build_dir: Path, dest: str, base_url: str | None, delete: bool) -> None:
    """Copy a build's tracks, chapter files, cover and M4B to DEST, then its feed.xml.

    Only files that changed since the last publish are sent, each verified after it arrives
    (size and bytes) and renamed into place; the feed goes last and replaces the old one in one
    step, so a podcast app never sees it partial or naming a file not yet there. An interrupted
    publish leaves the old feed; run it again to finish. Over SFTP, host keys are checked
    against ~/.ssh/known_hosts; credentials come from an SSH agent, ~/.ssh/config, key files or
    AUDIOBOOK_SFTP_PASSWORD — never the manifest, and never printed.
    """
    from audiobook.publish import publish as run_publish

    shown = _PublishProgress()
    try:
        result = run_publish(build_dir, dest, base_url=base_url, delete=delete, on_progress=shown)
    finally:
        shown.close()
    mb = result.bytes_sent / 1e6
    speed = f", {mb / result.seconds:.1f} MB/s" if result.seconds > 0 and mb > 1 else ""
    click.echo(f"{result.dest}: {len(result.copied)} files sent ({mb:.1f} MB in {result.seconds:.1f} s{speed}), "
               f"{len(result.unchanged)} unchanged" + (f", {len(result.removed)} removed" if result.removed else "")
               + (f", {len(result.resent)} sent twice (arrived wrong once)" if result.resent else "")
               + ("; feed.xml replaced" if "feed.xml" in result.copied else "; nothing changed"))


class _PublishProgress:
    """Files and bytes sent, with the speed, on one line of a terminal; nothing in a pipe."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.width = 0

    def __call__(self, name: str, files_done: int, files: int, sent: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        speed = sent / max(1e-3, time.monotonic() - self.started) / 1e6
        line = (f"publishing {files_done + 1}/{files}: {sent / 1e6:.1f}/{total / 1e6:.1f} MB, {speed:.1f} MB/s "
                f"— {name}")[:120]
        sys.stderr.write("\r" + line.ljust(self.width))
        sys.stderr.flush()
        self.width = len(line)

    def close(self) -> None:
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


class _StageBars:
    """Progress for work in stages: one bar per stage on a terminal, nothing in a pipe or CI."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar = None
        self.shown = 0

    def __call__(self, stage: str, done: float, total: float) -> None:
        if not sys.stderr.isatty():
            return
        if stage != self.stage:
            self.close()
            self.stage, self.shown = stage, 0
            self.bar = click.progressbar(length=1000, label=f"{stage:<10}", file=sys.stderr, show_eta=True)
            self.bar.__enter__()
        target = int(1000 * done / total) if total else 1000
        if target > self.shown:
            self.bar.update(target - self.shown)
            self.shown = target

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _progress(label: str):
    """A progress callback (done, total) for one stage of work."""
    import contextlib

    @contextlib.contextmanager
    def one_stage():
        bars = _StageBars()
        try:
            yield lambda done, total: bars(label, done, total)
        finally:
            bars.close()

    return one_stage()


def _audio_files(paths: tuple[Path, ...]) -> list[Path]:
    from audiobook.errors import InputError
    from audiobook.recordings import find_recordings

    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = find_recordings(p)
            if not found:
                raise InputError(f"{p}: no audio files here (WAV, FLAC, AIFF, Ogg, MP3 ...)")
            files += found
        else:
            files.append(p)
    return files


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--preset", default=DEFAULT_PRESET, show_default=True, help=PRESET_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines instead of the summary.")
@click.option("--series", is_flag=True, help="With --json: momentary and short-term loudness every 100 ms.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Processes to use (default: every core).")
@click.pass_context
def analyze(ctx: click.Context, paths: tuple[Path, ...], preset: str, as_json: bool, series: bool,
            jobs: int | None) -> None:
    """Pre-flight check of raw recordings, like ACX Check for a whole folder.

    For every file: loudness (LUFS, range), true and sample peak, RMS, noise floor, DC
    offset, clipping and the pauses; what passes or fails the preset, with advice. Exit
    status 0 when all pass, 1 when any fails, 2 when a file cannot be read.
    """
    import json

    from audiobook.analysis import analyze_files
    from audiobook.analysis.compliance import evaluate
    from audiobook.analysis.summary import summarize
    from audiobook.presets import get_preset
    from audiobook.render.jobs import limiter_preflight

    chosen = get_preset(preset)
    files = _audio_files(paths)
    with _progress(f"analyzing {len(files)} files") as on_progress:
        results = analyze_files(files, jobs=jobs, keep_series=series, on_progress=on_progress)
    findings = [evaluate(a, chosen) for a in results]
    limiters = [limiter_preflight(a, chosen) for a in results]
    failed = sum(1 for fs in findings if not all(f.passed for f in fs))
    if as_json:
        out = [{**a.to_dict(series=series), "preset": chosen.spec, "passed": all(f.passed for f in fs),
                "checks": [f.to_dict() for f in fs], "limiter": {"makeup_db": m, "short_db": s}}
               for a, fs, (m, s) in zip(results, findings, limiters)]
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for a, fs, lim in zip(results, findings, limiters):
            for line in summarize(a, fs, chosen.name, lim):
                click.echo(click.style(line, fg="red") if line.lstrip().startswith("FAIL") else line)
        click.echo(f"{len(results) - failed} of {len(results)} files pass {chosen.label}")
    from audiobook.manifest.unlisted import unlisted_in

    for note in unlisted_in(list(paths)):
        click.echo(f"note: {note}", err=True)
    ctx.exit(1 if failed else 0)


@cli.command()
@click.argument("build_dir", metavar="BUILD", type=click.Path(exists=True, file_okay=False, path_type=Path))
def review(build_dir: Path) -> None:
    """Write BUILD/review.html again: every cut and marker to see and hear, the weak places first.

    Every build writes it; this makes it for a build folder again (after `proof`, say, whose
    slips it lists). Open it in a browser straight from the folder, or through `audiobook serve`.
    """
    from audiobook.review import write_review

    click.echo(write_review(build_dir))


@cli.command()
@click.argument("build_dir", metavar="BUILD", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--book", type=click.Path(dir_okay=False, path_type=Path),
              help="The book's text (.txt, .md, .epub, ...); default: the manifest's book.text.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the EPUB (default: BUILD/<Title>.epub).")
def readalong(build_dir: Path, book: Path | None, out: Path | None) -> None:
    """Write a read-along EPUB: the book's text with each sentence lit as it is said (EPUB 3
    Media Overlays), the built tracks as its audio, timed from the build's transcripts.
    """
    from audiobook.readalong import readalong as make

    result = make(build_dir, book, out)
    click.echo(f"{result.path}: {result.chapters} chapters, {result.said} of {result.sentences} sentences and "
               "headings timed")


@cli.command()
@click.argument("build_dir", metavar="BUILD", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on: 0.0.0.0 to let a phone on your network reach it.")
def serve(build_dir: Path, port: int, host: str) -> None:
    """Serve a build folder over HTTP, to try its feed in a podcast app or a browser.

    Byte ranges and HEAD as podcast apps need them, the feed's URLs rewritten to this address
    (feed.xml on disk untouched), read-only, no listing, nothing outside the folder. Ctrl-C stops it.
    """
    from audiobook.serve import addresses
    from audiobook.serve import serve as make_server

    server = make_server(build_dir, host, port)
    where = addresses(server)
    click.echo(f"serving {build_dir} at {where} — subscribe to {where}feed.xml; Ctrl-C to stop", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()


_stopped_by: list[int] = []  # the SIGTERM received, if one was: what went wrong after it is the stop's doing


def _terminated(signum, frame) -> None:
    _stopped_by.append(signum)
    raise KeyboardInterrupt(signum)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; AudiobookError → its message on stderr and its exit status.

    Ctrl-C and SIGTERM stop the work promptly, workers included: files being written are
    removed, finished ones kept, and one line says so (exit status 130, or 143 for SIGTERM).
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
    try:
        code = cli.main(args=argv, prog_name="audiobook", standalone_mode=False)
        sys.exit(code or 0)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort as exc:  # click's word for a KeyboardInterrupt
        cause = exc.__cause__
        _interrupted(cause.args[0] if isinstance(cause, KeyboardInterrupt) and cause.args else signal.SIGINT)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ManifestError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(exc.exit_code)
    except AudiobookError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        _interrupted(exc.args[0] if exc.args else signal.SIGINT)
    except Exception:
        if _stopped_by:  # e.g. the workers' pool found broken as it was being stopped: still a stop
            _interrupted(_stopped_by[0])
        raise


def _interrupted(signum: int) -> None:
    name = "stopped (SIGTERM)" if signum == signal.SIGTERM else "interrupted"
    click.echo(f"{name}: files being written were removed, finished ones kept — run it again to resume", err=True)
    sys.exit(128 + signum)
