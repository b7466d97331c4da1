import type { TargetStatus } from '#contract/upload.ts';

/** An upload target's state in words (header tooltip, supervisor page). */
export const TARGET_STATE = {
  idle: 'upload.targetState.idle',
  sending: 'upload.targetState.sending',
  retrying: 'upload.targetState.retrying',
  disabled: 'upload.targetState.disabled',
  removed: 'upload.targetState.removed',
} as const satisfies Record<TargetStatus['state'], string>;
