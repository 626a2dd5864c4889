/** What is selected in the open editor; the inspector shows and edits it. */
export interface Selection {
  /** Pipeline nodes, or architecture layers. */
  nodes: string[];
  edges: string[];
}
