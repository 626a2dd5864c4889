/**
 * Validation of what a client sends over /sync, before automerge-repo sees it.
 *
 * The stock WebSocket server adapter trusts its input: a CBOR `null` crashes it, a `senderId` of
 * "__proto__" lands in a plain object, and a peer-chosen `storageId` becomes part of a file path
 * in NodeFSStorageAdapter (path traversal). Everything here is cheap and checks only the shape
 * automerge-repo 2.x relies on.
 */
import { cbor, isValidDocumentId } from '@automerge/automerge-repo';
import * as Automerge from '@automerge/automerge';

/** Messages a client may send to the relay (automerge-repo 2.x, websocket protocol "1"). */
export const CLIENT_MESSAGE_TYPES = [
  'join',
  'sync',
  'request',
  'ephemeral',
  'doc-unavailable',
  'remote-subscription-change',
  'remote-heads-changed',
] as const;
export type ClientMessageType = (typeof CLIENT_MESSAGE_TYPES)[number];

export interface CheckedMessage {
  type: ClientMessageType;
  senderId: string;
  /** Absent on `join`. */
  targetId?: string;
  /** On `sync`: the document and the heads the sender announces (hex). */
  documentId?: string;
  heads?: string[];
}

export type CheckResult = { ok: true; message: CheckedMessage } | { ok: false; reason: string };

const MAX_ID_LENGTH = 256;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A peer id: a short printable string that cannot collide with Object.prototype members. */
export function isAcceptablePeerId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_ID_LENGTH &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f]/.test(value) &&
    !(value in Object.prototype)
  );
}

const isStringArray = (value: unknown, max: number): boolean =>
  Array.isArray(value) && value.length <= max && value.every(v => typeof v === 'string' && v.length <= MAX_ID_LENGTH);

const isNonEmptyBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array && value.byteLength > 0;

function checkPeerMetadata(meta: unknown): string | null {
  if (meta === undefined || meta === null) return null;
  if (!isPlainObject(meta)) return 'peerMetadata is not an object';
  // NodeFSStorageAdapter uses the storage id as a path segment for saved sync states.
  if (meta['storageId'] !== undefined && !(typeof meta['storageId'] === 'string' && UUID.test(meta['storageId']))) {
    return 'peerMetadata.storageId is not a UUID';
  }
  if (meta['isEphemeral'] !== undefined && typeof meta['isEphemeral'] !== 'boolean') {
    return 'peerMetadata.isEphemeral is not a boolean';
  }
  return null;
}

/** The heads a sync message announces, or why it is not one. */
function checkSyncData(data: unknown): { heads: string[] } | string {
  if (!isNonEmptyBytes(data)) return 'data is not a non-empty byte string';
  try {
    return { heads: Automerge.decodeSyncMessage(data).heads };
  } catch {
    return 'data is not an Automerge sync message';
  }
}

/** Checks a decoded message; `reason` says what was wrong, for the log. */
export function checkMessage(value: unknown): CheckResult {
  const fail = (reason: string): CheckResult => ({ ok: false, reason });
  if (!isPlainObject(value)) return fail('not a CBOR map');
  const { type, senderId, targetId } = value;
  if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return fail(`unknown message type ${JSON.stringify(String(type)).slice(0, 80)}`);
  }
  if (!isAcceptablePeerId(senderId)) return fail('missing or invalid senderId');
  const messageType = type as ClientMessageType;

  if (messageType === 'join') {
    const versions = value['supportedProtocolVersions'];
    if (versions !== undefined && !isStringArray(versions, 16)) return fail('supportedProtocolVersions is not a list');
    const metaProblem = checkPeerMetadata(value['peerMetadata']);
    if (metaProblem) return fail(metaProblem);
    return { ok: true, message: { type: messageType, senderId } };
  }

  if (!isAcceptablePeerId(targetId)) return fail('missing or invalid targetId');
  const needsDocument = messageType !== 'remote-subscription-change';
  if (needsDocument && !isValidDocumentId(value['documentId'])) return fail('missing or invalid documentId');

  switch (messageType) {
    case 'sync':
    case 'request': {
      const sync = checkSyncData(value['data']);
      if (typeof sync === 'string') return fail(sync);
      if (messageType === 'sync') return { ok: true, message: { type: messageType, senderId, targetId, documentId: value['documentId'] as string, heads: sync.heads } };
      break;
    }
    case 'ephemeral': {
      if (!isNonEmptyBytes(value['data'])) return fail('data is not a non-empty byte string');
      const count = value['count'];
      if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return fail('invalid count');
      const sessionId = value['sessionId'];
      if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > MAX_ID_LENGTH) {
        return fail('invalid sessionId');
      }
      try {
        cbor.decode(value['data']);
      } catch {
        return fail('ephemeral data is not CBOR');
      }
      break;
    }
    case 'remote-subscription-change':
      for (const key of ['add', 'remove'] as const) {
        if (value[key] !== undefined && !isStringArray(value[key], 1024)) return fail(`${key} is not a list`);
      }
      break;
    case 'remote-heads-changed':
      if (!isPlainObject(value['newHeads'])) return fail('newHeads is not a map');
      break;
    case 'doc-unavailable':
      break;
  }
  return { ok: true, message: { type: messageType, senderId, targetId } };
}

/** Decodes one binary frame and checks it. */
export function decodeAndCheck(bytes: Uint8Array): CheckResult {
  let value: unknown;
  try {
    value = cbor.decode(bytes);
  } catch {
    return { ok: false, reason: 'not CBOR' };
  }
  return checkMessage(value);
}
