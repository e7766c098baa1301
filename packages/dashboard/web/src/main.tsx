/** The page: a header with the views and the live indicator, and the view the URL's hash names. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LiveTick, useLiveStream } from './hooks.js';
import { WorkersView } from './workers.js';
import { TasksView } from './tasks.js';
import { TaskPage } from './task-page.js';
import { QueuesView } from './queues.js';
import { SchedulesView } from './schedules.js';
import { DeadLettersView } from './dead-letters.js';

const VIEWS = [
  ['workers', 'Workers'],
  ['tasks', 'Tasks'],
  ['queues', 'Queues'],
  ['schedules', 'Schedules'],
  ['dead', 'Dead letters'],
] as const;

function useHash(): string {
  const [hash, setHash] = useState(location.hash.slice(2) || 'workers');
  useEffect(() => {
    const onChange = () => setHash(location.hash.slice(2) || 'workers');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

function View({ route }: { route: string }) {
  const [view, id] = route.split('/');
  if (view === 'tasks' && id) return <TaskPage id={decodeURIComponent(id)} />;
  if (view === 'tasks') return <TasksView />;
  if (view === 'queues') return <QueuesView />;
  if (view === 'schedules') return <SchedulesView />;
  if (view === 'dead') return <DeadLettersView />;
  return <WorkersView />;
}

function App() {
  const route = useHash();
  const [tick, live] = useLiveStream();
  const current = route.split('/')[0];
  return (
    <LiveTick.Provider value={tick}>
      <header>
        <h1>Celeriac</h1>
        <nav>
          {VIEWS.map(([path, title]) => (
            <a key={path} href={`#/${path}`} class={current === path ? 'active' : ''}>
              {title}
            </a>
          ))}
        </nav>
        <span class="live" id="live">
          {live ? '● live' : '○ connecting'}
        </span>
      </header>
      <main>
        <View route={route} />
      </main>
    </LiveTick.Provider>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
