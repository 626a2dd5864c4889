import { untrack } from 'svelte';

/** Short notices at the bottom of the screen, optionally with one action (e.g. Undo). */
export interface Toast {
  id: number;
  message: string;
  tone: 'info' | 'error' | 'success';
  action?: { label: string; run: () => void };
}

class Toasts {
  list = $state<Toast[]>([]);
  #next = 1;

  show(message: string, options: { tone?: Toast['tone']; action?: Toast['action']; timeoutMs?: number; onExpire?: () => void } = {}): number {
    const id = this.#next++;
    // Showing a notice from inside an effect must not make that effect depend on the list.
    untrack(() => {
      this.list = [...this.list, { id, message, tone: options.tone ?? 'info', ...(options.action ? { action: options.action } : {}) }];
    });
    const timeout = options.timeoutMs ?? (options.tone === 'error' ? 10_000 : 5_000);
    setTimeout(() => {
      if (untrack(() => this.list.some((t) => t.id === id))) {
        this.dismiss(id);
        options.onExpire?.();
      }
    }, timeout);
    return id;
  }

  dismiss(id: number): void {
    untrack(() => {
      this.list = this.list.filter((t) => t.id !== id);
    });
  }
}

export const toasts = new Toasts();
