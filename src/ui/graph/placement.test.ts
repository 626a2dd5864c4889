import { describe, expect, it } from 'vitest';
import { changedPositions, freeSpot, offsetTo } from './placement';

describe('placing cards on a graph canvas', () => {
  it('places a new node clear of the others', () => {
    expect(freeSpot([{ x: 0, y: 0, width: 200, height: 90 }], { x: 10, y: 10 })).toEqual({ x: 10, y: 114 });
    expect(freeSpot([{ x: 0, y: 0, width: 200, height: 90 }], { x: 400, y: 0 })).toEqual({ x: 400, y: 0 });
  });

  it('moves pasted cards so that their top-left corner lands on the point', () => {
    expect(offsetTo([{ position: { x: 30, y: 50 } }, { position: { x: 10, y: 80 } }], { x: 100.4, y: 100 })).toEqual({ x: 90, y: 50 });
  });

  it('saves only the moves the document does not have yet', () => {
    const stored = { a: { position: { x: 10, y: 20 } }, b: { position: { x: 0, y: 0 } } };
    const moved = [
      { id: 'a', position: { x: 10.2, y: 19.9 } },
      { id: 'b', position: { x: 5, y: 0 } },
      { id: 'gone', position: { x: 1, y: 1 } },
    ];
    expect(changedPositions(stored, moved)).toEqual({ b: { x: 5, y: 0 } });
  });
});
