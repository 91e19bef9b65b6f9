// Node's ws as the client of Warren's WebSocket server: echo checks, then a normal close.
// Usage: node ws-client.js WS_MODULE_DIR URL ; prints the agreed extensions ("extensions permessage-deflate"
// when the server took ws's default offer), "echoes ok" and "closed CODE REASON".
const WebSocket = require(process.argv[2]);
const ws = new WebSocket(process.argv[3]);
const big = 'x'.repeat(70000);
const expected = ['hello', 'binary:3', 'big:' + big.length, 'ünïcode ✓'];
const got = [];
ws.on('open', () => {
  console.log('extensions ' + ws.extensions);
  ws.send('hello');
  ws.send(Buffer.from([1, 2, 3]));
  ws.send(big);
  ws.send('ünïcode ✓');
});
ws.on('message', (data, isBinary) => {
  if (isBinary) got.push('binary:' + data.length);
  else if (data.length > 1000) got.push('big:' + data.toString().length);
  else got.push(data.toString());
  if (got.length === expected.length) {
    console.log(JSON.stringify(got) === JSON.stringify(expected) ? 'echoes ok' : 'echoes wrong: ' + JSON.stringify(got));
    ws.close(1000, 'bye from node');
  }
});
ws.on('close', (code, reason) => { console.log('closed ' + code + ' ' + reason.toString()); process.exit(0); });
ws.on('error', e => { console.log('error ' + e.message); process.exit(1); });
setTimeout(() => { console.log('timeout'); process.exit(2); }, 20000);
