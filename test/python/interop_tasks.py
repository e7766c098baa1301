"""Tasks run by the Python (Celery 5.2.6) worker in Celeriac's interop tests.

Start a worker with test/python/run_worker.sh <queue>.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from celery import Celery  # noqa: E402
from celery.utils.time import maybe_iso8601  # noqa: E402

app = Celery('interop')
app.config_from_object('celeryconfig')

# Request attributes echoed back by interop.request_info.
REQUEST_FIELDS = (
    'id', 'retries', 'timelimit', 'eta', 'expires', 'root_id', 'parent_id', 'origin',
    'x_num', 'x_str',
)


def _jsonable(value):
    """datetimes etc. -> str so the rpc json result serializer never chokes."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, 'isoformat'):
        return value.isoformat()
    return repr(value)


@app.task(name='interop.add')
def add(x, y):
    return x + y


@app.task(name='interop.echo')
def echo(*args, **kwargs):
    return {'args': list(args), 'kwargs': kwargs}


@app.task(name='interop.fail')
def fail(msg):
    raise ValueError(msg)


@app.task(name='interop.request_info', bind=True)
def request_info(self):
    info = {name: _jsonable(getattr(self.request, name, None)) for name in REQUEST_FIELDS}
    # Python type names, so a test can prove ints arrived as ints (not strings/floats).
    info['types'] = {name: type(getattr(self.request, name, None)).__name__ for name in REQUEST_FIELDS}
    # The eta/expires headers stay raw strings on self.request; the worker schedules and expires
    # tasks from maybe_iso8601() of them. Show that parse too, so a test can catch misread
    # fractions (5.2 reads '.123' as 123 microseconds).
    for name in ('eta', 'expires'):
        parsed = maybe_iso8601(getattr(self.request, name, None))
        info[name + '_parsed'] = parsed.isoformat() if parsed else None
    return info


@app.task(name='interop.retry_to', bind=True)
def retry_to(self, queue):
    """Retries once, into `queue` (a Celeriac worker's in the interop tests), with countdown=0.

    The retried message is what a Celeriac worker must understand: same id, retries=1, Python's
    reply_to, so the Python caller gets the result of whichever worker runs the retry.
    """
    if self.request.retries == 0:
        raise self.retry(queue=queue, countdown=0)
    return {'ran_by': 'python', 'retries': self.request.retries}
