/**
 * Identical errors on many hosts are one message with a count and the first hosts: an error every
 * host of a 10,000-host fleet shares is read once, not 10,000 times.
 */
export interface MessageGroup {
  message: string;
  hosts: string[];
}

/** The message with its host's name taken out, so that the same error on two hosts reads the same. */
export function withoutHost(message: string, host: string | undefined): string {
  // split/join, not a regex per host: 10,000 hosts must group in milliseconds.
  return host ? message.split(`host ${host}`).join('host').split(host).join('<host>') : message;
}

/** Groups `[host, message]` pairs by message, in first-seen order. */
export function groupByMessage(items: Iterable<{ host?: string; message: string }>): MessageGroup[] {
  const groups = new Map<string, MessageGroup>();
  for (const { host, message } of items) {
    const key = withoutHost(message, host);
    let g = groups.get(key);
    if (!g) {
      g = { message: key, hosts: [] };
      groups.set(key, g);
    }
    if (host !== undefined) g.hosts.push(host);
  }
  return [...groups.values()];
}

/** `node00000, node00001, ... and 9997 more`. */
export function hostList(hosts: string[], first = 3): string {
  if (hosts.length <= first + 1) return hosts.join(', ');
  return `${hosts.slice(0, first).join(', ')}, ... and ${hosts.length - first} more`;
}

/** One line (or block) per group: `10000 hosts: message (h1, h2, h3, ... and 9997 more)`. */
export function formatGroup(g: MessageGroup): string {
  if (g.hosts.length <= 1) return g.hosts.length ? `${g.hosts[0]}: ${g.message.replace(/<host>/g, g.hosts[0]!)}` : g.message;
  return `${g.hosts.length} hosts: ${g.message} (${hostList(g.hosts)})`;
}
