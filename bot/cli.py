"""The `pilkada-bot` command line: chat, ask, check, eval, run; report / unanswered and the outreach kit for staff."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.config import BOT_USERNAME_RE, Config, load_config
from bot.console import render_text, run_console
from bot.kb.scope import election_of
from bot.kb.staff_texts import StaffTexts
from bot.kb_import import draft, to_yaml
from bot.kb_new import new_election
from bot.nlu.claims import overall
from bot.nlu.evaluation import (
    evaluate,
    evaluate_claims,
    format_claims_report,
    format_report,
    load_claims_set,
    load_eval_set,
    load_postvote_set,
)
from bot.nlu.training import train
from bot.outreach.files import RefusedOutput, check_output, write_output
from bot.outreach.kit import Outreach
from bot.pipeline import Pipeline
from bot.replies.election import local_today
from bot.replies.reply import Reply
from bot.staff_reports import format_stats, unanswered_yaml
from bot.storage import FeedbackComment, Stats, StorageError, UnansweredRow, open_store
from bot.yamlfile import InvalidFiles, Problem, parser_disagreements

DEFAULT_EVAL = Path("tests/data/eval.yaml")
DEFAULT_POSTVOTE = Path("tests/data/postvote.yaml")
DEFAULT_CLAIMS = Path("tests/data/claims.yaml")
DEFAULT_UNANSWERED_LIMIT = 1000
# The staff commands read the database only: they need config.yaml, not a valid knowledge base
# (a broken entry must not stop staff from reading what users asked).
STAFF_COMMANDS = ("report", "unanswered")
OUTREACH_COMMANDS = ("links", "cards", "poster")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pilkada-bot", description="Voter-education chatbot for a Pilkada.")
    parser.add_argument(
        "--config",
        type=Path,
        default=Path(os.environ.get("PILKADA_BOT_CONFIG", "config.yaml")),
        help="path to config.yaml (default: ./config.yaml or $PILKADA_BOT_CONFIG)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("chat", help="chat with the bot in the terminal (no Telegram token needed)")
    ask = sub.add_parser("ask", help="answer one question (or one per line from stdin)")
    ask.add_argument("question", nargs="?", help="the question; omit to read questions from stdin, one per line")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument(
        "--explain", action="store_true", help="with --json: add the normalized query and the top candidates"
    )
    sub.add_parser("check", help="validate config.yaml and the knowledge base")
    ev = sub.add_parser("eval", help="measure matching on a labelled question set")
    ev.add_argument(
        "file", nargs="?", type=Path, default=DEFAULT_EVAL, help=f"evaluation YAML (default: {DEFAULT_EVAL})"
    )
    ev.add_argument("--no-misses", action="store_true", help="only print the summary table")
    ev.add_argument(
        "--claims",
        type=Path,
        default=DEFAULT_CLAIMS,
        help=f"claim-check table with expected verdicts (default: {DEFAULT_CLAIMS}; '-' for none)",
    )
    ev.add_argument(
        "--postvote",
        type=Path,
        default=DEFAULT_POSTVOTE,
        help=f"questions the sources cannot answer, none may be answered confidently (default: {DEFAULT_POSTVOTE}; "
        "'-' for none)",
    )
    tr = sub.add_parser(
        "train",
        help="learn when to answer from labelled questions (YAML like tests/data/corpus.yaml); writes a model file",
    )
    tr.add_argument("file", type=Path, help="labelled questions: q, expect (entry id or none), split")
    tr.add_argument("--out", type=Path, required=True, help="the model file to write (then set matching.model to it)")
    tr.add_argument("--splits", default="", help="comma-separated splits to train on (default: all)")
    sub.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    sub.add_parser(
        "report",
        help="print today's statistics from the bot's database (exit 1 if the bot has not created it yet)",
    )
    un = sub.add_parser(
        "unanswered",
        help="export the questions the bot could not answer (exit 1 if there is no database yet)",
    )
    un.add_argument(
        "--format",
        choices=("yaml", "text"),
        default="yaml",
        help="yaml: draft entries, similar questions grouped, to complete and paste into the knowledge base; "
        "text: one question per line, newest first, tab-separated: time, kind, question, nearest entry, score; "
        "then the reasons given with thumbs down/up, kind feedback_down/feedback_up (default: yaml)",
    )
    un.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_UNANSWERED_LIMIT,
        help=f"read at most this many of the latest questions (default: {DEFAULT_UNANSWERED_LIMIT})",
    )
    _outreach_parsers(sub)
    _kit_parsers(sub)
    return parser


FORCE_HELP = "replace files that already exist (never through a symbolic link, which is always refused)"


def _kit_parsers(sub: Any) -> None:
    """import and new: what staff run to move the bot to a new election (knowledge/README.md, "Pemilihan baru")."""
    im = sub.add_parser(
        "import",
        help="read a news article (plain text) and print a draft source with its facts for sources.yaml",
    )
    im.add_argument("article", type=Path, help="the article as a plain-text file")
    im.add_argument("--publisher", required=True, help="who published it, e.g. 'KPU Kabupaten Blora'")
    im.add_argument("--date", required=True, type=_iso_date, help="its date, YYYY-MM-DD")
    im.add_argument("--url", default="", help="where it was published")
    im.add_argument(
        "--id", dest="source_id", help="the source id (default: publisher and date, e.g. kpu-blora-2024-09-06)"
    )
    im.add_argument("--title", help="its title (default: the first line that reads like one)")
    im.add_argument(
        "--text-out",
        type=Path,
        help="also write the article text there (e.g. knowledge/sources/<id>.txt), so `check` finds the quotes",
    )
    im.add_argument(
        "--quotes-only",
        action="store_true",
        help="with --text-out: write only the lines holding a quote (a media article that is not ours to publish)",
    )
    new = sub.add_parser(
        "new",
        help="start a new election: write a config.yaml and a knowledge-base skeleton in a new folder",
    )
    new.add_argument("--region", required=True, help="e.g. 'Kabupaten Rembang' or 'Kota Makassar'")
    new.add_argument("--election", required=True, help="e.g. 'Pilkada Serentak 2024'")
    new.add_argument("--voting-date", required=True, type=_iso_date, help="voting day, YYYY-MM-DD")
    new.add_argument(
        "--timezone", required=True, help="Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)"
    )
    new.add_argument("--out", required=True, type=Path, help="the new folder (refused if it exists and is not empty)")


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date is written YYYY-MM-DD, got '{text}'") from None


def _outreach_parsers(sub: Any) -> None:
    """links, cards and poster: what staff print or share; each needs the bot's username."""
    username = argparse.ArgumentParser(add_help=False)
    username.add_argument("--username", help="the bot's username for the links (default: bot.username in config.yaml)")
    sub.add_parser(
        "links",
        parents=[username],
        help="list the deep links t.me/<bot>?start=<link> that open each answer (entries.yaml `link:`)",
    )
    cards = sub.add_parser(
        "cards", parents=[username], help="draw every answer as a square PNG card (for WhatsApp, Instagram, print)"
    )
    cards.add_argument("--out", type=Path, required=True, help="folder for the cards (created if missing)")
    cards.add_argument("--force", action="store_true", help=FORCE_HELP)
    poster = sub.add_parser(
        "poster", parents=[username], help="an A4 poster with QR codes for 3-6 topics, for school visits"
    )
    poster.add_argument("--out", type=Path, required=True, help="the poster file: .pdf (to print) or .png")
    poster.add_argument("--force", action="store_true", help=FORCE_HELP)
    poster.add_argument(
        "--topics",
        help="3-6 link words, comma-separated, e.g. jadwal,golput,pemula,hoaks "
        "(default: the first six topic buttons; see `pilkada-bot links`)",
    )


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Entry point of the `pilkada-bot` console script. Returns the exit code."""
    args = _parser().parse_args(argv)
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if args.command in STAFF_COMMANDS:
        return _staff(args, stdout)
    if args.command == "check":
        return _check(args.config, stdout)
    if args.command == "import":
        return _import(args, stdout)
    if args.command == "new":
        return _new(args, stdout)
    try:
        pipeline = Pipeline.load(args.config)
    except InvalidFiles as exc:
        return _print_problems(exc.problems)
    if args.command == "chat":
        return run_console(pipeline, stdin, stdout)
    if args.command == "ask":
        return _ask(pipeline, args, stdin, stdout)
    if args.command == "eval":
        postvote = None if str(args.postvote) == "-" else args.postvote
        claims = None if str(args.claims) == "-" else args.claims
        return _eval(pipeline, args.file, postvote, claims, not args.no_misses, stdout)
    if args.command in OUTREACH_COMMANDS:
        return _outreach(pipeline, args, stdout)
    if args.command == "train":
        return _train(pipeline, args.file, args.out, args.splits, stdout)
    if args.command == "run":
        # Imported here so the console commands start without loading python-telegram-bot.
        from bot.telegram.app import run_bot

        return run_bot(pipeline)
    raise AssertionError(args.command)


def _print_problems(problems: Sequence[Problem]) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s) found; fix them and run `pilkada-bot check` again.", file=sys.stderr)
    return 1


def _check(config_path: Path, stdout: TextIO) -> int:
    """`check`: every problem the other commands refuse to start on, plus any line of the config
    or knowledge files that only one of the two YAML parsers reads (bot/yamlfile.py)."""
    problems: list[Problem] = []
    files = [config_path]
    pipeline = None
    try:
        config = load_config(config_path)
        files += config.knowledge.yaml_files
        pipeline = Pipeline.from_config(config)
    except InvalidFiles as exc:
        problems += exc.problems
    problems += [problem for path in files for problem in parser_disagreements(path)]
    if problems or pipeline is None:
        return _print_problems(problems)
    for warning in pipeline.kb.warnings:
        print(warning, file=stdout)
    print(pipeline.kb.summary(), file=stdout)
    return 0


def reply_json(question: str, reply: Reply, explain: bool = False, share_text: str | None = None) -> dict[str, Any]:
    """The stable JSON shape of `ask --json` (used by evaluation and staff scripts); fields are only ever added."""
    match = reply.match
    data: dict[str, Any] = {
        "question": question,
        "entry_id": reply.entry_id if reply.kind == "answer" else None,
        "score": round(match.score, 2) if match else None,
        "answer": reply.text,
        "suggestions": list(reply.suggestions),
        "sources": list(reply.sources),
        # answer | unknown (a known unknown: the sources cannot say) | suggest | none | claim (a claim check)
        # | small_talk ("ok", "makasih": a short reply, never recorded).
        "outcome": "claim" if reply.kind == "claim" else match.outcome if match else reply.kind,
        "claims": [
            {"said": c.said, "verdict": c.verdict, "fact_id": c.fact.id if c.fact else None} for c in reply.claims
        ],
        "share_text": share_text,
    }
    if explain and match is not None:
        data["explain"] = {
            "normalized": match.normalized,
            "candidates": [
                {
                    "entry_id": c.entry_id,
                    "score": c.score,
                    "coverage": c.coverage,
                    "variant_f1": c.variant_f1,
                    "fuzzy": c.fuzzy,
                    "variant": c.variant,
                }
                for c in match.candidates
            ],
        }
    return data


def _ask(pipeline: Pipeline, args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    questions = [args.question] if args.question is not None else (line.rstrip("\n") for line in stdin)
    kit = Outreach(pipeline.replies, pipeline.config.bot.username)
    for question in questions:
        if args.question is None and not question.strip():
            continue
        reply = pipeline.respond(question).reply  # as Telegram and the console reply
        if args.json:
            data = reply_json(question, reply, args.explain, kit.share_text(reply))
            print(json.dumps(data, ensure_ascii=False), file=stdout)
        else:
            print(render_text(reply), file=stdout)
        stdout.flush()
    return 0


def _outreach(pipeline: Pipeline, args: argparse.Namespace, stdout: TextIO) -> int:
    """links (and, below, cards and poster): they print links, so they need the bot's username."""
    username = (args.username or pipeline.config.bot.username).strip().removeprefix("@")
    if not BOT_USERNAME_RE.match(username):
        where = f"'{username}' is not a bot username" if username else "no bot username is set"
        print(
            f"{where}: set bot.username in {args.config} to the username BotFather gave the bot "
            "(or pass --username NAME)",
            file=sys.stderr,
        )
        return 1
    kit = Outreach(pipeline.replies, username)
    if args.command == "cards":
        return _cards(kit, args.out, args.force, stdout)
    if args.command == "poster":
        return _poster(kit, args.out, args.topics, args.force, stdout)
    rows = [
        (row.title, kit.link_for(row.entry_id) if row.link else f"(no link: add `link:` to entry '{row.entry_id}')")
        for row in kit.link_rows()
    ]
    width = max(len(title) for title, _ in rows)
    for title, link in rows:
        print(f"{title:<{width}}  {link}", file=stdout)
    return 0


def _cards(kit: Outreach, out: Path, force: bool, stdout: TextIO) -> int:
    """One PNG per answer (known unknowns have none), named after its link word (or its id), in `out`.

    Every file is checked before any is drawn: an existing card (without --force) or a
    symbolic link in the folder stops the command with nothing written (bot/outreach/files.py).
    """
    entries = [e for e in kit.replies.kb.entries if kit.has_card(e.id)]
    paths = {entry.id: out / f"{entry.link or entry.id}.png" for entry in entries}

    def write() -> None:
        for path in paths.values():
            check_output(path, force=force)
        out.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            write_output(paths[entry.id], kit.card(entry.id).png, force=force)
            print(f"{paths[entry.id]}  {entry.title}", file=stdout)

    if _write_failed("cards", out, write):
        return 1
    print(f"{len(entries)} cards in {out}", file=stdout)
    return 0


def _poster(kit: Outreach, out: Path, topics: str | None, force: bool, stdout: TextIO) -> int:
    """Draw the poster for `topics` (link words) and save it as PDF or PNG (never over a file or through a link)."""
    if out.suffix.lower() not in (".pdf", ".png"):
        print(f"The poster file must end in .pdf (to print) or .png, not '{out.name}'", file=sys.stderr)
        return 1
    words = [w.strip() for w in topics.split(",") if w.strip()] if topics else kit.poster_links()

    def write() -> None:
        check_output(out, force=force)  # before drawing: a refusal should not take seconds
        write_output(out, kit.poster(words).encode(out.suffix), force=force)

    if _write_failed("poster", out, write):
        return 1
    print(f"{out}: A4 poster with {len(words)} topics: {', '.join(words)}", file=stdout)
    return 0


def _write_failed(what: str, where: Path, write: Callable[[], None]) -> bool:
    """Run `write`; True (with one line on stderr) when it was refused or failed, False when it wrote."""
    try:
        write()
    except RefusedOutput as exc:
        print(exc, file=sys.stderr)
    except ValueError as exc:
        print(f"Cannot make the {what}: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"Cannot write the {what} to {where}: {exc.strerror or exc}", file=sys.stderr)
    else:
        return False
    return True


def _train(pipeline: Pipeline, path: Path, out: Path, splits: str, stdout: TextIO) -> int:
    try:
        items = load_eval_set(path, (e.id for e in pipeline.kb.entries))
    except InvalidFiles as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    chosen = {s.strip() for s in splits.split(",") if s.strip()}
    items = [i for i in items if not chosen or i.split in chosen]
    try:
        model, point = train(pipeline.matcher, items, trained_on=f"{path} ({len(items)} questions)")
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    out.write_text(model.to_json(), encoding="utf-8")
    print(
        f"{len(items)} questions; best entry right for {point.right_first}. Cross-validated: "
        f"{point.answered_right} answered right, {point.answered_wrong} answered wrong at P >= {point.answer_at:.3f}; "
        f"suggestions from P >= {point.suggest_at:.3f}.\nWrote {out}; set `matching.model: {out}` in config.yaml.",
        file=stdout,
    )
    return 0


def _eval(
    pipeline: Pipeline, path: Path, postvote: Path | None, claims: Path | None, show_misses: bool, stdout: TextIO
) -> int:
    try:
        items = load_eval_set(path, (e.id for e in pipeline.kb.entries))
        if postvote is not None and postvote.exists():
            items += load_postvote_set(postvote)
        claim_items = load_claims_set(claims) if claims is not None and claims.exists() else []
    except InvalidFiles as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    checker = pipeline.replies.claims
    reports = evaluate(pipeline.matcher.match, items, pipeline.claim_verdict)
    print(format_report(reports, show_misses), file=stdout)
    if claim_items and checker is not None:
        claim_reports = evaluate_claims(lambda text: overall(checker.check(text)), claim_items)
        print(f"\n{format_claims_report(claim_reports, show_misses)}", file=stdout)
    return 0


def _staff(args: argparse.Namespace, stdout: TextIO) -> int:
    """`report` and `unanswered`: read the bot's database (safe while the bot runs)."""
    try:
        config = load_config(args.config)
    except InvalidFiles as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    try:
        texts = StaffTexts.load(config.knowledge.staff)
    except InvalidFiles as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    path = config.bot.database
    # Exit 1 rather than print zeros: a database missing here more often means a wrong
    # --config or working directory than a bot that never ran, and opening would create
    # an empty database (and a new salt) in the wrong place.
    if isinstance(path, Path) and not path.exists():
        print(f"No database at {path} yet: it is created when `pilkada-bot run` starts.", file=sys.stderr)
        return 1
    try:
        if args.command == "report":
            text = format_stats(asyncio.run(_stats(config)), texts)
        else:
            rows, comments = asyncio.run(_unanswered(config, max(args.limit, 1)))
            text = _format_unanswered(rows, comments, args.format, config, texts)
    except StorageError as exc:
        print(exc, file=sys.stderr)
        return 1
    stdout.write(text)
    return 0


async def _stats(config: Config) -> Stats:
    async with await open_store(config.bot.database, timezone=config.election.timezone) as store:
        return await store.stats(local_today(config.election))


async def _unanswered(config: Config, limit: int) -> tuple[list[UnansweredRow], list[FeedbackComment]]:
    async with await open_store(config.bot.database, timezone=config.election.timezone) as store:
        return await store.unanswered(limit), await store.feedback_comments(limit)


def _format_unanswered(
    rows: list[UnansweredRow], comments: list[FeedbackComment], fmt: str, config: Config, texts: StaffTexts
) -> str:
    """YAML draft entries, or one line per question: local time, kind, text, nearest entry and score.

    The reasons given with 👎/👍 follow: in YAML as comments, in text as lines of kind
    feedback_down / feedback_up with the reason as the text and the entry it was about.
    """
    zone = config.election.timezone
    local = [FeedbackComment(c.entry_id, c.positive, c.comment, c.voted_at.astimezone(zone)) for c in comments]
    if fmt == "yaml":
        return unanswered_yaml(rows, texts, comments=local)
    lines = []
    for row in rows:
        when = row.asked_at.astimezone(zone)
        nearest = f"\t{row.best_entry}\t{row.best_score:.0f}" if row.best_entry else "\t\t"
        lines.append(f"{when:%Y-%m-%d %H:%M}\t{row.kind}\t{row.normalized}{nearest}")
    for c in local:
        kind = "feedback_up" if c.positive else "feedback_down"
        lines.append(f"{c.voted_at:%Y-%m-%d %H:%M}\t{kind}\t{' '.join(c.comment.split())}\t{c.entry_id}\t")
    return "".join(f"{line}\n" for line in lines)


def _import(args: argparse.Namespace, stdout: TextIO) -> int:
    """Print a draft source for sources.yaml from one article; config.yaml (if readable) gives region and election."""
    try:
        article = args.article.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"Cannot read {args.article}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 1
    region = election = None
    try:
        config = load_config(args.config)
        region, election = config.election.region, election_of(config.election)
    except InvalidFiles:
        pass  # no usable config.yaml: the draft names no configured region or election
    d = draft(
        article,
        publisher=args.publisher,
        date=args.date,
        url=args.url,
        source_id=args.source_id,
        title=args.title,
        region=region,
        election=election,
    )
    if args.text_out is not None:
        text = "\n".join(d.quoted_lines()) + "\n" if args.quotes_only else article
        try:
            args.text_out.parent.mkdir(parents=True, exist_ok=True)
            args.text_out.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"Cannot write {args.text_out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    stdout.write(to_yaml(d, str(args.article)))
    print(f"{len(d.facts)} facts drafted, {len(d.unplaced)} things left for you (see the comments)", file=sys.stderr)
    return 0


def _new(args: argparse.Namespace, stdout: TextIO) -> int:
    """Write config.yaml and a knowledge-base skeleton for a new election in a new folder."""
    try:
        report = new_election(
            args.config,
            args.out,
            region=args.region,
            election=args.election,
            voting_date=args.voting_date,
            timezone=args.timezone,
        )
    except (ValueError, OSError, InvalidFiles) as exc:
        print(f"Cannot start the new election: {exc}", file=sys.stderr)
        return 1
    stdout.write(report)
    return 0
