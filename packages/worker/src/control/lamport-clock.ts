/**
 * The worker's Lamport clock, as Celery's `app.clock`: every control message moves it forward,
 * replies, hellos and events carry it, and mingle sets it past the other workers' clocks. The
 * class is core's, shared with the event dispatcher and the client.
 */
export { LamportClock } from '@celeriac/core';
