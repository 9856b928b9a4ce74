import { Inventory } from '../../src/inventory/inventory.js';
import { parseIniInventory } from '../../src/inventory/ini-inventory.js';
import { parseYamlInventory } from '../../src/inventory/yaml-inventory.js';

export function iniInventory(text: string, file = 'hosts.ini'): Inventory {
  const inv = new Inventory();
  parseIniInventory(text, file, inv);
  return inv.finalize();
}

export function yamlInventory(text: string, file = 'hosts.yml'): Inventory {
  const inv = new Inventory();
  parseYamlInventory(text, file, inv);
  return inv.finalize();
}

/** Strips template indentation so fixtures can be written inline. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Runs `fn` and returns the error it throws (failing the test when it throws nothing). */
export function thrown(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected an error, none was thrown');
}
