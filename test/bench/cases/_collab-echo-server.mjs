/**
 * The collaboration benchmark's baseline server: a plain `ws` WebSocket server on 127.0.0.1 that
 * forwards every binary message, unchanged, to every *other* connected client. No decoding, no
 * storage, no throttle: what a relay costs at the very least (loopback + WebSocket framing + one
 * Node event loop). Run as its own process, like the relay, so its CPU and memory can be sampled
 * the same way. Prints "echo listening on <port>".
 */
import { WebSocket, WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    for (const other of wss.clients) {
      if (other !== ws && other.readyState === WebSocket.OPEN) other.send(data, { binary: isBinary });
    }
  });
});
wss.on('listening', () => console.log(`echo listening on ${wss.address().port}`));
const stop = () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
