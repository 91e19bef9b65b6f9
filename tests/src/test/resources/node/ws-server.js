// Node's ws as the server for Warren's WebSocket client: echoes every message; "close-me" makes it close
// with 4001. Usage: node ws-server.js WS_MODULE_DIR [deflate] ; prints "port N" once listening; with
// "deflate" it accepts permessage-deflate and compresses every message (threshold 0).
const WebSocket = require(process.argv[2]);
const deflate = process.argv[3] === 'deflate' ? { threshold: 0 } : false;
const server = new WebSocket.WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: deflate });
server.on('listening', () => console.log('port ' + server.address().port));
server.on('connection', ws => {
  ws.on('message', (data, isBinary) => {
    if (!isBinary && data.toString() === 'close-me') ws.close(4001, 'node says bye');
    else ws.send(data, { binary: isBinary });
  });
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
