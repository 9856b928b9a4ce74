/**
 * Kubernetes label rules (apimachinery validation): a key is an optional DNS subdomain prefix
 * (at most 253 characters) and "/", then a name of at most 63 characters; a value is empty or at most
 * 63 characters; names and values begin and end with an alphanumeric, with "-", "_", "." between.
 */
const NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Every problem of a provision_node_labels map, each naming the entry. */
export function labelProblems(labels: unknown): string[] {
  if (!labels || typeof labels !== 'object' || Array.isArray(labels))
    return [`provision_node_labels must be a map of label: value, got ${JSON.stringify(labels)}`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = key.slice(slash + 1);
    if (prefix !== undefined && !(prefix.length <= 253 && PREFIX.test(prefix)))
      problems.push(`label ${JSON.stringify(key)}: the prefix must be a DNS subdomain`);
    if (!NAME.test(name))
      problems.push(`label ${JSON.stringify(key)}: the name must be 1-63 letters, digits, "-", "_" or "." beginning and ending with a letter or digit`);
    const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    if (text === undefined || !(text === '' || NAME.test(text)))
      problems.push(`label ${JSON.stringify(key)}: the value ${JSON.stringify(value)} must be empty or 1-63 letters, digits, "-", "_" or "."`);
  }
  return problems;
}
