import type { ScalarTag, Tags } from 'yaml';

/**
 * Ansible reads YAML with PyYAML, whose YAML 1.1 resolver is narrower than the `yaml` package's
 * 1.1 schema. These tests are PyYAML's (`yaml/resolver.py`, `Resolver.add_implicit_resolver`), so a
 * value means what it means to Ansible:
 * - `y`, `Y`, `n`, `N` are strings (only yes/no/true/false/on/off are booleans);
 * - a float needs a dot and a signed exponent (`1.5e+3`); `1e3` and `1.5e3` are strings;
 * - a decimal integer has no leading zero (`09` is a string, `010` is octal 8);
 * - timestamps stay the text written (Ansible's JSON shows a date as `2001-12-14`, the same text).
 */
const PYYAML: Record<string, RegExp | null> = {
  bool: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  'int:BIN': /^[-+]?0b[0-1_]+$/,
  'int:OCT': /^[-+]?0[0-7_]+$/,
  'int:': /^[-+]?(?:0|[1-9][0-9_]*)$/,
  'int:HEX': /^[-+]?0x[0-9a-fA-F_]+$/,
  'int:TIME': /^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+$/,
  'float:EXP': /^[-+]?[0-9][0-9_]*\.[0-9_]*[eE][-+][0-9]+$|^\.[0-9_]+[eE][-+][0-9]+$/,
  'float:': /^[-+]?[0-9][0-9_]*\.[0-9_]*$|^\.[0-9_]+$/,
  'float:NAN': /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/,
  'float:TIME': /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  timestamp: null,
};

/**
 * How a `!vault` value is decrypted: passed in by the vault (inventory/vault.ts, when it is loaded),
 * which holds the run's passwords; core knows no vault. Until then a `!vault` value is an error.
 */
let vaultDecryption = (_text: string, where: string): string => {
  throw new Error(`${where}: a vault-encrypted value, and no vault is loaded to decrypt it`);
};

export function useVaultDecryption(decrypt: (text: string, where: string) => string): void {
  vaultDecryption = decrypt;
}

/** `!vault |` values (ansible-vault encrypt_string), decrypted with the run's vault passwords. */
const VAULT: ScalarTag = {
  tag: '!vault',
  default: false,
  resolve(text, onError) {
    try {
      return vaultDecryption(text, 'this !vault value');
    } catch (e) {
      onError((e as Error).message);
      return '';
    }
  },
};

export function pyyamlTags(tags: Tags): Tags {
  const out: Tags = [VAULT];
  for (const tag of tags) {
    const t = tag as ScalarTag;
    const name = typeof t.tag === 'string' ? t.tag.replace('tag:yaml.org,2002:', '') : '';
    const nan = name === 'float' && !t.format && t.test?.test('.inf');
    const key = name === 'bool' || name === 'timestamp' ? name : `${name}:${nan ? 'NAN' : (t.format ?? '')}`;
    if (!(key in PYYAML) || !t.test) {
      out.push(tag);
      continue;
    }
    const test = PYYAML[key];
    // The package splits true and false into two bool tags; each keeps its own words.
    if (test) out.push({ ...t, test: name === 'bool' ? intersect(test, t.test) : test });
  }
  return out;
}

function intersect(pyyaml: RegExp, own: RegExp): RegExp {
  const words = pyyaml.source
    .replace(/^\^\(\?:|\)\$$/g, '')
    .split('|')
    .filter((w) => own.test(w));
  return new RegExp(`^(?:${words.join('|')})$`);
}
