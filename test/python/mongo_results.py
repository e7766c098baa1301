#!/usr/bin/python3
"""Play a Python Celery client of the MongoDB result backend in interop tests.

  PYTHON test/python/mongo_results.py read --backend mongodb://HOST:PORT/DB --id TASK_ID [--timeout S]
  PYTHON test/python/mongo_results.py index --backend mongodb://HOST:PORT/DB

read: AsyncResult(id).get() through Celery's own mongodb backend; prints one JSON line:
  {"status": "SUCCESS", "result": ..., "state": ...}
  {"status": "FAILURE", "state": ..., "exc_type": ..., "exc_module": ..., "exc_message": ..., "traceback": ...}
  {"status": "TIMEOUT"}                                              exit code 3
index: touches the backend's collections, which makes Celery run its own
  create_index('date_done'); prints {"indexes": [names]}.
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True


def app_for(backend):
    from celery import Celery
    broker = os.environ.get('CELERIAC_TEST_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//')
    app = Celery('mongo_results', broker=broker, backend=backend)
    app.conf.update(result_serializer='json', accept_content=['json'], result_accept_content=['json'])
    return app


def read(ns):
    from celery.exceptions import TimeoutError as CeleryTimeoutError
    app = app_for(ns.backend)
    result = app.AsyncResult(ns.id)
    try:
        value = result.get(timeout=ns.timeout, interval=0.1)
    except CeleryTimeoutError:
        print(json.dumps({'status': 'TIMEOUT'}))
        return 3
    except Exception as exc:  # the task's own exception, rebuilt by Celery
        print(json.dumps({'status': 'FAILURE', 'state': result.state, 'exc_type': type(exc).__name__,
                          'exc_module': type(exc).__module__, 'exc_message': str(exc), 'traceback': result.traceback}))
        return 0
    print(json.dumps({'status': 'SUCCESS', 'state': result.state, 'result': value}))
    return 0


def index(ns):
    backend = app_for(ns.backend).backend
    collection = backend.collection  # Celery creates its date_done index here
    print(json.dumps({'indexes': sorted(collection.index_information().keys())}))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('command', choices=['read', 'index'])
    p.add_argument('--backend', required=True)
    p.add_argument('--id')
    p.add_argument('--timeout', type=float, default=10.0)
    ns = p.parse_args()
    return read(ns) if ns.command == 'read' else index(ns)


if __name__ == '__main__':
    sys.exit(main())
