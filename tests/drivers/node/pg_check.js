// node-postgres against a running crmdb: connects with SCRAM-SHA-256 and
// checks parameters and results of every column type (node-postgres sends
// text parameters of unspecified type and reads text results), prepared
// statement reuse, transactions, and errors by SQLSTATE.
//
// Connection details come from CRMDB_HOST, CRMDB_PORT, CRMDB_USER,
// CRMDB_PASSWORD. Exits non-zero with a message on the first mismatch.
'use strict';

process.env.TZ = 'UTC'; // node-postgres parses dates in the local zone
const assert = require('node:assert/strict');
const { Client } = require('pg');

function check(what, got, want) {
  try {
    assert.deepStrictEqual(got, want);
  } catch (e) {
    console.error(`node-postgres: ${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    process.exit(1);
  }
}

async function expectError(client, what, sql, params, sqlstate) {
  try {
    await client.query(sql, params);
  } catch (e) {
    check(`${what} sqlstate`, e.code, sqlstate);
    return;
  }
  console.error(`node-postgres: ${what} was accepted`);
  process.exit(1);
}

async function main() {
  const client = new Client({
    host: process.env.CRMDB_HOST,
    port: Number(process.env.CRMDB_PORT),
    user: process.env.CRMDB_USER,
    password: process.env.CRMDB_PASSWORD,
    database: 'crmdb',
  });
  await client.connect();
  const version = await client.query('SHOW server_version');
  check('server_version', version.rows[0].server_version.startsWith('15'), true);
  const who = await client.query('SELECT current_user AS u');
  check('current_user', who.rows[0].u, process.env.CRMDB_USER);

  await client.query(
    'CREATE TABLE drv_node (b bigint PRIMARY KEY, i integer, n numeric(12,2), t text,' +
      ' bo boolean, d date, ts timestamptz, f double precision, tsn timestamp, iv interval)'
  );
  const sent = [
    '9000000001', -42, '1234.50', "Zoë O'Brien", true, '1985-02-28',
    new Date(Date.UTC(2024, 2, 1, 12, 30, 15, 250)), 0.0025, '2023-12-31 23:59:59', '3 days 04:05:00',
  ];
  const inserted = await client.query(
    'INSERT INTO drv_node VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', sent
  );
  check('insert rowCount', inserted.rowCount, 1);
  const read = await client.query({ text: 'SELECT * FROM drv_node WHERE b = $1', values: ['9000000001'], rowMode: 'array' });
  const row = read.rows[0];
  // node-postgres's default parsers: int8 and numeric stay strings, date
  // and timestamps become Dates, interval an object.
  check('bigint', row[0], '9000000001');
  check('integer', row[1], -42);
  check('numeric', row[2], '1234.50');
  check('text', row[3], "Zoë O'Brien");
  check('boolean', row[4], true);
  check('date', row[5].toISOString(), '1985-02-28T00:00:00.000Z');
  check('timestamptz', row[6].toISOString(), '2024-03-01T12:30:15.250Z');
  check('double precision', row[7], 0.0025);
  check('timestamp', row[8].toISOString(), '2023-12-31T23:59:59.000Z');
  check('interval', [row[9].days, row[9].hours, row[9].minutes], [3, 4, 5]);
  check('field types', read.fields.map((f) => f.dataTypeID), [20, 23, 1700, 25, 16, 1082, 1184, 701, 1114, 1186]);
  const nul = await client.query('SELECT $1::text IS NULL AS n', [null]);
  check('NULL parameter', nul.rows[0].n, true);

  // A named prepared statement, reused.
  for (let k = 0; k < 6; k++) {
    const r = await client.query({ name: 'double-it', text: 'SELECT $1::bigint * 2 AS d, $2 || \'x\' AS s', values: [k, String(k)] });
    check(`prepared run ${k}`, r.rows[0], { d: String(2 * k), s: `${k}x` });
  }

  // Transactions: one committed, one rolled back.
  await client.query('BEGIN');
  await client.query('INSERT INTO drv_node (b, i) VALUES ($1, $2)', [1, 10]);
  await client.query('COMMIT');
  await client.query('BEGIN');
  await client.query('INSERT INTO drv_node (b, i) VALUES ($1, $2)', [2, 20]);
  await client.query('ROLLBACK');
  const kept = await client.query('SELECT b FROM drv_node WHERE b < 100 ORDER BY b');
  check('committed rows only', kept.rows, [{ b: '1' }]);

  // Errors by SQLSTATE; the connection stays usable.
  await expectError(client, 'unique violation', 'INSERT INTO drv_node (b) VALUES ($1)', [1], '23505');
  await expectError(client, 'syntax error', 'SELEC 1', [], '42601');
  await expectError(client, 'bad integer', 'SELECT $1::integer', ['x'], '22P02');
  const count = await client.query('SELECT count(*) AS n FROM drv_node');
  check('usable after errors', count.rows[0].n, '2');
  await client.end();
  console.log('node-postgres', require('pg/package.json').version, 'ok');
}

main().catch((e) => {
  console.error('node-postgres:', e);
  process.exit(1);
});
