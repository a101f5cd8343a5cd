// An HTTPS server and client on Node.js's https/tls modules, for tests/node/run.sh.
//
//   node https.js server PORT    serve until killed
//   node https.js client URL     requests, one result line each
//
// Settings come from the environment (all optional):
//   CERT KEY      certificate chain file and key (PEM), the server's or the client's
//   CA            CA file: verifies the peer (a server then asks for client certificates)
//   VERIFY        server: require (reject clients without a valid certificate) | request
//                 client: none (rejectUnauthorized: false)
//   MIN MAX       TLSv1.2 | TLSv1.3
//   ALPN          comma-separated protocols
//   CIPHERS       OpenSSL cipher string (TLS 1.2)
//   TICKETS=0     server: no session tickets (session IDs only)
//   REQUESTS      client: sequential requests, each on a new connection (the agent resumes)
//   KEEPALIVE     client: requests over one kept-alive connection
//   POST_SIZE     client: POST this many bytes; the server answers with length and MD5
//   SERVERNAME    client: SNI / name to verify (default: the URL's host)
//
// Server responses are `key=value` lines about the connection.  The server logs failed
// handshakes to stderr as `error: tlsClientError: CODE: MESSAGE`; the client prints
// `status=... protocol=... cipher=... alpn=... reused=...` per request, or
// `error: CODE: MESSAGE` and exits 1.
'use strict';
const fs = require('fs');
const https = require('https');
const crypto = require('crypto');

function libssl() {
  const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\n');
  const paths = new Set(maps.map((l) => l.split(/\s+/)[5]).filter((p) => p && /libssl\.so/.test(p)));
  return [...paths].join(',');
}

function md5(buf) {
  return crypto.createHash('md5').update(buf).digest('hex');
}

function common() {
  const o = {};
  const e = process.env;
  if (e.CERT) {
    o.cert = fs.readFileSync(e.CERT);
    o.key = fs.readFileSync(e.KEY);
  }
  if (e.CA) o.ca = fs.readFileSync(e.CA);
  if (e.MIN) o.minVersion = e.MIN;
  if (e.MAX) o.maxVersion = e.MAX;
  if (e.CIPHERS) o.ciphers = e.CIPHERS;
  if (e.ALPN) o.ALPNProtocols = e.ALPN.split(',');
  return o;
}

function describe(sock) {
  const peer = sock.getPeerCertificate();
  return [
    `protocol=${sock.getProtocol()}`,
    `cipher=${sock.getCipher() ? sock.getCipher().name : ''}`,
    `alpn=${sock.alpnProtocol || ''}`,
    `reused=${sock.isSessionReused()}`,
    `peer=${peer && peer.subject ? peer.subject.CN : '-'}`,
    `authorized=${sock.authorized}`,
  ];
}

function server(port) {
  const o = common();
  const e = process.env;
  if (e.CA) {
    o.requestCert = true;
    o.rejectUnauthorized = e.VERIFY === 'require';
  }
  if (e.TICKETS === '0') o.secureOptions = crypto.constants.SSL_OP_NO_TICKET;
  const srv = https.createServer(o, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const lines = describe(req.socket);
      lines.push(`path=${req.url}`);
      if (body.length) lines.push(`posted=${body.length} md5=${md5(body)}`);
      let out = Buffer.from(lines.join('\n') + '\n');
      const m = /^\/bytes\/(\d+)/.exec(req.url);
      if (m) {
        const payload = Buffer.alloc(Number(m[1]), 'x');
        out = Buffer.concat([Buffer.from(`${lines.join('\n')}\npayload_md5=${md5(payload)}\n`), payload]);
      }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': out.length });
      res.end(out);
    });
  });
  if (e.TICKETS === '0') {
    // Session IDs only: node keeps no server sessions of its own (SSL_SESS_CACHE_NO_INTERNAL),
    // the application stores them through these events.
    const store = new Map();
    srv.on('newSession', (id, data, cb) => { store.set(id.toString('hex'), data); cb(); });
    srv.on('resumeSession', (id, cb) => cb(null, store.get(id.toString('hex')) || null));
  }
  srv.prependListener('tlsClientError', (err) => {
    err.logged = true;
    console.error(`error: tlsClientError: ${err.code}: ${err.message}`);
  });
  // https re-emits TLS errors as clientError: log only the others.
  srv.on('clientError', (err, sock) => {
    if (!err.logged) console.error(`error: clientError: ${err.code}: ${err.message}`);
    sock.destroy();
  });
  srv.on('error', (err) => { console.error(`error: server: ${err.code}: ${err.message}`); process.exit(1); });
  srv.listen(Number(port), '127.0.0.1', () => {
    console.log(`libssl=${libssl()}`);
    console.log(`listening on ${port} (node ${process.version}, OpenSSL ${process.versions.openssl})`);
  });
}

function request(agent, url, o, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...o, agent, method: body ? 'POST' : 'GET' }, (res) => {
      // The socket is detached from the response once it ends: read the TLS facts now.
      const s = res.socket;
      const tlsInfo = `protocol=${s.getProtocol()} cipher=${s.getCipher().name} ` +
        `alpn=${s.alpnProtocol || ''} reused=${s.isSessionReused()}`;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ res, tlsInfo, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error("timeout: no response in 5 s")));
    if (body) req.write(body);
    req.end();
  });
}

async function client(url) {
  const e = process.env;
  const o = common();
  if (e.VERIFY === 'none') o.rejectUnauthorized = false;
  if (e.SERVERNAME) o.servername = e.SERVERNAME;
  console.log(`libssl=${libssl()}`);
  const requests = Number(e.REQUESTS || 1);
  const keepalive = Number(e.KEEPALIVE || 1);
  const body = e.POST_SIZE
    ? Buffer.from(Array.from({ length: Number(e.POST_SIZE) }, (_, i) => 97 + (i % 26)))
    : null;
  // One agent for all requests: it keeps the TLS session of each connection and offers
  // it on the next one.
  const agent = new https.Agent({ keepAlive: keepalive > 1, maxSockets: 1, ...o });
  try {
    for (let r = 0; r < requests; r++) {
      for (let k = 0; k < keepalive; k++) {
        const { res, tlsInfo, body: got } = await request(agent, url, o, body);
        console.log(`status=${res.statusCode} ${tlsInfo} bytes=${got.length} body_md5=${md5(got)}`);
        got.toString('latin1').split('\n').slice(0, 8).filter((l) => l && !l.startsWith('x'))
          .forEach((l) => console.log(`  | ${l}`));
      }
      // New connection next time: close the kept-alive socket (the session stays cached).
      agent.destroy();
    }
  } catch (err) {
    console.log(`error: ${err.code}: ${err.message}`);
    process.exitCode = 1;
  }
}

if (process.argv[2] === 'server') server(process.argv[3]);
else if (process.argv[2] === 'client') client(process.argv[3]);
else {
  console.error('usage: https.js server PORT | client URL');
  process.exit(2);
}
