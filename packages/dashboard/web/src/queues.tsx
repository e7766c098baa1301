/** Queues: depth, ready/unacked, consumers and rates (rates and unacked only from the management API). */
import { useEffect } from 'preact/hooks';
import { useApi } from './hooks.js';

interface QueueRow {
  name: string;
  exists: boolean;
  messages: number | null;
  ready: number | null;
  unacked: number | null;
  consumers: number | null;
  publishRate: number | null;
  deliverRate: number | null;
  ackRate: number | null;
}

const REFRESH_MS = 5000;
const show = (n: number | null) => (n === null ? '–' : String(n));
const rate = (n: number | null) => (n === null ? '–' : `${n.toFixed(1)}/s`);

export function QueuesView() {
  const { data, error, reload } = useApi<{ source: string; queues: QueueRow[] }>('/api/queues');
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <section>
      <h2>Queues</h2>
      {error && <div class="notice error">{error}</div>}
      {data && (
        <p class="muted">
          {data.source === 'management'
            ? 'From the RabbitMQ management API.'
            : 'From passive declares of the known queues (start with --management-url for unacked counts and rates).'}
        </p>
      )}
      <table id="queues">
        <thead>
          <tr>
            <th>Queue</th>
            <th>Messages</th>
            <th>Ready</th>
            <th>Unacked</th>
            <th>Consumers</th>
            <th>Publish</th>
            <th>Deliver</th>
            <th>Ack</th>
          </tr>
        </thead>
        <tbody>
          {(data?.queues ?? []).map((queue) => (
            <tr key={queue.name}>
              <td class="mono">
                {queue.name}
                {queue.exists ? '' : ' (missing)'}
              </td>
              <td class="num">{show(queue.messages)}</td>
              <td class="num">{show(queue.ready)}</td>
              <td class="num">{show(queue.unacked)}</td>
              <td class="num">{show(queue.consumers)}</td>
              <td class="num">{rate(queue.publishRate)}</td>
              <td class="num">{rate(queue.deliverRate)}</td>
              <td class="num">{rate(queue.ackRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
