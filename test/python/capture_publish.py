#!/usr/bin/python3
"""Helper for scripts/capture-celery-fixtures.mjs: make the real Celery client publish messages.

Reads a JSON spec from stdin:
  {"cases": [{"id": "v2-plain", "queue": "celeriac.fixture.x", "protocol": 2,
              "python": "app.send_task('proj.add', args=[2, 3])"}, ...]}
For every case it builds a fresh app (`app = Celery('capture')`, configured from celeryconfig.py,
then task_default_queue=<queue> and task_protocol=<protocol>) and evaluates the `python`
expression with `app` in scope. Prints one JSON line on stdout:
  {"celery": "5.2.6", "kombu": "5.2.4",
   "cases": [{"id": ..., "taskId": ..., "threadOid": <the app's rpc reply queue name>}, ...]}
The caller owns all queues: it must delete the case queues and each threadOid queue (the rpc
backend declares that reply queue before publishing).
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # keep test/python free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    spec = json.loads(sys.stdin.buffer.read().decode('utf-8'))

    import celery
    import kombu
    from celery import Celery

    out = {'celery': celery.__version__, 'kombu': kombu.__version__, 'cases': []}
    for case in spec['cases']:
        app = Celery('capture', set_as_current=False)
        app.config_from_object('celeryconfig')
        app.conf.update(task_default_queue=case['queue'], task_protocol=case.get('protocol', 2))
        try:
            r = eval(case['python'], {'app': app})  # noqa: S307 - trusted input from our own script
            out['cases'].append({'id': case['id'], 'taskId': getattr(r, 'id', None),
                                 'threadOid': app.thread_oid})
        finally:
            app.close()
    sys.stdout.write(json.dumps(out) + '\n')
    sys.stdout.flush()
    return 0


if __name__ == '__main__':
    os._exit(main())
