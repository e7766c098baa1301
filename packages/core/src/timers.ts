/**
 * The longest delay setTimeout honours: 2^31-1 ms, about 24.8 days. Node fires a longer timer at
 * once (with a warning), so every timer that can be long (beat's sleep until the next slot, a
 * time limit from a peer's header) is checked against this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
