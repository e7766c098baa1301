"""The Python Celery peer of Celeriac's drain and CPU benchmarks (scripts/bench/drain.mjs,
scripts/bench/cpu.mjs).

Started as `python3 -m celery -A bench_tasks worker -P prefork -c <n> -Q <queue> ...` from this
directory, with Debian's Celery 5.2 (drain) or the PyPI Celery of .venv-celery (CPU). The tasks
are the ones the Celeriac worker runs: a no-op, and the same loop of integer arithmetic.
acks_late matches Celeriac's default (acknowledge after the task ran). The drain stores no
results, as the Celeriac worker of the same benchmark (--result-backend disabled); the CPU
benchmark waits for its results (CELERIAC_BENCH_RESULTS=rpc://).

Env: CELERIAC_BROKER (default amqp://guest:guest@127.0.0.1:5672//), CELERIAC_BENCH_RESULTS.
"""
import os

from celery import Celery

app = Celery('celeriac_bench')
app.conf.update(
    broker_url=os.environ.get('CELERIAC_BROKER', 'amqp://guest:guest@127.0.0.1:5672//'),
    task_protocol=2,
    task_serializer='json',
    accept_content=['json'],
    # The CPU benchmark waits for results (rpc://); the drain stores none.
    result_backend=os.environ.get('CELERIAC_BENCH_RESULTS') or None,
    task_ignore_result=not os.environ.get('CELERIAC_BENCH_RESULTS'),
    task_acks_late=os.environ.get('CELERIAC_BENCH_ACKS_LATE', '1') == '1',
    worker_hijack_root_logger=False,
)


@app.task(name='celeriac.bench.noop')
def noop():
    return None


@app.task(name='celeriac.bench.compute')
def compute(iterations):
    # The same loop as scripts/bench/apps/bench-tasks.mjs: integer arithmetic, CPU-bound.
    x = 0
    for i in range(iterations):
        x = (x * 31 + i) % 1000003
    return x
