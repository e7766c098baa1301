"""The Python Celery peer of Celeriac's steady beat benchmark (scripts/bench/beat-steady.mjs).

Started as `python3 -m celery -A bench_beat beat -s <file> -l info` from this directory, with
Debian's Celery 5.2 or the PyPI Celery of .venv-celery: CELERIAC_BENCH_BEAT_COUNT entries, each
the no-op task every second (timedelta(seconds=1)), sent to the queue CELERIAC_BENCH_BEAT_QUEUE
(which nothing consumes; the benchmark counts what arrives). The default scheduler
(PersistentScheduler, a shelve file given with -s), as a user runs it. Publishes are persistent
(Celery's default) and confirmed by the broker (confirm_publish), as Celeriac's beat and Client
publish.

Env: CELERIAC_BROKER (default amqp://guest:guest@127.0.0.1:5672//), CELERIAC_BENCH_BEAT_COUNT,
CELERIAC_BENCH_BEAT_QUEUE.
"""
import os
from datetime import timedelta

from celery import Celery

QUEUE = os.environ['CELERIAC_BENCH_BEAT_QUEUE']
COUNT = int(os.environ.get('CELERIAC_BENCH_BEAT_COUNT', '10000'))

app = Celery('celeriac_bench_beat')
app.conf.update(
    broker_url=os.environ.get('CELERIAC_BROKER', 'amqp://guest:guest@127.0.0.1:5672//'),
    broker_transport_options={'confirm_publish': True},
    task_protocol=2,
    task_serializer='json',
    accept_content=['json'],
    result_backend=None,
    beat_schedule={
        f'bench-{i}': {
            'task': 'bench.noop',
            'schedule': timedelta(seconds=1),
            'options': {'queue': QUEUE},
        }
        for i in range(COUNT)
    },
)
