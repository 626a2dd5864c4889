/**
 * The path of a skip connection: a connection that jumps over layers stacked in one column would run straight
 * through their cards, so it leaves its layer sideways, runs down beside the column and comes back in from above.
 */

/** Half a layer card's width plus a margin: how far beside the column a skip connection runs. */
const BESIDE = 135;
const RADIUS = 10;
/** How far below the source (and above the target) the connection turns: inside the gap between cards. */
const TURN = 8;

/** An SVG path with rounded corners and where its label goes; undefined when a plain curve will do. */
export function skipPath(sx: number, sy: number, tx: number, ty: number): { path: string; labelX: number; labelY: number } | undefined {
  if (Math.abs(sx - tx) > 150 || ty - sy < 4 * (TURN + RADIUS)) return undefined;
  const x = Math.max(sx, tx) + BESIDE;
  const top = sy + TURN + RADIUS;
  const bottom = ty - TURN - RADIUS;
  const r = RADIUS;
  const path = [
    `M ${sx} ${sy}`,
    `L ${sx} ${top - r}`,
    `Q ${sx} ${top} ${sx + r} ${top}`,
    `L ${x - r} ${top}`,
    `Q ${x} ${top} ${x} ${top + r}`,
    `L ${x} ${bottom - r}`,
    `Q ${x} ${bottom} ${x - r} ${bottom}`,
    `L ${tx + r} ${bottom}`,
    `Q ${tx} ${bottom} ${tx} ${bottom + r}`,
    `L ${tx} ${ty}`,
  ].join(' ');
  return { path, labelX: x, labelY: (top + bottom) / 2 };
}
