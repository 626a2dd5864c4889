/**
 * The CodeMirror 6 setup of the operation editor: JavaScript with line numbers, highlighting whose colours come
 * from CSS variables (so one style serves the light and the dark theme), a lint gutter fed by acorn as the user
 * types, and an accessible name. Imported only by the lazily loaded operation editor, never by the first chunk.
 */
import type { CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { javascript, javascriptLanguage } from '@codemirror/lang-javascript';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { CONTEXT_MEMBERS } from '../../model/library/context';
import { checkSyntax, type SyntaxProblem } from '../../model/signature';

/** Completes `ctx.` with the members of the job context, with their signature and what they do. */
function contextCompletions(context: CompletionContext): CompletionResult | null {
  const typed = context.matchBefore(/\bctx\.\w*$/);
  if (!typed) return null;
  return {
    from: typed.from + 4,
    options: CONTEXT_MEMBERS.map((m) => ({ label: m.name, detail: m.signature, info: m.doc, type: m.name === 'signal' ? 'property' : 'method' })),
    validFor: /^\w*$/,
  };
}

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword, t.definitionKeyword, t.modifier], color: 'var(--cm-keyword)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--cm-string)' },
  { tag: t.regexp, color: 'var(--cm-regexp)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--cm-number)' },
  { tag: [t.lineComment, t.blockComment, t.comment], color: 'var(--cm-comment)', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.function(t.variableName))], color: 'var(--cm-function)' },
  { tag: [t.propertyName, t.definition(t.propertyName)], color: 'var(--cm-property)' },
  { tag: [t.typeName, t.className, t.namespace], color: 'var(--cm-type)' },
  { tag: [t.definition(t.variableName)], color: 'var(--cm-definition)' },
  { tag: [t.operator, t.punctuation, t.bracket], color: 'var(--cm-punctuation)' },
  { tag: t.invalid, color: 'var(--danger)' },
]);

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--cm-bg)', color: 'var(--text)', fontSize: '0.84rem', maxHeight: '70vh', borderRadius: 'var(--radius)' },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '1px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.6', overflow: 'auto' },
  '.cm-content': { caretColor: 'var(--text)', minHeight: '320px', padding: '10px 0' },
  '.cm-gutters': { backgroundColor: 'var(--cm-bg)', color: 'var(--text-faint)', border: 'none', minHeight: '320px' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--cm-active-line)', color: 'var(--text-muted)' },
  '.cm-activeLine': { backgroundColor: 'var(--cm-active-line)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection': { backgroundColor: 'var(--cm-selection)' },
  '.cm-matchingBracket': { backgroundColor: 'var(--cm-selection)', outline: 'none' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border-strong)', borderRadius: '6px' },
  '.cm-tooltip-lint': { fontFamily: 'inherit' },
  '.cm-panels': { backgroundColor: 'var(--surface)', color: 'var(--text)' },
  '.cm-remote-caret': { position: 'relative', borderLeft: '2px solid var(--c)', marginLeft: '-1px', marginRight: '-1px' },
  '.cm-remote-name': {
    position: 'absolute',
    top: '-1.35em',
    left: '-2px',
    padding: '0 4px',
    borderRadius: '3px 3px 3px 0',
    background: 'var(--c)',
    color: '#fff',
    fontSize: '0.7rem',
    fontFamily: 'var(--font, system-ui)',
    lineHeight: '1.4',
    whiteSpace: 'nowrap',
    pointerEvents: 'none',
  },
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy var(--danger)', textUnderlineOffset: '3px' },
});

/** A collaborator's caret and selection in this code. */
export interface RemoteCursor {
  id: string;
  name: string;
  color: string;
  anchor: number;
  head: number;
}

class CaretWidget extends WidgetType {
  constructor(readonly name: string, readonly color: string) {
    super();
  }
  override eq(other: CaretWidget): boolean {
    return other.name === this.name && other.color === this.color;
  }
  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = 'cm-remote-caret';
    caret.style.setProperty('--c', this.color);
    caret.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'cm-remote-name';
    label.textContent = this.name;
    caret.append(label);
    return caret;
  }
}

const setRemotes = StateEffect.define<RemoteCursor[]>();

/** Collaborators' carets (with their names) and selections, kept in place as the text changes under them. */
const remoteCursors = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    let next = value.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setRemotes)) continue;
      const length = tr.state.doc.length;
      const ranges = effect.value.flatMap((c) => {
        const head = Math.min(Math.max(0, c.head), length);
        const anchor = Math.min(Math.max(0, c.anchor), length);
        const out = [Decoration.widget({ widget: new CaretWidget(c.name, c.color), side: 1 }).range(head)];
        if (anchor !== head) {
          out.push(Decoration.mark({ attributes: { style: `background-color: color-mix(in srgb, ${c.color} 22%, transparent)` } }).range(Math.min(anchor, head), Math.max(anchor, head)));
        }
        return out;
      });
      next = Decoration.set(ranges, true);
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export interface EditorOptions {
  /** The text to start from; for a synced editor, exactly the text the sync extension started from. */
  text: string;
  /** The collaborative binding, or nothing for a read-only view. */
  sync?: Extension;
  readonly: boolean;
  label: string;
  /** Called with the syntax problems each time the linter runs (for a status line that screen readers read). */
  onproblems: (problems: SyntaxProblem[]) => void;
  /** Called when our caret or selection moves, to tell collaborators. */
  oncursor?: (anchor: number, head: number) => void;
}

export interface CodeEditorHandle {
  view: EditorView;
  setLabel(label: string): void;
  /** Replace the whole text (read-only views only: a synced editor gets its text from the document). */
  setText(text: string): void;
  /** Show collaborators' carets and selections. */
  setRemoteCursors(cursors: RemoteCursor[]): void;
  /** Select line `n` (from 1), scroll it to the middle and focus the editor: where an error was thrown. */
  revealLine(n: number): void;
  destroy(): void;
}

function diagnostics(view: EditorView, problems: SyntaxProblem[]): Diagnostic[] {
  const length = view.state.doc.length;
  return problems.map((p) => {
    const from = Math.min(p.index, length);
    return { from, to: Math.min(from + 1, length), severity: p.severity, message: p.message };
  });
}

export function createEditor(parent: HTMLElement, options: EditorOptions): CodeEditorHandle {
  const label = new Compartment();
  const dark = new Compartment();
  const isDark = () => document.documentElement.dataset.theme === 'dark';
  const attributes = (text: string) => EditorView.contentAttributes.of({ 'aria-label': text, ...(options.readonly ? { 'aria-readonly': 'true' } : {}) });
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        basicSetup,
        javascript(),
        javascriptLanguage.data.of({ autocomplete: contextCompletions }),
        syntaxHighlighting(highlight),
        theme,
        dark.of(EditorView.darkTheme.of(isDark())),
        label.of(attributes(options.label)),
        lintGutter(),
        linter(
          (v) => {
            const problems = checkSyntax(v.state.doc.toString());
            options.onproblems(problems);
            return diagnostics(v, problems);
          },
          { delay: 250 },
        ),
        options.readonly ? EditorState.readOnly.of(true) : [],
        remoteCursors,
        EditorView.updateListener.of((u) => {
          if (u.selectionSet && options.oncursor) options.oncursor(u.state.selection.main.anchor, u.state.selection.main.head);
        }),
        options.sync ?? [],
      ],
    }),
  });
  // Follow the app's theme (html[data-theme]), which the theme toggle or the system may change at any time.
  const observer = new MutationObserver(() => view.dispatch({ effects: dark.reconfigure(EditorView.darkTheme.of(isDark())) }));
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return {
    view,
    setLabel: (text) => view.dispatch({ effects: label.reconfigure(attributes(text)) }),
    setRemoteCursors: (cursors) => view.dispatch({ effects: setRemotes.of(cursors) }),
    revealLine(n) {
      const line = view.state.doc.line(Math.min(Math.max(1, Math.round(n)), view.state.doc.lines));
      view.dispatch({ selection: { anchor: line.from, head: line.to }, effects: EditorView.scrollIntoView(line.from, { y: 'center' }) });
      view.focus();
    },
    setText(text) {
      if (text !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    destroy() {
      observer.disconnect();
      view.destroy();
    },
  };
}
