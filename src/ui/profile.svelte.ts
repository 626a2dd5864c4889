/**
 * The local profile: a display name and colour kept on this device, which history and presence use to say who did
 * what. Nothing here leaves the device except inside change messages and presence.
 */
const KEY = 'deepforge.profile';
export const PROFILE_COLORS = ['#e11d48', '#ea580c', '#ca8a04', '#16a34a', '#0d9488', '#0284c7', '#4f46e5', '#9333ea', '#db2777'];
const ANIMALS = ['Otter', 'Heron', 'Lynx', 'Panda', 'Falcon', 'Koala', 'Ibex', 'Marten', 'Puffin', 'Gecko'];

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)]!;
}

export class Profile {
  name = $state('');
  color = $state(PROFILE_COLORS[6]!);
  /** False until the user has chosen a name themselves. */
  chosen = $state(false);
  readonly #storage: Storage | undefined;

  constructor(storage: Storage | undefined = globalThis.localStorage) {
    this.#storage = storage;
    let saved: { name?: unknown; color?: unknown; chosen?: unknown } = {};
    try {
      saved = JSON.parse(storage?.getItem(KEY) ?? '{}');
    } catch {
      // A damaged profile is replaced; it holds nothing but a name and a colour.
    }
    this.name = typeof saved.name === 'string' && saved.name.trim() ? saved.name : `Anonymous ${pick(ANIMALS)}`;
    this.color = typeof saved.color === 'string' && /^#[0-9a-f]{6}$/i.test(saved.color) ? saved.color : pick(PROFILE_COLORS);
    this.chosen = saved.chosen === true;
    if (!saved.name) this.#save();
  }

  update(name: string, color: string): void {
    this.name = name.trim().slice(0, 60) || this.name;
    this.color = color;
    this.chosen = true;
    this.#save();
  }

  get initials(): string {
    return this.name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]!.toUpperCase())
      .join('');
  }

  get author(): { name: string; color: string } {
    return { name: this.name, color: this.color };
  }

  #save(): void {
    this.#storage?.setItem(KEY, JSON.stringify({ name: this.name, color: this.color, chosen: this.chosen }));
  }
}
