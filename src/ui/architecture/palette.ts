/**
 * What the layer palette offers: the catalog by section when nothing is typed, or the layers matching a search in
 * order of relevance (title matches first).
 */
import { catalogByCategory, searchCatalog, type LayerType } from '../../model/architecture';

/** The MIME type a palette drag carries (the layer type), so the canvas ignores drops of anything else. */
export const CATALOG_MIME = 'application/x-deepforge-layer';

export interface PaletteSection {
  title: string;
  layers: LayerType[];
}

export function paletteSections(query: string): PaletteSection[] {
  if (!query.trim()) return catalogByCategory().map((c) => ({ title: c.category, layers: c.layers }));
  const hits = searchCatalog(query);
  return hits.length ? [{ title: `${hits.length} match${hits.length === 1 ? '' : 'es'}`, layers: hits }] : [];
}
