/**
 * What every graph editor (pipelines, architectures) does with a gesture: run its plan through the project's `run`
 * (so it is undoable and lands in history), or show why not in a message at the pointer.
 */
import type { XYPosition } from '@xyflow/svelte';
import { tick } from 'svelte';
import { isRefusal, type PlanResult } from '../../model/plan';
import type { Id } from '../../model/types';
import type { Selection } from '../project/selection';
import { Notice } from './notice.svelte';
import type { Box } from './placement';

/** The part of Svelte Flow's `useSvelteFlow()` the editors place messages and pan the view with. */
export interface PlacingFlow {
  getInternalNode(id: string): { internals: { positionAbsolute: XYPosition }; measured: { width?: number; height?: number } } | undefined;
  flowToScreenPosition(position: XYPosition): XYPosition;
  getViewport(): { zoom: number };
  setCenter(x: number, y: number, options: { zoom: number; duration: number }): Promise<boolean>;
  screenToFlowPosition(position: XYPosition, options: { snapToGrid: boolean }): XYPosition;
}

/** What every graph editor reads of its surroundings: the selection, and the project's `run` (undo, history). */
export interface GraphContext {
  readonly selection: Selection;
  run(plan: PlanResult): string | null;
  select(selection: Selection): void;
}

/** A plan's message ("deleted 2 nodes") as a sentence to read out. */
export const sentence = (message: string): string => message.charAt(0).toUpperCase() + message.slice(1) + '.';

export abstract class GraphEditing {
  readonly notice = new Notice();
  /** Nodes the canvas is moving right now (pointer drag or arrow keys): rebuilds keep their canvas position. */
  // A plain Set on purpose: it is read while merging a rebuild and must not itself trigger one.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly held = new Set<Id>();
  /** The canvas element, for placing messages and finding the centre of the view. */
  canvas: HTMLElement | undefined = undefined;
  readonly #ctx: GraphContext;
  readonly #placing: PlacingFlow;
  readonly #card: { width: number; height: number };
  #pastes = 0;

  /** `card` is a typical node's size, for placing nodes before the canvas has measured them. */
  protected constructor(ctx: GraphContext, flow: PlacingFlow, card: { width: number; height: number }) {
    this.#ctx = ctx;
    this.#placing = flow;
    this.#card = card;
  }

  /** The size the canvas measured for a node, or a typical card's before it has. */
  protected sizeOf(id: Id): { width: number; height: number } {
    const n = this.#placing.getInternalNode(id);
    return { width: n?.measured.width ?? this.#card.width, height: n?.measured.height ?? this.#card.height };
  }

  /** Where the canvas has drawn these nodes. */
  protected boxes(nodes: Array<{ id: Id; position: XYPosition }>): Box[] {
    return nodes.map((n) => ({ ...n.position, ...this.sizeOf(n.id) }));
  }

  /** A copy starts a new run of pastes. */
  protected copied(): void {
    this.#pastes = 0;
  }

  /** The offset of a paste beside the originals: each paste of a run a step further. */
  protected nextPasteStep(): XYPosition {
    this.#pastes += 1;
    return { x: 40 * this.#pastes, y: 40 * this.#pastes };
  }

  /** The plan that deletes these nodes with their connections, and these other connections, as one step. */
  protected abstract deletePlan(nodes: Id[], edges: Id[]): PlanResult;
  /** The selected nodes as clipboard text, or undefined when none is selected. */
  abstract copyText(): string | undefined;
  /** Paste clipboard text; false when it is not this editor's kind of nodes (so the browser may handle it). */
  abstract paste(text: string): boolean;
  abstract duplicate(): void;
  /** Save where nodes were moved to, as one step (called when a drag or a run of arrow keys ends). */
  abstract persistMoves(moved: Array<{ id: Id; position: XYPosition }>): void;
  /** Lay the whole graph out with ELK, then fit it in view. */
  abstract autoLayout(): Promise<void>;
  abstract fit(): Promise<boolean>;

  deleteSelected(): void {
    const { nodes, edges } = this.#ctx.selection;
    if (nodes.length === 0 && edges.length === 0) {
      this.notice.announce('Nothing is selected.');
      return;
    }
    const plan = this.deletePlan(nodes, edges);
    if (this.apply(plan)) {
      this.#ctx.select({ nodes: [], edges: [] });
      if (!isRefusal(plan)) this.notice.announce(sentence(plan.message));
    }
  }

  /** Remove connections by id (those that point to something gone cannot be selected on the canvas). */
  removeConnections(ids: Id[]): void {
    this.apply(this.deletePlan([], ids));
  }

  /** The point of the graph at the centre of the view. */
  viewCentre(): XYPosition {
    const r = this.canvas?.getBoundingClientRect();
    if (!r) return { x: 0, y: 0 };
    return this.#placing.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 }, { snapToGrid: false });
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
    const why = this.#ctx.run(plan);
    if (why) {
      this.refuse(why, client);
      return false;
    }
    return true;
  }
}
