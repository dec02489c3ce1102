"""``python -m knowledge_graph [--force]``: validate data/knowledge and (re)build the index.

Exit status 1 with file:line: reason lines when the data is malformed; the last good build stays.
"""
from __future__ import annotations

import argparse
import sys

from bot.settings import get_settings
from knowledge_graph.build import build_knowledge
from knowledge_graph.errors import KnowledgeDataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge_graph", description=__doc__)
    parser.add_argument("--force", action="store_true", help="rebuild even if the data is unchanged")
    args = parser.parse_args(argv)
    try:
        report = build_knowledge(get_settings(), force=args.force)
    except KnowledgeDataError as exc:
        print(exc, file=sys.stderr)
        return 1
    state = f"built in {report.seconds:.1f}s" if report.rebuilt else "unchanged, kept"
    print(f"knowledge {state}: {report.faq_entries} FAQ entries, {report.graph_nodes} graph nodes -> {report.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
