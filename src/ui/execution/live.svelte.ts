/** An execution followed live as rune state: the stored document plus the newest live events, for one view. */
import type { Execution } from '../../model/execution';
import type { Runs } from './runs';

export class LiveExecution {
  execution = $state.raw<Execution | undefined>();
  /** Nobody this device can reach has the execution document (yet). */
  missing = $state(false);
  readonly #stop: () => void;

  constructor(runs: Runs, url: string) {
    this.#stop = runs.watch(
      url,
      (execution) => {
        this.execution = execution;
        this.missing = false;
      },
      () => (this.missing = true),
    );
  }

  destroy(): void {
    this.#stop();
  }
}
