/**
 * Editor gestures that are more than one domain edit, composed from the pure edits of src/model/architecture so
 * each gesture is one undo step and one history entry: add a layer below another and connect it, delete a mixed
 * selection, fill an empty architecture from a template.
 */
import { randomId } from '../../lib/ids';
import { addLayer, connect, disconnect, removeLayers, type ArchitectureTemplate } from '../../model/architecture';
import { uniqueName } from '../../model/project';
import { applyPlanToObject, deletionOf, isRefusal, put, type Plan, type PlanResult } from '../../model/plan';
import type { Architecture, Id, Position, Project } from '../../model/types';

/** The project as it would be after `plan`, copying only the architecture the plan edits. */
export function preview(project: Project, archId: Id, plan: Plan): Project {
  const copy: Project = { ...project, architectures: { ...project.architectures, [archId]: structuredClone(project.architectures[archId]!) } };
  return applyPlanToObject(copy, plan);
}

/** Add a layer and, when `after` is given and can feed it, connect `after` to it: one step. */
export function addLayerAfter(project: Project, archId: Id, type: string, position: Position, now: number, after?: Id, id: Id = randomId('l')): (Plan & { id: Id; connected: boolean }) | { refused: string } {
  const added = addLayer(project, archId, type, position, now, id);
  if (isRefusal(added)) return added;
  if (!after || !project.architectures[archId]?.layers[after]) return { ...added, connected: false };
  const link = connect(preview(project, archId, added), archId, after, added.id, now);
  if (isRefusal(link)) return { ...added, connected: false };
  return { ...added, edits: [...added.edits, ...link.edits], message: `${added.message}, fed by ${project.architectures[archId]!.layers[after]!.name}`, connected: true };
}

/** Delete layers (with their connections) and the other selected connections, as one plan. */
export function deleteSelection(project: Project, archId: Id, layerIds: Id[], edgeIds: Id[], now: number): PlanResult {
  const arch = project.architectures[archId];
  if (!arch) return { refused: 'That architecture no longer exists; someone may have deleted it.' };
  const layers = new Set(layerIds.filter((id) => arch.layers[id]));
  const loose = edgeIds.filter((id) => {
    const e = arch.edges[id];
    return e && !layers.has(e.from) && !layers.has(e.to);
  });
  const a = layers.size ? removeLayers(project, archId, [...layers], now) : undefined;
  const b = loose.length ? disconnect(project, archId, loose, now) : undefined;
  return deletionOf(a, b, loose.length);
}

/** Names a new architecture gets before anyone renames it ("Architecture", "Architecture 2"). */
const DEFAULT_NAME = /^Architecture( \d+)?$/;

/**
 * Put a template's layers into an empty architecture (the one being looked at), named after the template while it
 * still has its default name. Refused when the architecture has layers: a template never overwrites work.
 */
export function startFromTemplate(project: Project, archId: Id, template: ArchitectureTemplate, now: number): PlanResult {
  const arch: Architecture | undefined = project.architectures[archId];
  if (!arch) return { refused: 'That architecture no longer exists; someone may have deleted it.' };
  if (Object.keys(arch.layers).length > 0) return { refused: 'This architecture already has layers; start a template in a new architecture.' };
  const built = template.build(randomId('t'));
  const base = ['architectures', archId];
  // Layer by layer (not the whole map), so that a collaborator's concurrent additions merge instead of clashing.
  const edits = [
    ...Object.values(built.layers).map((l) => put([...base, 'layers', l.id], l)),
    ...Object.values(built.edges).map((e) => put([...base, 'edges', e.id], e)),
    put([...base, 'updatedAt'], now),
    put(['updatedAt'], now),
  ];
  if (DEFAULT_NAME.test(arch.name)) {
    const taken = Object.values(project.architectures).filter((a) => a.id !== archId).map((a) => a.name);
    edits.push(put([...base, 'name'], uniqueName(template.name, taken)));
  }
  if (!arch.description) edits.push(put([...base, 'description'], template.description));
  return { message: `started architecture ${arch.name} from the ${template.name} template`, item: `architectures/${archId}`, edits };
}

/**
 * Swap the order of two inputs of a merge layer (for Concatenate or Dot the order changes the result): the two
 * connections trade slots. Both must end at the same layer.
 */
export function swapInputs(project: Project, archId: Id, a: Id, b: Id, now: number): PlanResult {
  const arch = project.architectures[archId];
  const ea = arch?.edges[a];
  const eb = arch?.edges[b];
  if (!arch || !ea || !eb) return { refused: 'That connection no longer exists; someone may have removed it.' };
  if (ea.to !== eb.to) return { refused: 'Only inputs of the same layer can swap places.' };
  const target = arch.layers[ea.to]?.name ?? 'the layer';
  // Edges saved without a slot count as slot 0; give each a distinct slot so the swap is well defined.
  const slotA = ea.slot ?? 0;
  const slotB = eb.slot ?? (slotA === 0 ? 1 : 0);
  const base = ['architectures', archId, 'edges'];
  return {
    message: `reordered the inputs of ${target}`,
    item: `architectures/${archId}`,
    edits: [put([...base, a, 'slot'], slotB), put([...base, b, 'slot'], slotA), put(['architectures', archId, 'updatedAt'], now), put(['updatedAt'], now)],
  };
}
