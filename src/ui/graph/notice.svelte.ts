/**
 * A short message shown where the user acted (a refused connection at the drop point) for a few seconds, and
 * announced to screen readers through a live region that keeps the text after the bubble has gone.
 */
export type NoticeTone = 'error' | 'info';

export class Notice {
  text = $state('');
  tone = $state<NoticeTone>('error');
  /** Position inside the canvas, in CSS pixels from its top-left corner. */
  x = $state(0);
  y = $state(0);
  /** What the live region reads out. */
  live = $state('');
  #timer: ReturnType<typeof setTimeout> | undefined;
  #duration: number;

  constructor(duration = 3000) {
    this.#duration = duration;
  }

  show(text: string, at: { x: number; y: number }, tone: NoticeTone = 'error'): void {
    clearTimeout(this.#timer);
    this.text = text;
    this.tone = tone;
    this.x = at.x;
    this.y = at.y;
    this.announce(text);
    this.#timer = setTimeout(() => (this.text = ''), this.#duration);
  }

  /** Read a message out without showing a bubble; the same message twice in a row is read twice. */
  announce(text: string): void {
    this.live = this.live === text ? `${text}\u00a0` : text;
  }

  dismiss(): void {
    clearTimeout(this.#timer);
    this.text = '';
  }
}
