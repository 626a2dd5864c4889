/**
 * What the pipeline editor does, apart from how it looks: every gesture (add, connect, delete, copy, paste,
 * duplicate, move, auto layout) turns into one plan from src/model and goes through the `run` the project layout
 * owns, so it is undoable and lands in history. A refused plan is shown at the pointer instead of being written.
 */
import type { useSvelteFlow, XYPosition } from '@xyflow/svelte';
import { tick } from 'svelte';
import { copyNodes, parseClipboard, pasteNodes } from '../../model/clipboard';
import { addNode, connect, moveNodes, type NewNode } from '../../model/pipeline-edits';
import { isRefusal, type PlanResult } from '../../model/plan';
import type { Id, Pipeline, PortRef, Project } from '../../model/types';
import { GraphEditing, sentence, type GraphContext } from '../graph/graph-editing.svelte';
import { changedPositions, freeSpot, offsetTo, type Box } from '../graph/placement';
import { deleteSelection } from './edits';
import type { LinkEdge, StepNode } from './flow';
import { layeredLayout, layoutInput } from './layout';

export interface EditorContext extends GraphContext {
  readonly project: Project;
  readonly pipeline: Pipeline;
  readonly readonly: boolean;
}

type Flow = ReturnType<typeof useSvelteFlow<StepNode, LinkEdge>>;

/** Roughly where a new node's title sits relative to its top-left corner, so a drop lands the card under the pointer. */
const GRAB = { x: 90, y: 18 };
/** A typical node card, for placing nodes before the canvas has measured them. */
const CARD = { width: 200, height: 90 };

/** The box around nodes (their cards taken as typical cards). */
function bounds(nodes: Array<{ position: XYPosition }>): Box {
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x + CARD.width, height: Math.max(...ys) - y + CARD.height };
}

export class PipelineEditing extends GraphEditing {
  #ctx: EditorContext;
  #flow: Flow;

  constructor(ctx: EditorContext, flow: Flow) {
    super(ctx, flow, CARD);
    this.#ctx = ctx;
    this.#flow = flow;
  }

  get #pipelineId(): Id {
    return this.#ctx.pipeline.id;
  }

  #boxes(): Box[] {
    return this.boxes(Object.values(this.#ctx.pipeline.nodes));
  }

  /** Add a node at a client point (a drop), or next to the selected node, or at the centre of the view; then select it. */
  add(spec: NewNode, client?: XYPosition): void {
    const { project, selection } = this.#ctx;
    let at: XYPosition;
    if (client) {
      const p = this.#flow.screenToFlowPosition(client, { snapToGrid: false });
      at = { x: p.x - GRAB.x, y: p.y - GRAB.y };
    } else {
      const anchor = selection.nodes.map((id) => this.#flow.getInternalNode(id)).filter((n) => n !== undefined).at(-1);
      if (anchor) {
        at = { x: anchor.internals.positionAbsolute.x + (anchor.measured.width ?? 200) + 80, y: anchor.internals.positionAbsolute.y };
      } else {
        const c = this.viewCentre();
        at = { x: c.x - GRAB.x, y: c.y - 40 };
      }
      at = freeSpot(this.#boxes(), at);
    }
    const plan = addNode(project, this.#pipelineId, spec, at, Date.now());
    if (this.apply(plan, client) && !isRefusal(plan)) {
      this.#ctx.select({ nodes: [plan.id], edges: [] });
      if (!client) void this.panTo(at, CARD);
      this.notice.announce(`Added ${spec.kind === 'operation' ? spec.operation.name : spec.kind === 'input' ? 'Input' : 'Output'} to the pipeline.`);
    }
  }

  /** Why connecting these ports would be refused, or null when it is fine (for highlighting drop targets). */
  refusal(from: PortRef, to: PortRef): string | null {
    const r = connect(this.#ctx.project, this.#pipelineId, from, to, 0, 'probe');
    return isRefusal(r) ? r.refused : null;
  }

  /** Connect two ports; returns the refusal (also shown at `client`, or next to the target node) or null. */
  connect(from: PortRef, to: PortRef, client?: XYPosition): string | null {
    const plan = connect(this.#ctx.project, this.#pipelineId, from, to, Date.now());
    if (isRefusal(plan)) {
      this.refuse(plan.refused, client ?? this.clientOf(to.node));
      return plan.refused;
    }
    if (this.apply(plan, client)) this.notice.announce(sentence(plan.message));
    return null;
  }

  protected deletePlan(nodes: Id[], edges: Id[]): PlanResult {
    return deleteSelection(this.#ctx.project, this.#pipelineId, nodes, edges, Date.now());
  }

  /** The selected nodes as clipboard text (JSON that carries their operations), or undefined when none. */
  copyText(): string | undefined {
    const clip = copyNodes(this.#ctx.project, this.#pipelineId, this.#ctx.selection.nodes);
    if (!clip) return undefined;
    this.copied();
    const n = clip.nodes.length;
    this.notice.announce(`Copied ${n} node${n === 1 ? '' : 's'}.`);
    return JSON.stringify(clip);
  }

  /** Paste clipboard text; false when it is not DeepForge nodes (so the browser may handle it). */
  paste(text: string): boolean {
    const clip = parseClipboard(text);
    if (!clip) return false;
    const { project, pipeline } = this.#ctx;
    const box = bounds(clip.nodes);
    let offset: XYPosition;
    if (clip.nodes.some((n) => pipeline.nodes[n.id])) {
      offset = this.nextPasteStep();
    } else {
      // Centred in the view, then nudged clear of the nodes already there.
      const c = this.viewCentre();
      offset = offsetTo(clip.nodes, freeSpot(this.#boxes(), { x: c.x - box.width / 2, y: c.y - box.height / 2 }, box));
    }
    this.#place(pasteNodes(project, this.#pipelineId, clip, offset, Date.now()), { ...box, x: box.x + offset.x, y: box.y + offset.y });
    return true;
  }

  duplicate(): void {
    const clip = copyNodes(this.#ctx.project, this.#pipelineId, this.#ctx.selection.nodes);
    if (!clip) {
      this.notice.announce('Select the nodes to duplicate first.');
      return;
    }
    const box = bounds(clip.nodes);
    this.#place(pasteNodes(this.#ctx.project, this.#pipelineId, clip, { x: 40, y: 40 }, Date.now()), { ...box, x: box.x + 40, y: box.y + 40 });
  }

  #place(plan: ReturnType<typeof pasteNodes>, box: Box): void {
    if (!this.apply(plan) || isRefusal(plan)) return;
    this.#ctx.select({ nodes: plan.nodeIds, edges: [] });
    void this.panTo(box, box);
    if (plan.dropped.length) this.notice.show(`Pasted without ${plan.dropped.join(', ')}: this project does not have it.`, this.local(), 'info');
    else this.notice.announce(sentence(plan.message));
  }

  persistMoves(moved: Array<{ id: Id; position: XYPosition }>): void {
    const changed = changedPositions(this.#ctx.pipeline.nodes, moved);
    if (Object.keys(changed).length) this.apply(moveNodes(this.#ctx.project, this.#pipelineId, changed));
  }

  /** Lay the whole pipeline out left to right with ELK, then fit it in view. */
  async autoLayout(): Promise<void> {
    const { nodes, edges } = layoutInput(this.#ctx.pipeline, (id) => this.#flow.getInternalNode(id));
    let positions;
    try {
      positions = await layeredLayout(nodes, edges);
    } catch (e) {
      this.refuse(`Auto layout failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // The document may have changed while ELK ran; moveNodes skips nodes that are gone.
    this.apply(moveNodes(this.#ctx.project, this.#pipelineId, positions));
    await tick();
    await new Promise((r) => requestAnimationFrame(r));
    await this.fit();
    this.notice.announce('Laid out the pipeline from left to right.');
  }

  fit(): Promise<boolean> {
    return this.#flow.fitView({ padding: 0.1, minZoom: 0.6, maxZoom: 1.1, duration: 250 });
  }
}
