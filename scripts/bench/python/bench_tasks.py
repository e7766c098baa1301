"""The Python Celery 5.2 peer of Celeriac's drain benchmark (scripts/bench/drain.mjs).

Started as `python3 -m celery -A bench_tasks worker -P prefork -c <cores> -Q <queue> ...` from
this directory. The task is the same no-op the Celeriac worker runs. acks_late matches
Celeriac's default (acknowledge after the task ran), and no results are stored, as in the
Celeriac worker of the same benchmark (--result-backend disabled).

Env: CELERIAC_BROKER (default amqp://guest:guest@127.0.0.1:5672//).
"""
import os

from celery import Celery

app = Celery('celeriac_bench')
app.conf.update(
    broker_url=os.environ.get('CELERIAC_BROKER', 'amqp://guest:guest@127.0.0.1:5672//'),
    task_protocol=2,
    task_serializer='json',
    accept_content=['json'],
    result_backend=None,
    task_ignore_result=True,
    task_acks_late=os.environ.get('CELERIAC_BENCH_ACKS_LATE', '1') == '1',
    worker_hijack_root_logger=False,
)


@app.task(name='celeriac.bench.noop')
def noop():
    return None
