// The jobs module's public face.
export {
  type CreateJobQueueOptions,
  type JobContext,
  type JobHandler,
  type JobInfo,
  type JobOptions,
  type JobQueue,
  type JobState,
  type WorkOptions,
} from './queue.ts';
export { createJobQueue } from './create.ts';
export { JobAbortedError, type JobAbortReason, PermanentJobError } from './support.ts';
