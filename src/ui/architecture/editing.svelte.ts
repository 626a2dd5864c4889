/**
 * What the architecture editor does, apart from how it looks: every gesture (add, connect, delete, duplicate, move,
 * auto layout, apply a fix) turns into one plan from src/model/architecture and goes through the `run` the project
 * layout owns, so it is undoable and lands in history. A refused plan is shown at the pointer instead of written.
 */
import type { useSvelteFlow, XYPosition } from '@xyflow/svelte';
import { tick } from 'svelte';
import { connect, layerType, moveLayers, type Fix, type Inference } from '../../model/architecture';
import { isRefusal, type PlanResult } from '../../model/plan';
import type { Architecture, Id, Project } from '../../model/types';
import { GraphEditing, sentence, type GraphContext } from '../graph/graph-editing.svelte';
import { changedPositions, freeSpot, offsetTo, type Box } from '../graph/placement';
import { copyLayers, parseLayerClipboard, pasteLayers } from './clipboard';
import { addLayerAfter, deleteSelection } from './compose';
import type { LayerNode, ShapeEdge } from './flow';
import { CARD, layoutArchitecture } from './layout';

export interface EditorContext extends GraphContext {
  readonly project: Project;
  readonly architecture: Architecture;
  readonly inference: Inference;
  readonly readonly: boolean;
}

type Flow = ReturnType<typeof useSvelteFlow<LayerNode, ShapeEdge>>;

/** Roughly where a card's title sits relative to its top-left corner, so a drop lands the card under the pointer. */
const GRAB = { x: 100, y: 16 };
/** Vertical room between a layer and one added below it: enough for the shape on the connection. */
const BELOW = 56;

export class ArchitectureEditing extends GraphEditing {
  #ctx: EditorContext;
  #flow: Flow;

  constructor(ctx: EditorContext, flow: Flow) {
    super(ctx, flow, CARD);
    this.#ctx = ctx;
    this.#flow = flow;
  }

  get #archId(): Id {
    return this.#ctx.architecture.id;
  }

  #boxes(): Box[] {
    return this.boxes(Object.values(this.#ctx.architecture.layers));
  }

  /**
   * Add a layer: at a client point (a drop); or below the selected layer, fed by it; or at the centre of the view.
   * The new layer is selected, so adding several in a row builds a chain.
   */
  add(type: string, client?: XYPosition): void {
    const { project, selection, architecture } = this.#ctx;
    const title = layerType(type)?.title ?? type;
    let at: XYPosition;
    let after: Id | undefined;
    if (client) {
      const p = this.#flow.screenToFlowPosition(client, { snapToGrid: false });
      at = { x: p.x - GRAB.x, y: p.y - GRAB.y };
    } else {
      after = selection.nodes.length === 1 && architecture.layers[selection.nodes[0]!] ? selection.nodes[0] : undefined;
      if (after) {
        const anchor = architecture.layers[after]!;
        const size = this.sizeOf(after);
        at = { x: anchor.position.x + (size.width - CARD.width) / 2, y: anchor.position.y + size.height + BELOW };
      } else {
        const c = this.viewCentre();
        at = { x: c.x - CARD.width / 2, y: c.y - CARD.height / 2 };
      }
      at = freeSpot(this.#boxes(), at, CARD, 32);
    }
    const plan = addLayerAfter(project, this.#archId, type, at, Date.now(), after);
    if (!this.apply(plan, client) || isRefusal(plan)) return;
    this.#ctx.select({ nodes: [plan.id], edges: [] });
    if (!client) void this.panTo(at, CARD);
    this.notice.announce(plan.connected ? `Added ${title} below ${architecture.layers[after!]!.name}, connected.` : `Added ${title} to the architecture.`);
  }

  /** Why connecting these layers would be refused, or null when it is fine (for highlighting drop targets). */
  refusal(from: Id, to: Id): string | null {
    const r = connect(this.#ctx.project, this.#archId, from, to, 0, 'probe');
    return isRefusal(r) ? r.refused : null;
  }

  /** Connect two layers; returns the refusal (also shown at `client`, or next to the target layer) or null. */
  connect(from: Id, to: Id, client?: XYPosition): string | null {
    const plan = connect(this.#ctx.project, this.#archId, from, to, Date.now());
    if (isRefusal(plan)) {
      this.refuse(plan.refused, client ?? this.clientOf(to));
      return plan.refused;
    }
    if (this.apply(plan, client)) this.notice.announce(sentence(plan.message));
    return null;
  }

  protected deletePlan(nodes: Id[], edges: Id[]): PlanResult {
    return deleteSelection(this.#ctx.project, this.#archId, nodes, edges, Date.now());
  }

  copyText(): string | undefined {
    const clip = copyLayers(this.#ctx.architecture, this.#ctx.selection.nodes);
    if (!clip) return undefined;
    this.copied();
    const n = clip.layers.length;
    this.notice.announce(`Copied ${n} layer${n === 1 ? '' : 's'}.`);
    return JSON.stringify(clip);
  }

  paste(text: string): boolean {
    const clip = parseLayerClipboard(text);
    if (!clip) return false;
    const { architecture } = this.#ctx;
    let offset: XYPosition;
    if (clip.layers.some((l) => architecture.layers[l.id])) {
      offset = this.nextPasteStep();
    } else {
      const c = this.viewCentre();
      offset = offsetTo(clip.layers, freeSpot(this.#boxes(), { x: c.x - CARD.width / 2, y: c.y - CARD.height / 2 }, CARD, 32));
    }
    this.#place(pasteLayers(this.#ctx.project, this.#archId, clip, offset, Date.now()));
    return true;
  }

  duplicate(): void {
    const clip = copyLayers(this.#ctx.architecture, this.#ctx.selection.nodes);
    if (!clip) {
      this.notice.announce('Select the layers to duplicate first.');
      return;
    }
    this.#place(pasteLayers(this.#ctx.project, this.#archId, clip, { x: 40, y: 40 }, Date.now()));
  }

  #place(plan: ReturnType<typeof pasteLayers>): void {
    if (!this.apply(plan) || isRefusal(plan)) return;
    this.#ctx.select({ nodes: plan.layerIds, edges: [] });
    this.notice.announce(sentence(plan.message));
  }

  persistMoves(moved: Array<{ id: Id; position: XYPosition }>): void {
    const changed = changedPositions(this.#ctx.architecture.layers, moved);
    if (Object.keys(changed).length) this.apply(moveLayers(this.#ctx.project, this.#archId, changed));
  }

  /** Lay the whole architecture out top to bottom with ELK, then fit it in view. */
  async autoLayout(): Promise<void> {
    let positions;
    try {
      positions = await layoutArchitecture(this.#ctx.architecture, (id) => this.sizeOf(id));
    } catch (e) {
      this.refuse(`Auto layout failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // The document may have changed while ELK ran; moveLayers skips layers that are gone.
    const moved = moveLayers(this.#ctx.project, this.#archId, positions);
    this.apply(isRefusal(moved) ? moved : { ...moved, message: `laid out architecture ${this.#ctx.architecture.name}` });
    await tick();
    await new Promise((r) => requestAnimationFrame(r));
    await this.fit();
    this.notice.announce('Laid out the architecture from top to bottom.');
  }

  fit(): Promise<boolean> {
    return this.#flow.fitView({ padding: 0.12, minZoom: 0.5, maxZoom: 1.1, duration: 250 });
  }

  /** Select a layer or a connection and bring it into view (from the Problems panel). */
  async reveal(target: { layerId?: Id; edgeId?: Id }): Promise<void> {
    const { architecture } = this.#ctx;
    const edge = target.edgeId ? architecture.edges[target.edgeId] : undefined;
    if (target.layerId && architecture.layers[target.layerId]) this.#ctx.select({ nodes: [target.layerId], edges: [] });
    else if (edge) this.#ctx.select({ nodes: [], edges: [edge.id] });
    else return;
    const ids = target.layerId ? [target.layerId] : [edge!.from, edge!.to];
    await tick();
    const nodes = ids.map((id) => this.#flow.getInternalNode(id)).filter((n) => n !== undefined);
    if (nodes.length === 0) return;
    const xs = nodes.map((n) => n.internals.positionAbsolute.x + (n.measured.width ?? CARD.width) / 2);
    const ys = nodes.map((n) => n.internals.positionAbsolute.y + (n.measured.height ?? CARD.height) / 2);
    const { zoom } = this.#flow.getViewport();
    await this.#flow.setCenter(xs.reduce((a, b) => a + b) / xs.length, ys.reduce((a, b) => a + b) / ys.length, { zoom: Math.max(zoom, 0.8), duration: 250 });
    if (target.layerId) this.canvas?.querySelector<HTMLElement>(`.svelte-flow__node[data-id="${CSS.escape(target.layerId)}"]`)?.focus({ preventScroll: true });
  }

  /** Apply a problem's fix as one undoable step, and say what it did. */
  applyFix(fix: Fix): void {
    const plan = fix.plan(this.#ctx.project, Date.now());
    if (this.apply(plan) && !isRefusal(plan)) this.notice.announce(`${fix.label}: done.`);
  }
}
