#!/usr/bin/python3
"""Play Python's remote control (app.control) in interop tests.

  /usr/bin/python3 test/python/control.py revoke TASK_ID [TASK_ID ...] [--terminate]
      [--destination NODE] [--reply] [--timeout S]

Calls app.control.revoke(...) exactly as an application would, and prints one JSON line:
  {"replies": null}                         without --reply (a plain broadcast, as AsyncResult.revoke())
  {"replies": [{"<node>": {"ok": ...}}]}    with --reply: what the workers answered
Exits 0; a bad command line exits 2 (argparse).
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True  # keep test/python free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('command', choices=['revoke'])
    p.add_argument('task_ids', nargs='+')
    p.add_argument('--terminate', action='store_true')
    p.add_argument('--destination', default=None, help='one node name (default: every worker)')
    p.add_argument('--reply', action='store_true', help='wait for and print the replies')
    p.add_argument('--timeout', type=float, default=5.0)
    ns = p.parse_args()

    from interop_tasks import app

    task_id = ns.task_ids[0] if len(ns.task_ids) == 1 else ns.task_ids
    destination = [ns.destination] if ns.destination else None
    replies = app.control.revoke(task_id, destination=destination, terminate=ns.terminate,
                                 reply=ns.reply, timeout=ns.timeout)
    sys.stdout.write(json.dumps({'replies': replies}) + '\n')
    return 0


if __name__ == '__main__':
    code = main()
    sys.stdout.flush()
    os._exit(code)
