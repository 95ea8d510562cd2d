// The scheduler's entry points.
export { Scheduler, DEFAULT_SCHEDULER_NAME, type SchedulerOptions } from './scheduler.ts';
export { DEFAULT_PROFILE, type Profile } from './profile.ts';
