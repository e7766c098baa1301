"""Celery 5.2.6 configuration for the Python interop peer used by Celeriac's tests.

Environment:
  CELERIAC_TEST_BROKER_URL  broker URL (default amqp://guest:guest@127.0.0.1:5672//)
  CELERIAC_PEER_QUEUE       default task queue (default 'celery'); tests use private names
  CELERIAC_TRACK_STARTED    '1' -> task_track_started = True (worker publishes STARTED results)
  CELERIAC_TEST_RESULT_BACKEND  result backend URL (default rpc://)
  CELERIAC_PEER_QUEUE_TYPE  'quorum' -> task_default_queue_type and (5.6) task_create_missing_queue_type
                            = 'quorum', as a Celery 5.5+ service on quorum queues is set up
  CELERIAC_PEER_MISSING_EXCHANGE_TYPE  (5.6) task_create_missing_queue_exchange_type, e.g. 'topic':
                            a countdown to such a queue goes through native delayed delivery
"""
import os

broker_url = os.environ.get('CELERIAC_TEST_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//')

task_serializer = 'json'
result_serializer = 'json'
accept_content = ['json']
result_accept_content = ['json']
# mongodb://host:port/db in the MongoDB interop cases (test/interop-mongodb-results.test.ts).
result_backend = os.environ.get('CELERIAC_TEST_RESULT_BACKEND', 'rpc://')
task_protocol = 2
enable_utc = True

task_default_queue = os.environ.get('CELERIAC_PEER_QUEUE', 'celery')

task_track_started = os.environ.get('CELERIAC_TRACK_STARTED', '') in ('1', 'true', 'yes')

# Celery 5.5+ only (5.2 ignores the names): the default queue, and (5.6) any queue a send names,
# declared as quorum queues; a quorum queue in the app's config also turns on native delayed
# delivery (the celery_delayed_* lanes as quorum queues) and per-consumer prefetch.
if os.environ.get('CELERIAC_PEER_QUEUE_TYPE') == 'quorum':
    task_default_queue_type = 'quorum'
    task_create_missing_queue_type = 'quorum'

# 5.6 only: the exchange type Celery assumes for a queue a send names. Not 'direct' makes a
# quorum-configured producer publish countdowns to celery_delayed_27 (native delayed delivery).
# The client never declares that exchange, so a Celeriac queue's direct exchange is not touched.
if os.environ.get('CELERIAC_PEER_MISSING_EXCHANGE_TYPE'):
    task_create_missing_queue_exchange_type = os.environ['CELERIAC_PEER_MISSING_EXCHANGE_TYPE']
