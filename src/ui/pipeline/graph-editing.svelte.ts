/**
 * What every graph editor (pipelines, architectures) does with a gesture: run its plan through the project's `run`
 * (so it is undoable and lands in history), or show why not in a message at the pointer.
 */
import type { XYPosition } from '@xyflow/svelte';
import { tick } from 'svelte';
import { isRefusal, type PlanResult } from '../../model/plan';
import type { Id } from '../../model/types';
import { Notice } from './notice.svelte';

/** The part of Svelte Flow's `useSvelteFlow()` the editors place messages and pan the view with. */
export interface PlacingFlow {
  getInternalNode(id: string): { internals: { positionAbsolute: XYPosition } } | undefined;
  flowToScreenPosition(position: XYPosition): XYPosition;
  getViewport(): { zoom: number };
  setCenter(x: number, y: number, options: { zoom: number; duration: number }): Promise<boolean>;
}

export abstract class GraphEditing {
  readonly notice = new Notice();
  /** Nodes the canvas is moving right now (pointer drag or arrow keys): rebuilds keep their canvas position. */
  // A plain Set on purpose: it is read while merging a rebuild and must not itself trigger one.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly held = new Set<Id>();
  /** The canvas element, for placing messages and finding the centre of the view. */
  canvas: HTMLElement | undefined = undefined;
  readonly #run: (plan: PlanResult) => string | null;
  readonly #placing: PlacingFlow;

  protected constructor(run: (plan: PlanResult) => string | null, flow: PlacingFlow) {
    this.#run = run;
    this.#placing = flow;
  }

  /** A client (viewport) point as a point inside the canvas; the top centre of the canvas when there is none. */
  protected local(client?: XYPosition): XYPosition {
    const r = this.canvas?.getBoundingClientRect();
    if (!r) return { x: 0, y: 0 };
    const p = client ? { x: client.x - r.left, y: client.y - r.top } : { x: r.width / 2, y: 0 };
    // The bubble (up to 320 px wide, centred above the point) stays inside the canvas.
    return { x: Math.min(Math.max(p.x, 170), Math.max(170, r.width - 170)), y: Math.max(p.y, 72) };
  }

  /** The client point just above a node's top-left corner, to show a message next to it. */
  clientOf(id: Id): XYPosition | undefined {
    const node = this.#placing.getInternalNode(id);
    if (!node) return undefined;
    const p = this.#placing.flowToScreenPosition(node.internals.positionAbsolute);
    return { x: p.x + 12, y: p.y - 8 };
  }

  refuse(text: string, client?: XYPosition): void {
    this.notice.show(text, this.local(client));
  }

  /** Pan (keeping the zoom) so that a node of `size` placed at `p` is in view. */
  protected async panTo(p: XYPosition, size: { width: number; height: number }): Promise<void> {
    await tick();
    const r = this.canvas?.getBoundingClientRect();
    if (!r) return;
    const a = this.#placing.flowToScreenPosition(p);
    const b = this.#placing.flowToScreenPosition({ x: p.x + size.width, y: p.y + size.height });
    if (a.x >= r.left && a.y >= r.top && b.x <= r.right && b.y <= r.bottom) return;
    const { zoom } = this.#placing.getViewport();
    await this.#placing.setCenter(p.x + size.width / 2, p.y + size.height / 2, { zoom, duration: 200 });
  }

  /** Runs the plan; a refusal (from the model or from `run`) is shown at `client` instead. */
  protected apply(plan: PlanResult, client?: XYPosition): boolean {
    if (isRefusal(plan)) {
      this.refuse(plan.refused, client);
      return false;
    }
    if (plan.edits.length === 0) return true;
    const why = this.#run(plan);
    if (why) {
      this.refuse(why, client);
      return false;
    }
    return true;
  }
}
