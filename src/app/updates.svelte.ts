/**
 * The service worker: precaches the app shell so it opens offline, and tells the user when a new version is
 * waiting ("reload to update") instead of swapping code under a running session.
 */
import { registerSW } from 'virtual:pwa-register';

class Updates {
  needRefresh = $state(false);
  offlineReady = $state(false);
  #update: ((reload?: boolean) => Promise<void>) | undefined;

  start(): void {
    if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
    this.#update = registerSW({
      immediate: true,
      onNeedRefresh: () => {
        this.needRefresh = true;
      },
      onOfflineReady: () => {
        this.offlineReady = true;
      },
      onRegisterError: (error: unknown) => console.warn('DeepForge could not install its offline cache:', error),
    });
  }

  async reload(): Promise<void> {
    await this.#update?.(true);
  }
}

export const updates = new Updates();
export function startUpdates(): void {
  updates.start();
}
