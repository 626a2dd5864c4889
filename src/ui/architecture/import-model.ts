/**
 * Import model: the files a person picked (a model.json, perhaps with its weight files) become a new architecture,
 * with a report of what could not be mapped. The importer (the Keras/tfjs reader and the layer catalog) is loaded
 * only when someone imports, never with the page that offers the button.
 */
import type { ImportResult } from '../../model/architecture';
import { put, type Plan } from '../../model/plan';
import { uniqueName } from '../../model/project';
import type { Architecture, Id, Project } from '../../model/types';

/** What an import says to the person afterwards, shown once beside the new architecture. */
export interface ImportReport {
  fileName: string;
  layers: number;
  unmapped: ImportResult['unmapped'];
  warnings: string[];
}

/** A file we could not read as a model; the message says what to do. */
export class ModelFileError extends Error {
  readonly code = 'unreadable-model';
}

/** The model.json among the picked files (people often pick it together with its .bin weight files). */
export function pickModelFile<F extends { name: string }>(files: readonly F[]): F {
  const json = files.filter((f) => /\.json$/i.test(f.name));
  const file = json.find((f) => f.name.toLowerCase() === 'model.json') ?? json[0];
  if (!file) {
    const names = files.map((f) => f.name).join(', ');
    throw new ModelFileError(`${names || 'No file'} ${files.length === 1 ? 'is' : 'are'} not a model.json. Choose the model.json that Keras (model.to_json()) or tfjs (model.save()) wrote; its weight files may be picked with it.`);
  }
  return file;
}

/** Read a picked model.json into an architecture and its report; throws with a message for the user. */
export async function readModel(files: readonly File[], now: number): Promise<{ architecture: Architecture; report: ImportReport }> {
  const file = pickModelFile(files);
  const text = await file.text();
  const { importModel } = await import('../../model/architecture');
  let result: ImportResult;
  try {
    result = importModel(text, file.name);
  } catch (error) {
    // The importer's own errors (ModelImportError) already say what to do; anything else gets the same advice.
    if (error instanceof Error && 'code' in error) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new ModelFileError(`${file.name} could not be read as a model (${why}). Choose the model.json that Keras (model.to_json()) or tfjs (model.save()) wrote.`);
  }
  const architecture = { ...result.architecture, createdAt: now, updatedAt: now };
  return { architecture, report: { fileName: file.name, layers: Object.keys(architecture.layers).length, unmapped: result.unmapped, warnings: result.warnings } };
}

/** Add an imported architecture to a project, named apart from the architectures it already has. */
export function addImported(project: Project, architecture: Architecture, now: number): Plan & { id: Id } {
  const name = uniqueName(architecture.name, Object.values(project.architectures).map((a) => a.name));
  return {
    id: architecture.id,
    item: `architectures/${architecture.id}`,
    message: `imported architecture ${name} from a model.json`,
    edits: [put(['architectures', architecture.id], { ...architecture, name }), put(['updatedAt'], now)],
  };
}
