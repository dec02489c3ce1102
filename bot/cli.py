"""The ``bankbot`` command: serve, train, chat, seed and audit."""
from __future__ import annotations

import argparse
import logging
import os
import stat
import sys
import time
from pathlib import Path

from bot.settings import Settings, get_settings


def _seed(settings: Settings, reset: bool = False) -> None:
    from bot.bankcore.seed import seed_demo_bank
    from bot.db import create_all, make_engine, make_session_factory

    engine = make_engine(settings.sqlalchemy_url)
    create_all(engine)
    seed_demo_bank(make_session_factory(engine), settings.data_dir / "bank" / "demo_bank.yml",
                   reset=reset)
    engine.dispose()


def _train(settings: Settings, what: str, force: bool) -> None:
    """Train the requested models; each trainer skips itself when its inputs are unchanged."""
    from bot.rasa.project import train_dialogue
    from knowledge_graph.build import build_knowledge
    from nlu.training import train_nlu

    started = time.monotonic()
    if what in ("all", "nlu"):
        train_nlu(settings, force=force)
    if what in ("all", "dialogue"):
        train_dialogue(settings, force=force)
    if what in ("all", "knowledge"):
        report = build_knowledge(settings, force=force)
        state = f"built in {report.seconds:.1f} s" if report.rebuilt else "up to date"
        print(f"knowledge {state}: {report.graph_nodes} graph nodes, {report.faq_entries} FAQ "
              f"entries -> {report.folder}")
    print(f"training done in {time.monotonic() - started:.1f} s")


def keep_private(folder: Path) -> None:
    """Files the app and its Rasa child write (the database, trackers, the endpoints file with the
    internal token, logs) are readable by the service account only; earlier ones are tightened."""
    os.umask(0o077)
    for path in [folder, *folder.rglob("*")] if folder.exists() else []:
        mode = path.lstat().st_mode
        if not stat.S_ISLNK(mode) and mode & 0o077:
            path.chmod(stat.S_IMODE(mode) & ~0o077)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from bot.app import create_app
    from speech.config import CallSettings

    settings = get_settings()
    keep_private(settings.var_dir)
    if args.no_rasa:
        settings.rasa_manage = False
    _train(settings, "all", force=False)
    _seed(settings)
    # the protocol's frame cap fits the largest socket (voice audio); each socket checks its own
    ws_max = max(settings.max_body_bytes, CallSettings().max_message_bytes + 1024)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                ws_max_size=ws_max, log_level="info")


def cmd_train(args: argparse.Namespace) -> None:
    _train(get_settings(), args.what, args.force)


def cmd_seed(args: argparse.Namespace) -> None:
    _seed(get_settings(), reset=args.reset)
    print("demo bank seeded")


def cmd_chat(args: argparse.Namespace) -> None:
    from bot.terminal_chat import run_terminal_chat

    settings = get_settings()
    url = args.url or f"http://{settings.host}:{settings.port}"
    sys.exit(run_terminal_chat(url, args.user, args.password))


def cmd_eval(args: argparse.Namespace) -> None:
    from nlu.evaluate import main as evaluate_nlu

    evaluate_nlu(get_settings(), ["--data", args.data] if args.data else [])


def cmd_call(args: argparse.Namespace) -> None:
    from pathlib import Path

    from bot.phone_call import run_call

    settings = get_settings()
    sys.exit(run_call(args.url or f"http://{settings.host}:{settings.port}", Path(args.wav),
                      args.realtime))


def cmd_models(args: argparse.Namespace) -> None:
    from speech.config import AsrSettings
    from speech.models import (
        VOSK_OFFICIAL,
        choose_model,
        download_vosk_model,
        list_models,
    )

    asr = AsrSettings()
    if args.download:
        print(f"downloaded to {download_vosk_model(args.download, asr.models_dir)}")
        return
    for model in list_models(asr):
        print(f"{model.engine:8} {model.language:3} {model.name:32} {model.source}")
    print(f"default: {choose_model(asr).name}")
    print("official Vosk models (bankbot models --download NAME, needs internet): "
          + ", ".join(sorted(VOSK_OFFICIAL)))


def cmd_audit(args: argparse.Namespace) -> None:
    from bot.bankcore.sql_bankcore import SqlBankCore
    from bot.db import make_engine, make_session_factory

    engine = make_engine(get_settings().sqlalchemy_url)
    report = SqlBankCore(make_session_factory(engine)).audit_verify()
    print(report.summary())
    sys.exit(0 if report.ok else 1)


def cmd_transfers(args: argparse.Namespace) -> None:
    from bot.bankcore.scheduler import run_once
    from bot.bankcore.sql_bankcore import SqlBankCore
    from bot.db import create_all, make_engine, make_session_factory

    engine = make_engine(get_settings().sqlalchemy_url)
    create_all(engine)
    outcomes = run_once(SqlBankCore(make_session_factory(engine)), actor="cli:run-due")
    for outcome in outcomes:
        detail = outcome.transfer_reference or outcome.failure_reason
        print(f"{outcome.reference} {outcome.execute_on} {outcome.amount} {outcome.currency} "
              f"{outcome.status}: {detail}")
    print(f"{sum(o.status == 'completed' for o in outcomes)} executed, "
          f"{sum(o.status == 'failed' for o in outcomes)} failed")
    engine.dispose()


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of days, at least 1")
    return int(value)


def _privacy_engines(settings: Settings):
    """The app database (tables created if missing) and Rasa's tracker store, if any."""
    import bot.analytics.tables  # noqa: F401 - the analytics tables belong to the same metadata
    from bot.analytics.tracker import tracker_engine
    from bot.db import create_all, make_engine

    engine = make_engine(settings.sqlalchemy_url)
    create_all(engine)
    return engine, tracker_engine(settings)


def cmd_retention(args: argparse.Namespace) -> None:
    from bot.analytics.retention import anonymise_before, cutoff_for

    settings = get_settings()
    engine, tracker = _privacy_engines(settings)
    report = anonymise_before(engine, cutoff_for(args.days or settings.retention_days), tracker)
    print(report.summary())


def cmd_export_customer(args: argparse.Namespace) -> None:
    import json

    from bot.analytics.privacy import export_customer

    engine, _ = _privacy_engines(get_settings())
    text = json.dumps(export_customer(engine, args.customer_id), indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text)


def cmd_delete_customer(args: argparse.Namespace) -> None:
    from bot.analytics.privacy import delete_customer

    if not args.yes:
        sys.exit("refusing to delete without --yes (export first: bankbot export-customer ID --out FILE)")
    engine, tracker = _privacy_engines(get_settings())
    print(delete_customer(engine, args.customer_id, tracker).summary())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bankbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="train what is missing, then run the whole product")
    serve.add_argument("--no-rasa", action="store_true", help="do not start a Rasa server")
    serve.set_defaults(func=cmd_serve)

    train = sub.add_parser("train", help="retrain models from data/ (skips unchanged ones)")
    train.add_argument("what", nargs="?", default="all", choices=["all", "nlu", "dialogue", "knowledge"])
    train.add_argument("--force", action="store_true", help="retrain even if inputs are unchanged")
    train.set_defaults(func=cmd_train)

    seed = sub.add_parser("seed", help="load the demo bank into the database")
    seed.add_argument("--reset", action="store_true", help="drop existing demo data first")
    seed.set_defaults(func=cmd_seed)

    chat = sub.add_parser("chat", help="talk to the running stack in the terminal")
    chat.add_argument("--url", help="gateway URL (default from settings)")
    chat.add_argument("--user", help="log in as this demo customer")
    chat.add_argument("--password")
    chat.set_defaults(func=cmd_chat)

    evaluate = sub.add_parser("eval", help="evaluate a trained model on any labelled file")
    evaluate.add_argument("what", choices=["nlu"])
    evaluate.add_argument("--data", help="CSV (text,intent or BANKING77's text,category) or Rasa "
                          "NLU YAML; default: the training data in data/nlu")
    evaluate.set_defaults(func=cmd_eval)

    call = sub.add_parser("call", help="play a recorded caller (WAV) through the phone channel")
    call.add_argument("wav", help="recording of the caller; pauses separate the turns")
    call.add_argument("--url", help="gateway URL (default from settings)")
    call.add_argument("--realtime", action="store_true", help="pace the audio like a live call")
    call.set_defaults(func=cmd_call)

    models = sub.add_parser("models", help="list installed speech models; download Vosk models")
    models.add_argument("--download", metavar="NAME", help="download an official Vosk model")
    models.set_defaults(func=cmd_models)

    audit = sub.add_parser("audit", help="audit log tools")
    audit.add_argument("action", choices=["verify"])
    audit.set_defaults(func=cmd_audit)

    transfers = sub.add_parser("transfers", help="future-dated transfers")
    transfers.add_argument("action", choices=["run-due"], help="execute every transfer due today or "
                           "earlier, once (safe next to running apps)")
    transfers.set_defaults(func=cmd_transfers)

    retention = sub.add_parser("retention", help="data retention: anonymise old transcripts")
    retention.add_argument("action", choices=["run"])
    retention.add_argument("--days", type=_positive_int, help="override BANKBOT_RETENTION_DAYS")
    retention.set_defaults(func=cmd_retention)

    export = sub.add_parser("export-customer", help="a customer's assistant data as JSON (access request)")
    export.add_argument("customer_id", type=int)
    export.add_argument("--out", type=Path, help="write to this file instead of stdout")
    export.set_defaults(func=cmd_export_customer)

    erase = sub.add_parser("delete-customer", help="erase a customer's conversations (erasure request)")
    erase.add_argument("customer_id", type=int)
    erase.add_argument("--yes", action="store_true", help="confirm the deletion")
    erase.set_defaults(func=cmd_delete_customer)
    return parser


def main(argv: list[str] | None = None) -> None:
    if get_settings().log_json:
        from bot.observability.logs import configure_logging

        configure_logging()  # one JSON format for the whole process, training lines included
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
