import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, relativeTime } from './format';

describe('format', () => {
  it('reads sizes the way people say them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(30 * 1024 * 1024)).toBe('30 MB');
  });
  it('groups parameter counts', () => {
    expect(formatCount(1199882)).toBe('1,199,882');
  });
  it('says how long ago', () => {
    const now = 1_700_000_000_000;
    expect(relativeTime(now - 10_000, now)).toBe('just now');
    expect(relativeTime(now - 3 * 60_000, now)).toBe('3 minutes ago');
    expect(relativeTime(now - 26 * 3600_000, now)).toBe('yesterday');
  });
});
