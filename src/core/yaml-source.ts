import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { ErrorContext, ProvisionError } from './errors.js';
import { pyyamlTags } from './yaml11-tags.js';

type ErrorClass = new (message: string, context?: ErrorContext) => ProvisionError;

const MAX_ALIAS_COUNT = 100;

/** A parsed YAML file that can point at any of its nodes as `file:line:col`. */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly ErrorType: ErrorClass,
  ) {}

  /**
   * Parses YAML, failing on the first syntax error (duplicate keys included) with its position.
   * `version: '1.1'` reads files the way Ansible does (`yes` is true, `0644` octal): use it for
   * inventories and vars files that are shared with Ansible.
   */
  static parse(text: string, file: string, ErrorType: ErrorClass, version: '1.1' | '1.2' = '1.2'): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, version, prettyErrors: false, uniqueKeys: true, ...tagsFor(version) });
    const first = doc.errors[0];
    if (first) {
      // yaml reports a duplicate key at the end of the first one; point at the duplicate instead.
      const pos = lines.linePos(first.code === 'DUPLICATE_KEY' ? (duplicateKeyOffset(text, version) ?? first.pos[0]) : first.pos[0]);
      const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
      throw new ErrorType(message, { file, line: pos.line, col: pos.col });
    }
    return new YamlSource(file, doc, lines, ErrorType);
  }

  get root(): Node | null {
    return (this.doc.contents as Node | null) ?? null;
  }

  position(node: Node | null | undefined): { line: number; col: number } {
    const offset = node?.range?.[0] ?? 0;
    return this.lines.linePos(offset);
  }

  /** An error pointing at `node`, of the kind this source was opened with. */
  error(node: Node | null | undefined, message: string): ProvisionError {
    const { line, col } = this.position(node);
    return new this.ErrorType(message, { file: this.file, line, col });
  }

  /** The entries of a mapping node with their key nodes; throws at the node if it is not a mapping. */
  entries(node: Node | null | undefined, what: string): { key: string; keyNode: Node; value: Node | null }[] {
    if (node == null || (isScalar(node) && node.value == null)) return [];
    if (!isMap(node)) throw this.error(node, `${what} must be a mapping, got ${kindOf(node)}`);
    return node.items.map((pair) => {
      const keyNode = pair.key as Node;
      if (!isScalar(keyNode)) throw this.error(keyNode, `${what}: keys must be plain values`);
      return { key: String(keyNode.value), keyNode, value: (pair.value as Node | null) ?? null };
    });
  }

  toJS(node: Node | null | undefined): unknown {
    if (node == null) return null;
    try {
      return node.toJS(this.doc, { maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      // yaml's guard against alias bombs ("billion laughs"): bad input, so name the file.
      if (e instanceof ReferenceError && /alias/i.test(e.message))
        throw this.error(node, `too many aliases (more than ${MAX_ALIAS_COUNT} expansions): ${e.message}`);
      throw e;
    }
  }
}

/** YAML 1.1 as PyYAML (so Ansible) resolves it. */
function tagsFor(version: '1.1' | '1.2') {
  return version === '1.1' ? { customTags: pyyamlTags } : {};
}

function kindOf(node: Node | null | undefined): string {
  if (node == null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value == null ? 'nothing' : `${typeof node.value} ${JSON.stringify(node.value)}`;
  return 'an alias';
}

function duplicateKeyOffset(text: string, version: '1.1' | '1.2'): number | undefined {
  let offset: number | undefined;
  visit(parseDocument(text, { version, uniqueKeys: false, ...tagsFor(version) }), {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          offset = (pair.key as Node).range?.[0];
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return offset;
}
