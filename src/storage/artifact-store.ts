/**
 * Where artifact bytes (datasets, model weights, images) live on this device. Artifacts are
 * named by the SHA-256 of their bytes, so a name can be shared with peers and checked on
 * arrival, and storing the same file twice costs nothing.
 */

/** What the store knows about one artifact without reading its bytes. */
export interface StoredArtifact {
  /** 64 lowercase hex characters. */
  sha256: string;
  /** Length in bytes. */
  size: number;
  /** As given to the first put of these bytes; 'application/octet-stream' when none was. */
  mediaType: string;
  /** Milliseconds since the epoch when these bytes were first stored on this device. */
  storedAt: number;
}

export interface PutInfo {
  mediaType?: string;
}

export interface PutResult {
  sha256: string;
  size: number;
}

/**
 * Implementations must copy bytes on the way in and out, so that no caller can change what
 * is stored by mutating an array they hold, and must make every put all-or-nothing.
 * Every failure is a StorageError, so the UI has one kind of error to explain.
 */
export interface ArtifactStore {
  /** Stores bytes under their hash. Storing bytes already present changes nothing, metadata included. */
  put(bytes: Uint8Array, info?: PutInfo): Promise<PutResult>;
  /** Like put, for bytes that claim a hash (e.g. from a peer): refuses them unless the claim is true. */
  putVerified(sha256: string, bytes: Uint8Array, info?: PutInfo): Promise<PutResult>;
  /** A fresh copy of the bytes, or undefined when this device does not have them. */
  get(sha256: string): Promise<Uint8Array | undefined>;
  has(sha256: string): Promise<boolean>;
  stat(sha256: string): Promise<StoredArtifact | undefined>;
  /** Deleting what is not there is not an error: two views may delete the same artifact. */
  delete(sha256: string): Promise<void>;
  /** Every stored artifact, ordered by hash so listings are stable. */
  list(): Promise<StoredArtifact[]>;
  /** Totals for "storage used" displays; each artifact counts once however often it was put. */
  usage(): Promise<{ count: number; bytes: number }>;
}

export type StorageErrorCode = 'quota-exceeded' | 'hash-mismatch' | 'invalid-input' | 'unavailable';

/** The message a person reads, so each one says what happened and what to do next. */
function messageFor(code: StorageErrorCode, detail: string | undefined): string {
  const extra = detail ? ` (${detail})` : '';
  switch (code) {
    case 'quota-exceeded':
      return "The browser's storage for DeepForge is full. Open Storage on this device (a link at the foot of your projects) to clear the job cache or remove files nothing uses, or free disk space, then try again. Nothing already stored was lost.";
    case 'hash-mismatch':
      return `The data received does not match the fingerprint it was sent under, so it was not saved${extra}. It was probably damaged in transfer: fetch it again, from another peer if you can.`;
    case 'invalid-input':
      return `DeepForge tried to store or look up an artifact with invalid input${extra}. Nothing was changed. This is a bug in DeepForge; please report it with the steps that led here.`;
    case 'unavailable':
      return `DeepForge cannot use the browser's storage on this device${extra}. If this is a private window, or site data is blocked for this site, allow storage or open DeepForge in a normal window, then reload.`;
  }
}

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;

  /** `detail` is for the specifics (which hash, which field); the message around it is fixed per code. */
  constructor(code: StorageErrorCode, options: { detail?: string; cause?: unknown } = {}) {
    super(messageFor(code, options.detail), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
