/**
 * A short text edited in place (a name, a cell of a table): the draft follows the saved value until the control gets
 * focus; Enter or leaving the control commits, Escape puts the saved value back; a refused value is kept in `error`
 * and the draft returns to the saved value. Create it while a component initialises (it follows `value` for as
 * long as that component lives).
 */
export class InPlaceText {
  draft = $state('');
  editing = $state(false);
  error = $state<string | null>(null);

  constructor(
    private readonly value: () => string,
    /** Saves a changed draft; returns why it was refused, or null. */
    private readonly save: (draft: string) => string | null,
    private readonly unchanged: (draft: string, value: string) => boolean = (draft, value) => draft === value,
  ) {
    $effect(() => {
      if (!this.editing) this.draft = value();
    });
  }

  focus = (): void => {
    this.editing = true;
  };

  commit = (): void => {
    this.editing = false;
    if (this.unchanged(this.draft, this.value())) {
      this.error = null;
      return;
    }
    this.error = this.save(this.draft);
    if (this.error) this.draft = this.value();
  };

  keydown = (e: KeyboardEvent): void => {
    const input = e.currentTarget as HTMLInputElement;
    if (e.key === 'Enter') input.blur();
    if (e.key === 'Escape') {
      this.draft = this.value();
      this.editing = false;
      this.error = null;
      input.blur();
    }
  };
}
