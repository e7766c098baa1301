"""Tasks run by the Python Celery worker (5.2.6 or PyPI 5.6) in Celeriac's interop tests.

Start a worker with test/python/run_worker.sh <queue>.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from celery import Celery, bootsteps  # noqa: E402
from celery.utils.time import maybe_iso8601  # noqa: E402

app = Celery('interop')
app.config_from_object('celeryconfig')


class PromptWarmShutdown(bootsteps.StartStopStep):
    """Wakes the worker's event loop twice a second, so SIGTERM takes effect at once.

    From Celery 5.5 on, SIGTERM only sets state.should_stop (5.2 raised at once in a solo pool),
    and the loop checks that flag when its poll returns: with no timers (no heartbeat, no
    gossip) that is up to 10 s later. A no-op timer bounds the wait at half a second.
    """

    requires = {'celery.worker.consumer.tasks:Tasks'}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.tref = None

    def start(self, c):
        self.tref = c.timer.call_repeatedly(0.5, lambda: None)

    def stop(self, c):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


app.steps['consumer'].add(PromptWarmShutdown)

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


@app.task(name='interop.sleep')
def sleep_for(seconds):
    """Keeps a worker busy, so `inspect active` has something to show."""
    import time

    time.sleep(seconds)
    return seconds


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
def retry_to(self, queue, countdown=0):
    """Retries once, into `queue` (a Celeriac worker's in the interop tests), after `countdown` s.

    The retried message is what a Celeriac worker must understand: same id, retries=1, Python's
    reply_to, so the Python caller gets the result of whichever worker runs the retry.
    """
    if self.request.retries == 0:
        raise self.retry(queue=queue, countdown=countdown)
    return {'ran_by': 'python', 'retries': self.request.retries}
