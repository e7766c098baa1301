#!/usr/bin/python3
"""Play the Python Celery client in interop tests.

  /usr/bin/python3 test/python/send_task.py --name TASK [--args JSON] [--kwargs JSON]
      [--queue Q] [--timeout S] [--headers JSON] [--countdown S] [--expires S] [--priority N]
      [--time-limit S] [--soft-time-limit S]

Prints exactly one line of JSON on stdout (every line also carries "reply_to": the name of the
rpc reply queue this client declared, so a test can delete it if something went wrong):
  {"status": "SUCCESS", "task_id": ..., "result": ...}
  {"status": "FAILURE", "task_id": ..., "exc_type": ..., "exc_module": ..., "exc_message": ..., "traceback": ...}
      (any exception raised by r.get(), e.g. a revoked task or a remote error)
  {"status": "TIMEOUT", "task_id": ..., "timeout": S}            exit code 3
  {"status": "ERROR", "exc_type": ..., "exc_message": ...}       exit code 1 (could not publish)
SUCCESS and FAILURE exit with 0. A bad command line exits with 2 (argparse).
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True  # keep test/python free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def emit(obj, reply_to):
    obj['reply_to'] = reply_to
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--name', required=True, help='task name, e.g. ts.add')
    p.add_argument('--args', default='[]', help='JSON array of positional args')
    p.add_argument('--kwargs', default='{}', help='JSON object of keyword args')
    p.add_argument('--queue', default=None, help='target queue (default: task_default_queue)')
    p.add_argument('--timeout', type=float, default=10.0, help='seconds to wait for the result')
    p.add_argument('--headers', default=None, help='JSON object of extra message headers')
    p.add_argument('--countdown', type=float, default=None)
    p.add_argument('--expires', type=float, default=None)
    p.add_argument('--priority', type=int, default=None)
    p.add_argument('--time-limit', dest='time_limit', type=float, default=None)
    p.add_argument('--soft-time-limit', dest='soft_time_limit', type=float, default=None)
    ns = p.parse_args()

    try:
        args = json.loads(ns.args)
        kwargs = json.loads(ns.kwargs)
        headers = json.loads(ns.headers) if ns.headers else None
    except ValueError as e:
        p.error('invalid JSON: %s' % e)
    if not isinstance(args, list):
        p.error('--args must be a JSON array')
    if not isinstance(kwargs, dict):
        p.error('--kwargs must be a JSON object')
    if headers is not None and not isinstance(headers, dict):
        p.error('--headers must be a JSON object')

    from celery.exceptions import TimeoutError as CeleryTimeoutError
    from interop_tasks import app

    import rpc_quiet_timeouts

    rpc_quiet_timeouts.install()

    oid = app.thread_oid  # the rpc reply queue send_task declares before publishing
    options = {}
    for key in ('queue', 'countdown', 'expires', 'priority', 'headers', 'time_limit', 'soft_time_limit'):
        value = headers if key == 'headers' else getattr(ns, key)
        if value is not None:
            options[key] = value

    try:
        r = app.send_task(ns.name, args=args, kwargs=kwargs, **options)
    except Exception as e:  # broker down, etc.
        emit({'status': 'ERROR', 'exc_type': type(e).__name__, 'exc_message': str(e)}, oid)
        return 1

    try:
        result = r.get(timeout=ns.timeout)
    except CeleryTimeoutError:
        emit({'status': 'TIMEOUT', 'task_id': r.id, 'timeout': ns.timeout}, oid)
        return 3
    except Exception as e:
        emit({
            'status': 'FAILURE',
            'task_id': r.id,
            'exc_type': type(e).__name__,
            'exc_module': type(e).__module__,  # 'builtins' = a real Python class, not a synthesized one
            'exc_message': str(e),
            'traceback': r.traceback,
        }, oid)
        return 0
    emit({'status': 'SUCCESS', 'task_id': r.id, 'result': result}, oid)
    return 0


if __name__ == '__main__':
    code = main()
    sys.stdout.flush()
    # Skip interpreter teardown of kombu/amqp threads: exit right away with our code.
    os._exit(code)
