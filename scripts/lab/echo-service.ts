// A stand-in for the gateway: answers every TCP connection with this host's name, then closes.
import { createServer } from 'node:net';

const [name = 'node', portText = '8080'] = process.argv.slice(2);
const server = createServer((socket) => {
  socket.on('error', () => undefined);
  socket.end(`${name}\n`);
});
// both families (the floating IPv6 address too), or IPv4 alone where the namespace has no IPv6
server.once('error', () => server.listen({ port: Number(portText), host: '0.0.0.0' }, () => console.log('ready')));
server.listen({ port: Number(portText), host: '::' }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
