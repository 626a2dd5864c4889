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

  /** Let the waiting version take over, then reload into it (once it controls the page). */
  async reload(): Promise<void> {
    let reloading = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (!reloading) {
        reloading = true;
        location.reload();
      }
    });
    await this.#update?.(true);
  }
}

export const updates = new Updates();
export function startUpdates(): void {
  updates.start();
}
