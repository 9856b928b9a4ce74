/**
 * A reader for the unit files and tmpfiles.d lines the roles write, following systemd.syntax(7),
 * systemd.service(5) "Command lines" and tmpfiles.d(5), strict where systemd would silently do
 * something else: an unescaped `%x` specifier, a `$VAR` reference or a lone `;` (a second command)
 * in a command line is an error here, since a rendered value must never produce one.
 */

export interface UnitEntry {
  section: string;
  key: string;
  value: string;
}

/** Sections and `key=value` entries, with `\` line continuations joined and comments dropped. */
export function parseUnit(text: string): UnitEntry[] {
  const entries: UnitEntry[] = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      if (!/^\[[^[\]]+\]$/.test(line)) throw new Error(`line ${i + 1}: bad section header ${JSON.stringify(line)}`);
      section = line.slice(1, -1);
      continue;
    }
    // A trailing backslash joins the next line with a space; comment lines in between are skipped.
    while (line.endsWith('\\')) {
      line = `${line.slice(0, -1)} `;
      i++;
      while (i < lines.length && /^\s*[#;]/.test(lines[i]!)) i++;
      if (i >= lines.length) break;
      line += lines[i]!.trim();
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !section) throw new Error(`line ${i + 1}: expected key=value inside a section, got ${JSON.stringify(line)}`);
    entries.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
  }
  return entries;
}

const C_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ' };

/** Words of a command line: quotes removed, C escapes resolved (systemd's extract_first_word with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE). */
export function splitWords(value: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && /\s/.test(value[i]!)) i++;
    if (i >= value.length) break;
    let word = '';
    let quote: string | undefined;
    for (; i < value.length; i++) {
      const c = value[i]!;
      if (c === '\\') {
        const n = value[++i];
        if (n === undefined) throw new Error(`trailing backslash in ${JSON.stringify(value)}`);
        if (n === 'x') {
          word += String.fromCharCode(Number.parseInt(value.slice(i + 1, i + 3), 16));
          i += 2;
        } else if (n in C_ESCAPES) word += C_ESCAPES[n];
        else throw new Error(`unknown escape \\${n} in ${JSON.stringify(value)}`);
      } else if (quote) {
        if (c === quote) quote = undefined;
        else word += c;
      } else if (c === '"' || c === "'") quote = c;
      else if (/\s/.test(c)) break;
      else word += c;
    }
    if (quote) throw new Error(`unterminated quote in ${JSON.stringify(value)}`);
    words.push(word);
  }
  return words;
}

/** `%%` is a literal `%`; any other specifier would be expanded by systemd. */
export function unescapeSpecifiers(word: string): string {
  return word.replace(/%(.?)/g, (_, c: string) => {
    if (c === '%') return '%';
    throw new Error(`unescaped specifier %${c} in ${JSON.stringify(word)}`);
  });
}

/**
 * An Exec*= value as systemd runs it: `[program, argv0, ...args]`. Specifiers are resolved in every
 * word; `$$` and `$VAR` only in argv, never in the program path (systemd.service(5)); with the `@`
 * prefix the second word is argv[0].
 */
export function execArgv(value: string): string[] {
  const prefixes = /^[-@:+!|]*/.exec(value)![0];
  const words = splitWords(value.slice(prefixes.length)).map(unescapeSpecifiers);
  if (words.includes(';')) throw new Error(`a lone ";" starts a second command in ${JSON.stringify(value)}`);
  const substitute = (w: string) =>
    w.replace(/\$(\$|\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)?/g, (m, ref: string | undefined) => {
      if (ref === '$') return '$';
      if (ref !== undefined) throw new Error(`environment variable reference ${m} in ${JSON.stringify(value)}`);
      return '$';
    });
  const [program, ...rest] = words;
  if (program === undefined) throw new Error(`no program in ${JSON.stringify(value)}`);
  if (prefixes.includes('@')) {
    if (rest.length === 0) throw new Error(`"@" without an argv[0] in ${JSON.stringify(value)}`);
    return [program, ...rest.map(substitute)];
  }
  return [program, substitute(program), ...rest.map(substitute)];
}

/** A unit as data: each entry, with Exec*= values as argv, for comparing two renders. */
export function unitData(text: string): [string, string, string | string[]][] {
  return parseUnit(text).map(({ section, key, value }) => [section, key, key.startsWith('Exec') ? execArgv(value) : unescapeSpecifiers(value)]);
}

/** tmpfiles.d(5) lines as their seven fields (type, path, mode, user, group, age, argument), unquoted. */
export function tmpfilesData(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const fields = splitWords(l).map(unescapeSpecifiers);
      if (fields.length !== 7) throw new Error(`tmpfiles.d line has ${fields.length} fields, not 7: ${JSON.stringify(l)}`);
      return fields;
    });
}
