/** How execution and job statuses read and look, shared by the execution views. */
import type { ExecutionStatus, JobStatus } from '../../model/types';

export function statusLabel(status: ExecutionStatus | JobStatus): string {
  return status[0]!.toUpperCase() + status.slice(1);
}

/** The pill class for a status: green for done, red for failed, amber for stopped, accent while running. */
export function statusTone(status: ExecutionStatus | JobStatus): 'success' | 'danger' | 'warning' | 'accent' | '' {
  switch (status) {
    case 'succeeded':
    case 'cached':
      return 'success';
    case 'failed':
      return 'danger';
    case 'canceled':
    case 'interrupted':
    case 'skipped':
      return 'warning';
    case 'running':
      return 'accent';
    default:
      return '';
  }
}
