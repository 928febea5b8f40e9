"""Start the local AWS emulator: moto's server app plus the ECS/ECR extension.

Usage: python3 main.py [--port 0] [--verbose]

Binds 127.0.0.1 only. When listening it prints one line to stdout,
`EMULATOR_READY http://127.0.0.1:<port>`, and logs to stderr. It exits when its stdin
reaches end of file (so it never outlives the process that started it with a pipe)
and on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from werkzeug.serving import make_server  # noqa: E402

import ecs_rollout  # noqa: E402
from emulator_app import EmulatorApp  # noqa: E402

log = logging.getLogger("emulator")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Local AWS emulator on 127.0.0.1 (moto plus ECS rollouts and ECR digests).")
    parser.add_argument("--port", type=int, default=0, help="TCP port to listen on; 0 picks a free port (default 0)")
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request to stderr")
    parser.add_argument(
        "--no-stdin-watch",
        action="store_true",
        help="keep running when stdin closes (for starting it by hand in the background)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = EmulatorApp()
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    port = server.server_address[1]
    ticker = ecs_rollout.Ticker()
    ticker.start()

    shutting_down = threading.Event()

    def shutdown(reason: str) -> None:
        if shutting_down.is_set():
            return
        shutting_down.set()
        log.info("stopping: %s", reason)
        # shutdown() blocks until serve_forever returns, so it must run off the
        # serving thread; signal handlers run on the main (serving) thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    def watch_stdin() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        shutdown("stdin closed")

    signal.signal(signal.SIGTERM, lambda *_: shutdown("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: shutdown("SIGINT"))
    if not args.no_stdin_watch:
        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()

    log.info("listening on 127.0.0.1:%d", port)
    print(f"EMULATOR_READY http://127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        ticker.stop()
        server.server_close()
        log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
