/**
 * The editing of one typed field of an inspector (a layer parameter, an operation attribute), whatever its control.
 * A value is checked before it is saved, an unchanged one is not saved, and a refusal (the check's or the save's) is
 * kept in `error` for the field to show. A text control's `text` follows the saved value until it gets focus and then
 * keeps what is typed (a remote change does not overwrite it); Enter and Escape both leave the control, Escape after
 * putting the saved text back, so that its blur handler is the one place that commits.
 */
export class FieldEdit<V> {
  error = $state<string | null>(null);
  /** Bound to a text control's value (a number control binds a number, or null while it is empty). */
  text = $state<string | number | null>('');
  editing = $state(false);
  readonly #field: FieldRules<V>;

  /** Create it while a component initialises: `text` follows the saved value for as long as that component lives. */
  constructor(field: FieldRules<V>) {
    this.#field = field;
    $effect(() => {
      if (!this.editing) this.text = field.toText(field.saved());
    });
  }

  commit(value: V): void {
    this.error = this.#field.check(value);
    if (this.error) return;
    if (this.#field.same(value, this.#field.saved())) return;
    this.error = this.#field.save(value);
  }

  /** Back to the default: the saved value is removed. */
  reset(): void {
    this.error = this.#field.save(undefined);
    this.editing = false;
  }

  focus = (): void => {
    this.editing = true;
  };

  /** Stops following what is typed and returns it, as text, for the blur handler to commit. */
  leave(): string {
    this.editing = false;
    return this.typed;
  }

  /** What is typed now, as text. */
  get typed(): string {
    return String(this.text ?? '');
  }

  keydown(e: KeyboardEvent & { currentTarget: HTMLInputElement }): void {
    if (e.key === 'Enter') e.currentTarget.blur();
    if (e.key === 'Escape') {
      this.text = this.#field.toText(this.#field.saved());
      this.error = null;
      e.currentTarget.blur();
    }
  }
}

/** What a field knows of its value; read at each use, so that they may read props. */
export interface FieldRules<V> {
  /** The value in effect: the saved one, or the default. */
  saved: () => V;
  toText: (value: V) => string;
  /** Why a value may not be saved, or null. */
  check: (value: V) => string | null;
  same: (a: V, b: V) => boolean;
  /** Saves a value (undefined: back to the default); returns a refusal, or null. */
  save: (value: V | undefined) => string | null;
}
