/**
 * Reports of recent imports, kept for this session by architecture id: the import happens on one page (home or a
 * project's overview) and the report is shown on the next (the new architecture's editor) until dismissed.
 */
import type { Id } from '../../model/types';
import type { ImportReport } from './import-model';

class ImportReports {
  #byArchitecture = $state<Record<Id, ImportReport>>({});

  get(id: Id): ImportReport | undefined {
    return this.#byArchitecture[id];
  }

  set(id: Id, report: ImportReport): void {
    this.#byArchitecture = { ...this.#byArchitecture, [id]: report };
  }

  dismiss(id: Id): void {
    const { [id]: _gone, ...rest } = this.#byArchitecture;
    this.#byArchitecture = rest;
  }
}

export const importReports = new ImportReports();
