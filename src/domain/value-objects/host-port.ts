/**
 * HOST:PORT as a config file or a command line writes it (a TCP check, the status listener, the multicast
 * binding): parsed here and nowhere else. The host may be an [IPv6] literal; the port is 1 to 65535.
 */
export class HostPort {
  private constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /** null where `text` is not HOST:PORT with such a port; the caller words the error for its field. */
  static parse(text: string): HostPort | null {
    const at = text.lastIndexOf(':');
    if (at <= 0) return null;
    const host = text.slice(0, at).replace(/^\[(.*)\]$/, '$1');
    const portText = text.slice(at + 1);
    const port = Number(portText);
    if (!host || !/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) return null;
    return new HostPort(host, port);
  }

  toString(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }
}
