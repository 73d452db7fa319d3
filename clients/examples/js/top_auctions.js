// top_auctions.js — an application on node-postgres that registers a
// standing query in Sluice and consumes its changes three ways:
//  - a parameterized INSERT (node-postgres uses the extended protocol),
//  - LISTEN on the view: each change arrives as a notification (JSON),
//  - a cursor subscription read with ordinary queries (FETCH ... timeout).
// Usage: node top_auctions.js [port]   (prints what it saw; exits 0 on success)
'use strict';
const { Client } = require('pg');

const port = Number(process.argv[2] || 6543);
const config = { host: '127.0.0.1', port, user: 'app', database: 'sluice' };

async function main() {
  const db = new Client(config);
  const listener = new Client(config);
  await db.connect();
  await listener.connect();

  await db.query('CREATE STREAM IF NOT EXISTS js_bids (auction BIGINT, price BIGINT)');
  await db.query(`CREATE MATERIALIZED VIEW IF NOT EXISTS js_top WITH (parallelism = 2) AS
                    SELECT auction, count(*) AS bids, max(price) AS top FROM js_bids GROUP BY auction`);

  // LISTEN: changes as notifications
  const notes = [];
  listener.on('notification', (msg) => notes.push(JSON.parse(msg.payload)));
  await listener.query('LISTEN js_top');

  // a cursor subscription through the normal query API
  const sub = new Client(config);
  await sub.connect();
  await sub.query('BEGIN');
  await sub.query('DECLARE c CURSOR FOR SUBSCRIBE js_top');
  const snapshot = (await sub.query("FETCH ALL c WITH (timeout = '1s')")).rows;

  // parameterized INSERTs (extended protocol, typed parameters)
  for (const [auction, price] of [[1, 100], [2, 70], [1, 250]]) {
    await db.query('INSERT INTO js_bids VALUES ($1, $2)', [auction, price]);
  }

  // the cursor: apply diffs to a local copy of the view
  const model = new Map();
  const apply = (row, diff) => {
    const key = `${row.auction}|${row.bids}|${row.top}`;
    model.set(key, (model.get(key) || 0) + Number(diff));
    if (model.get(key) === 0) model.delete(key);
  };
  snapshot.forEach((r) => apply(r, r.diff));
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline && !(model.has('1|2|250') && model.has('2|1|70'))) {
    const { rows } = await sub.query("FETCH ALL c WITH (timeout = '1s')");
    rows.forEach((r) => apply(r, r.diff));
  }
  await sub.query('COMMIT');

  // give the last notifications a moment to arrive
  for (let i = 0; i < 50 && !notes.some((n) => n.row.auction === 1 && n.row.top === 250 && n.diff === 1); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const snapshotNow = (await db.query('SELECT auction, bids, top FROM js_top ORDER BY auction')).rows;

  console.log('view:', JSON.stringify(snapshotNow));
  console.log('cursor model:', JSON.stringify([...model.keys()].sort()));
  console.log('notifications:', notes.length, JSON.stringify(notes.map((n) => [n.diff, n.row.auction, n.row.top])));

  const ok = JSON.stringify([...model.keys()].sort()) === JSON.stringify(['1|2|250', '2|1|70']) &&
             notes.some((n) => n.diff === 1 && n.row.auction === 1 && n.row.top === 250);
  await Promise.all([db.end(), listener.end(), sub.end()]);
  if (!ok) {
    console.error('unexpected results');
    process.exit(1);
  }
  console.log('ok');
}

main().catch((err) => {
  console.error('error:', err.message, err.code || '');
  process.exit(1);
});
