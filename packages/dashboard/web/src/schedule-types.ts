/** Schedules as the API returns them. */
export interface Spec {
  kind: 'cron' | 'interval' | 'once';
  expression?: string;
  timezone?: string;
  everyMs?: number;
  at?: string;
}

export interface Entry {
  name: string;
  task: string;
  schedule: Spec;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: { queue?: string };
  enabled: boolean;
  lastSlot: string | null;
  runCount: number;
  nextFire: string | null;
}
