/** Light, dark, or follow the system; remembered on this device and applied before first paint by index.html. */
export type ThemeMode = 'system' | 'light' | 'dark';
const KEY = 'deepforge.theme';

class Theme {
  mode = $state<ThemeMode>('system');
  #media: MediaQueryList | undefined;

  start(): void {
    const saved = localStorage.getItem(KEY);
    this.mode = saved === 'light' || saved === 'dark' ? saved : 'system';
    this.#media = matchMedia('(prefers-color-scheme: dark)');
    this.#media.addEventListener('change', () => this.#apply());
    this.#apply();
  }

  /** Cycle system → light → dark. */
  next(): void {
    this.set(this.mode === 'system' ? 'light' : this.mode === 'light' ? 'dark' : 'system');
  }

  set(mode: ThemeMode): void {
    this.mode = mode;
    localStorage.setItem(KEY, mode);
    this.#apply();
  }

  get effective(): 'light' | 'dark' {
    if (this.mode !== 'system') return this.mode;
    return this.#media?.matches ? 'dark' : 'light';
  }

  #apply(): void {
    document.documentElement.dataset.theme = this.effective;
  }
}

export const theme = new Theme();
