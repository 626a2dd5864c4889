/**
 * The callback ctx.fitCallbacks() gives model.fit: loss and metrics per batch and per epoch as `metric` events,
 * progress, and Cancel (model.stopTraining). Nothing in the training loop waits for the GPU: each batch's log scalar
 * is cloned and read asynchronously, the event sent when the value arrives. It also yields to the event loop a few
 * times a second, so that a cancel message is heard while fit runs (tfjs only yields for callback objects, not for
 * Callback instances).
 *
 * Series: `batch/<name>` per batch (step = batches so far in the job), `<name>` per epoch (step = epoch from 1);
 * tfjs's `acc` is called `accuracy`.
 */
import * as tf from '@tensorflow/tfjs';

type UnresolvedLogs = Record<string, number | tf.Scalar>;

export interface FitSink {
  metric(name: string, value: number, step: number): void;
  progress(fraction: number): void;
  readonly signal: AbortSignal;
}

/** Counters shared by every fit of one job, so that a second fit continues the series. */
export interface FitCounters {
  batches: number;
  epochs: number;
}

const YIELD_EVERY_MS = 200;

function metricName(key: string): string {
  return key.replace(/(^|_)acc$/, '$1accuracy');
}

function macrotask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export class FitStream extends tf.Callback {
  #lastYield = Date.now();
  #epoch = 0;

  constructor(
    private readonly sink: FitSink,
    private readonly counters: FitCounters,
  ) {
    super();
    // Bound, so that it also works where tfjs takes it for a plain callbacks object (listed after one in an array).
    this.onEpochBegin = this.onEpochBegin.bind(this);
    this.onBatchEnd = this.onBatchEnd.bind(this);
    this.onEpochEnd = this.onEpochEnd.bind(this);
  }

  /** Stop fit at the end of this batch; without the model (used as a plain callbacks object) by throwing. */
  #stopIfCanceled(): void {
    if (!this.sink.signal.aborted) return;
    if (this.model) this.model.stopTraining = true;
    else throw new Error('The run was canceled.');
  }

  #send(logs: UnresolvedLogs | undefined, prefix: string, step: number): void {
    for (const [key, value] of Object.entries(logs ?? {})) {
      if (key === 'batch' || key === 'size') continue;
      const name = `${prefix}${metricName(key)}`;
      if (typeof value === 'number') {
        this.sink.metric(name, value, step);
        continue;
      }
      const copy = tf.keep(value.clone());
      void copy
        .data()
        .then((d) => this.sink.metric(name, d[0]!, step))
        .finally(() => copy.dispose());
    }
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.#epoch = epoch;
  }

  override async onBatchEnd(batch: number, logs?: UnresolvedLogs): Promise<void> {
    this.counters.batches += 1;
    this.#send(logs, 'batch/', this.counters.batches);
    const params = this.params ?? {};
    const epochs = Number(params.epochs) || 1;
    const steps = Number(params.steps) || Math.ceil(Number(params.samples) / Number(params.batchSize)) || 0;
    if (steps) this.sink.progress(Math.min(1, (this.#epoch + (batch + 1) / steps) / epochs));
    this.#stopIfCanceled();
    if (Date.now() - this.#lastYield > YIELD_EVERY_MS) {
      await macrotask();
      this.#lastYield = Date.now();
      this.#stopIfCanceled();
    }
  }

  /**
   * The epoch's values are read here (once per epoch, not per batch) and written back into the logs as numbers:
   * tfjs's History, which runs after this, would otherwise hold every epoch's scalars until fit ends, and the
   * number of tensors would grow with each epoch.
   */
  override async onEpochEnd(_epoch: number, logs?: UnresolvedLogs): Promise<void> {
    this.counters.epochs += 1;
    for (const [key, value] of Object.entries(logs ?? {})) {
      if (typeof value === 'number') continue;
      logs![key] = (await value.data())[0]!;
      value.dispose();
    }
    this.#send(logs, '', this.counters.epochs);
    this.#stopIfCanceled();
  }
}
