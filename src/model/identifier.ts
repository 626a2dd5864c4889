/**
 * Whether a name can be bound in operation code (a JavaScript module, so strict mode): the names of inputs,
 * attributes and references become variables of the `run` function. Kept apart from the acorn-based code tools
 * so that checking a name does not load a JavaScript parser.
 */

/** Words a module cannot bind: keywords, strict-mode reserved words, `await` in modules, and eval/arguments. */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'import in instanceof new null return super switch this throw true try typeof var void while with yield let static ' +
    'implements interface package private protected public await eval arguments'
  ).split(' '),
);

const SHAPE = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/** Names a JavaScript module may bind: `dataset`, `learningRate`, `$x`; not `class`, `await` or `2d`. */
export function isIdentifier(name: string): boolean {
  return name.length > 0 && name.length <= 100 && SHAPE.test(name) && !RESERVED.has(name);
}
