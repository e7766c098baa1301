"""Call a task the way a Python application does, and say exactly what came back.

  $CELERIAC_TEST_PYTHON test/python/call_task.py --name TASK [--args JSON] [--kwargs JSON]
      [--queue Q] [--timeout S] [--time-limit S] [--soft-time-limit S]

Runs `app.send_task(name, args=..., kwargs=...)` then `AsyncResult.get()` and prints one JSON line
(Python's json.dumps, so NaN and Infinity are bare tokens, as kombu writes them):
  {"status": "SUCCESS", "task_id": ..., "result": ..., "result_repr": repr(result)}
  {"status": "FAILURE", "task_id": ..., "exc_class": ..., "exc_message": str(exc)}
  {"status": "TIMEOUT", "task_id": ...}                                    exit code 3
`exc_class` names where the raised class really lives: "celery.exceptions.SoftTimeLimitExceeded"
when it *is* that class (identity, not name), "builtins.TypeError" likewise, and
"<module>.<name> (synthesized)" for a class Celery made up because it found no such exception.
--args/--kwargs are read with json.loads, so they may hold NaN/Infinity too. Works with Celery 5.2
and 5.6: it needs only celeryconfig.py, not the interop worker's tasks.
"""
import argparse
import builtins
import json
import os
import sys

sys.dont_write_bytecode = True  # keep test/python free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def exc_class(exc):
    import celery.exceptions
    cls = type(exc)
    for module in (celery.exceptions, builtins):
        if getattr(module, cls.__name__, None) is cls:
            return '%s.%s' % (module.__name__, cls.__name__)
    return '%s.%s (synthesized)' % (cls.__module__, cls.__qualname__)


def emit(obj, reply_to):
    import celery
    obj['reply_to'] = reply_to
    obj['celery'] = celery.__version__
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--name', required=True)
    p.add_argument('--args', default='[]')
    p.add_argument('--kwargs', default='{}')
    p.add_argument('--queue', default=None)
    p.add_argument('--timeout', type=float, default=20.0)
    p.add_argument('--time-limit', dest='time_limit', type=float, default=None)
    p.add_argument('--soft-time-limit', dest='soft_time_limit', type=float, default=None)
    ns = p.parse_args()

    from celery import Celery
    from celery.exceptions import TimeoutError as CeleryTimeoutError

    import rpc_quiet_timeouts

    rpc_quiet_timeouts.install()

    app = Celery('pyuser')
    app.config_from_object('celeryconfig')
    oid = app.thread_oid
    options = {key: getattr(ns, key) for key in ('queue', 'time_limit', 'soft_time_limit') if getattr(ns, key) is not None}
    r = app.send_task(ns.name, args=json.loads(ns.args), kwargs=json.loads(ns.kwargs), **options)
    try:
        result = r.get(timeout=ns.timeout)
    except CeleryTimeoutError:
        emit({'status': 'TIMEOUT', 'task_id': r.id}, oid)
        return 3
    except Exception as e:
        emit({'status': 'FAILURE', 'task_id': r.id, 'exc_class': exc_class(e), 'exc_message': str(e)}, oid)
        return 0
    emit({'status': 'SUCCESS', 'task_id': r.id, 'result': result, 'result_repr': repr(result)}, oid)
    return 0


if __name__ == '__main__':
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown of kombu/amqp threads
