export interface IfconfigBlock {
  readonly name: string;
  readonly inet: readonly string[];
  /** IPv6 addresses as ifconfig prints them (no prefix); Linux lists them under the interface, never an alias. */
  readonly inet6: readonly string[];
}

const HEADER = /^(\S+?):?\s+(?:flags=|Link encap)/;
const INET = /^\s+inet (?:addr:)?(\d{1,3}(?:\.\d{1,3}){3})/;
// "inet6 fd00::1  prefixlen 64" (net-tools 2.x) or "inet6 addr: fd00::1/64 Scope:Global" (net-tools 1.60, BusyBox)
const INET6 = /^\s+inet6 (?:addr:\s*)?([0-9A-Fa-f:.]+)/;

/** Reads `ifconfig -a` in both the net-tools 2.x layout and the older "inet addr:" one. */
export function parseIfconfig(output: string): IfconfigBlock[] {
  const blocks: { name: string; inet: string[]; inet6: string[] }[] = [];
  for (const line of output.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      blocks.push({ name: header[1]!, inet: [], inet6: [] });
      continue;
    }
    const block = blocks[blocks.length - 1];
    if (!block) continue;
    const inet = INET.exec(line);
    if (inet) block.inet.push(inet[1]!);
    const inet6 = INET6.exec(line);
    if (inet6) block.inet6.push(inet6[1]!);
  }
  return blocks;
}
