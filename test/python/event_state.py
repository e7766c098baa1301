#!/usr/bin/python3
"""Watches Celery events with Celery's own receiver and cluster state, as `celery events` and
Flower do (app.events.Receiver + celery.events.state.State), for Celeriac's interop tests.

    event_state.py --node <nodename> [--tasks N] [--timeout S]

Prints `ready` once its queue is bound to celeryev. Stops when <nodename> went offline after
N tasks of it reached a ready state, or after the timeout; then prints one JSON line: the worker
as State saw it (alive while it was online, freq, processed, active, loadavg, sw_*) and its
tasks (state, name, args, kwargs, result, runtime, exception, received/started timestamps).
"""
import json
import os
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402

from celery.events.state import State  # noqa: E402
from interop_tasks import app  # noqa: E402

WORKER_FIELDS = ('hostname', 'freq', 'processed', 'active', 'loadavg', 'sw_ident', 'sw_ver', 'sw_sys', 'pid', 'clock')
TASK_FIELDS = ('uuid', 'state', 'name', 'args', 'kwargs', 'result', 'runtime', 'exception', 'traceback',
               'received', 'started', 'succeeded', 'failed', 'retries', 'root_id')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--node', required=True)
    parser.add_argument('--tasks', type=int, default=2)
    parser.add_argument('--timeout', type=float, default=30)
    options = parser.parse_args()

    state = State()
    seen = {'alive_while_online': False, 'types': []}

    def on_event(event):
        state.event(event)
        if event.get('hostname') != options.node:
            return
        seen['types'].append(event['type'])
        worker = state.workers.get(options.node)
        if event['type'] == 'worker-heartbeat' and worker is not None and worker.alive:
            seen['alive_while_online'] = True
        if event['type'] == 'worker-offline' and len(finished()) >= options.tasks:
            receiver.should_stop = True

    def finished():
        return [t for t in state.tasks.values() if t.worker and t.worker.hostname == options.node and t.ready]

    class ReadyReceiver(app.events.Receiver):
        def on_consume_ready(self, connection, channel, consumers, **kwargs):
            print('ready', flush=True)

    with app.connection_for_read() as connection:
        receiver = ReadyReceiver(connection, handlers={'*': on_event}, app=app)
        timer = threading.Timer(options.timeout, lambda: setattr(receiver, 'should_stop', True))
        timer.daemon = True
        timer.start()
        try:
            receiver.capture(limit=None, timeout=None, wakeup=False)
        except Exception as error:  # noqa: BLE001 - a stop while draining is how the loop ends
            seen['stopped_by'] = repr(error)

    worker = state.workers.get(options.node)
    out = {
        'celery': __import__('celery').__version__,
        'seen': seen,
        'worker': None if worker is None else {f: getattr(worker, f, None) for f in WORKER_FIELDS},
        'alive_at_end': None if worker is None else worker.alive,
        'tasks': {t.uuid: {f: getattr(t, f, None) for f in TASK_FIELDS} for t in state.tasks.values()
                  if t.worker and t.worker.hostname == options.node},
    }
    sys.stdout.write(json.dumps(out, default=repr) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
    os._exit(0)
