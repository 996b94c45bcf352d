// The send log moved to src/state/send-log.ts (one per-user file, not beside each report folder);
// this module keeps the old import path working.
export * from '../state/send-log.js';
