import type { EmitFunction } from '@celeriac/core';
/** Payloads of the events a Beat emits. */

/** A slot published (broker-confirmed) and recorded as fired by this beat. */
export interface FiredInfo {
  name: string;
  /** The slot time the fire belongs to (not the send time). */
  slot: Date;
  /** slotTaskId(name, slot): the same for every beat, so a duplicate is recognisable. */
  taskId: string;
  /** How long after the slot the broker confirmed the task. */
  lateMs: number;
}

/** A schedule that could not be planned or sent; it is skipped until it is edited. */
export interface ScheduleErrorInfo {
  name: string;
  error: Error;
}

/** Why a beat stopped leading. */
export interface LeaderLostInfo {
  reason: string;
}

/**
 * Event name → listener arguments, for `beat.on(...)`. A type alias, not an interface with an
 * index signature: the signature would make every string a valid event name.
 */
export type BeatEvents = {
  'schedule:fired': [info: FiredInfo];
  'schedule:error': [info: ScheduleErrorInfo];
  /** This beat holds the leader lock; its loop runs and it answers schedule commands. */
  'leader:acquired': [];
  /** This beat no longer holds the lock; it stopped firing and is back to standby (or stopping). */
  'leader:lost': [info: LeaderLostInfo];
};

/** How components inside the beat emit its events. */
export type EmitBeatEvent = EmitFunction<BeatEvents>;
