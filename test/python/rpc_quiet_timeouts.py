"""Celery 5.6.3's rpc result consumer takes the socket timeout that ends each quiet wait of
`AsyncResult.get()` for a lost connection: it cancels its consumer, the auto-delete reply queue
goes with it, and a result arriving in that moment is lost (about 1 call in 5 here, with Celery
and Celeriac workers alike). A Python application on 5.6.3 meets the same; our Python callers
keep the quiet timeout a timeout, so the interop tests measure Celeriac, not this bug.
Celery versions without `ResultConsumer._reconnect` (5.2, 5.5) are left alone.
"""
import socket

from celery.backends import rpc


def install():
    consumer = rpc.ResultConsumer
    if not hasattr(consumer, '_reconnect'):
        return
    original = consumer.drain_events

    def drain_events(self, timeout=None):
        if not self._connection:
            return original(self, timeout)
        try:
            return self._connection.drain_events(timeout=timeout)
        except socket.timeout:
            raise
        except self._connection_errors:
            self._reconnect()

    consumer.drain_events = drain_events
