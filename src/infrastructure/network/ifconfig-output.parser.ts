export interface IfconfigBlock {
  readonly name: string;
  readonly inet: readonly string[];
}

const HEADER = /^(\S+?):?\s+(?:flags=|Link encap)/;
const INET = /^\s+inet (?:addr:)?(\d{1,3}(?:\.\d{1,3}){3})/;

/** Reads `ifconfig -a` in both the net-tools 2.x layout and the older "inet addr:" one. */
export function parseIfconfig(output: string): IfconfigBlock[] {
  const blocks: { name: string; inet: string[] }[] = [];
  for (const line of output.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      blocks.push({ name: header[1]!, inet: [] });
      continue;
    }
    const inet = INET.exec(line);
    if (inet && blocks.length > 0) blocks[blocks.length - 1]!.inet.push(inet[1]!);
  }
  return blocks;
}
