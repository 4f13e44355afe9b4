/**
 * The test titles a test file declares, read from its syntax tree (TypeScript's own parser), not
 * by running it: every `describe` / `it` / `test` (and `.each`, `.concurrent`, `.only`) call whose
 * title is a string literal, with the titles of the blocks around it. A title built at run time
 * (a template with `${…}`, a variable) is not listed: cite only titles written as they are.
 * `disruptive(…)` is the disruptive suite's `describe` (test/disruptive/helpers.ts).
 */
import ts from 'typescript';

export interface DeclaredTest {
  /** The `it` / `test` title as written (a `test.each` title keeps its `%s`). */
  readonly title: string;
  /** The titles of the enclosing `describe` blocks, outermost first. */
  readonly describes: readonly string[];
  /** Declared with `.skip`, `.todo`, `xit`, `xtest`, or inside a block declared so. */
  readonly skipped: boolean;
}

const BLOCKS = new Set(['describe', 'xdescribe', 'fdescribe', 'disruptive']);
const TESTS = new Set(['it', 'test', 'xit', 'xtest', 'fit']);
const SKIPPING = new Set(['skip', 'todo', 'xit', 'xtest', 'xdescribe']);

/** `describe`, `test.each`, `it.skip`, `test.each(table)` → its root name and the member names. */
function callee(node: ts.Expression): { root: string; members: string[] } | undefined {
  if (ts.isIdentifier(node)) return { root: node.text, members: [] };
  if (ts.isPropertyAccessExpression(node)) {
    const inner = callee(node.expression);
    return inner && { root: inner.root, members: [...inner.members, node.name.text] };
  }
  if (ts.isCallExpression(node)) return callee(node.expression); // test.each(table)('title', …)
  return undefined;
}

function literal(node: ts.Node | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) {
    return node.text;
  }
  return undefined;
}

export function declaredTests(source: string, fileName = 'test.ts'): DeclaredTest[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const found: DeclaredTest[] = [];
  const visit = (node: ts.Node, describes: readonly string[], skipped: boolean): void => {
    if (ts.isCallExpression(node)) {
      const name = callee(node.expression);
      const title = literal(node.arguments[0]);
      if (name && title !== undefined && (BLOCKS.has(name.root) || TESTS.has(name.root))) {
        const skips =
          skipped || SKIPPING.has(name.root) || name.members.some((m) => SKIPPING.has(m));
        if (TESTS.has(name.root)) {
          found.push({ title, describes, skipped: skips });
          return;
        }
        for (const arg of node.arguments.slice(1)) visit(arg, [...describes, title], skips);
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, describes, skipped));
  };
  visit(file, [], false);
  return found;
}

/** The names a citation may use for a test: its title alone, or its describes and title joined by ' › '. */
export function citableNames(test: DeclaredTest): string[] {
  return [test.title, [...test.describes, test.title].join(' › ')];
}
