import { describe, expect, it } from 'vitest';
import { formatIceServers, parseIceServers } from './ice-servers';

describe('ICE servers from the sync settings', () => {
  it('reads STUN and TURN servers, one per line or comma-separated', () => {
    const parsed = parseIceServers('stun:stun.school.example:3478\n  turn:class%207b:s3cret@turn.school.example:3478?transport=tcp , STUNS:secure.example');
    expect(parsed).toEqual({
      ok: true,
      servers: [
        { urls: 'stun:stun.school.example:3478' },
        { urls: 'turn:turn.school.example:3478?transport=tcp', username: 'class 7b', credential: 's3cret' },
        { urls: 'stuns:secure.example' },
      ],
    });
    // What the field shows again reads back the same.
    if (parsed.ok) expect(parseIceServers(formatIceServers(parsed.servers))).toEqual(parsed);
  });

  it('takes an empty field as no servers', () => {
    expect(parseIceServers('  \n')).toEqual({ ok: true, servers: [] });
  });

  it('says what is wrong with an entry, and how to write it', () => {
    expect(parseIceServers('https://turn.example')).toEqual({ ok: false, error: expect.stringMatching(/“https:\/\/turn.example” is not a STUN or TURN server/) });
    expect(parseIceServers('turn:turn.example:3478')).toEqual({ ok: false, error: expect.stringMatching(/needs a user name and password/) });
    expect(parseIceServers('stun:a:b@stun.example')).toEqual({ ok: false, error: expect.stringMatching(/STUN servers take no password/) });
  });
});
