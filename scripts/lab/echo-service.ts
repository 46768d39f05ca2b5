// A stand-in for the gateway: answers every TCP connection with this host's name, then closes.
import { createServer } from 'node:net';

const [name = 'node', portText = '8080'] = process.argv.slice(2);
const server = createServer((socket) => {
  socket.on('error', () => undefined);
  socket.end(`${name}\n`);
});
server.listen({ port: Number(portText), host: '0.0.0.0' }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
