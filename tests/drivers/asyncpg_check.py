"""asyncpg against a running crmdb: connects with SCRAM-SHA-256, and
asyncpg's type introspection runs for real (it prepares every statement and
reads pg_type for the types it meets). Parameters and results travel in the
binary format, asyncpg's default. Checks prepared statement reuse,
transactions and errors by SQLSTATE.

Connection details come from CRMDB_HOST, CRMDB_PORT, CRMDB_USER,
CRMDB_PASSWORD. Exits non-zero with a message on the first mismatch.
"""

import asyncio
import datetime as dt
import io
import os
import sys
from decimal import Decimal

import asyncpg


def check(what, got, want):
    if got != want:
        sys.exit(f"asyncpg: {what}: got {got!r}, want {want!r}")


UTC = dt.timezone.utc
ROW = (
    9_000_000_001,  # bigint
    -42,  # integer
    Decimal("1234.50"),  # numeric(12,2)
    "Zoë O'Brien",  # text
    True,  # boolean
    dt.date(1985, 2, 28),  # date
    dt.datetime(2024, 3, 1, 12, 30, 15, 250000, tzinfo=UTC),  # timestamptz
    2.5e-3,  # double precision
    dt.datetime(2023, 12, 31, 23, 59, 59),  # timestamp
    dt.timedelta(days=3, hours=4, minutes=5),  # interval
)


async def main():
    conn = await asyncpg.connect(
        host=os.environ["CRMDB_HOST"],
        port=int(os.environ["CRMDB_PORT"]),
        user=os.environ["CRMDB_USER"],
        password=os.environ["CRMDB_PASSWORD"],
        database="crmdb",
    )
    check("server version", conn.get_server_version().major, 15)
    check("current_user", await conn.fetchval("SELECT current_user"), os.environ["CRMDB_USER"])

    await conn.execute(
        "CREATE TABLE drv_asyncpg (b bigint PRIMARY KEY, i integer, n numeric(12,2),"
        " t text, bo boolean, d date, ts timestamptz, f double precision,"
        " tsn timestamp, iv interval)"
    )
    status = await conn.execute(
        "INSERT INTO drv_asyncpg VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", *ROW
    )
    check("insert status", status, "INSERT 0 1")
    row = await conn.fetchrow("SELECT * FROM drv_asyncpg WHERE b = $1", ROW[0])
    check("row read back", tuple(row), ROW)
    check("column names", list(row.keys()), ["b", "i", "n", "t", "bo", "d", "ts", "f", "tsn", "iv"])
    check("NULL read back", await conn.fetchval("SELECT $1::text IS NULL", None), True)

    # The canonical schema, through its own tables.
    await conn.execute(
        "INSERT INTO customers (id, first_name, last_name, email, country, lifecycle_stage,"
        " email_opt_in, birth_date, lifetime_value, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        1, "Ada", "Lovelace", "ada@example.com", "GB", "customer", True,
        dt.date(1815, 12, 10), Decimal("99.95"), ROW[6],
    )
    await conn.execute(
        "INSERT INTO transactions VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        1, 1, "notebook", "stationery", 3, Decimal("12.30"), "EUR", "paid", None, ROW[6],
    )
    got = await conn.fetchrow(
        "SELECT c.email, c.lifetime_value, c.birth_date, sum(t.amount * t.quantity) AS spent"
        " FROM customers c JOIN transactions t ON t.customer_id = c.id"
        " WHERE c.id = $1 GROUP BY c.email, c.lifetime_value, c.birth_date", 1
    )
    check("canonical schema join", tuple(got),
          ("ada@example.com", Decimal("99.95"), dt.date(1815, 12, 10), Decimal("36.90")))

    # A prepared statement, reused.
    stmt = await conn.prepare("SELECT $1::bigint * 2, $2::text || 'x'")
    check("prepared parameter types", [t.name for t in stmt.get_parameters()], ["int8", "text"])
    for k in range(6):
        check(f"prepared run {k}", tuple(await stmt.fetchrow(k, str(k))), (2 * k, f"{k}x"))

    # Transactions: one committed, one rolled back.
    async with conn.transaction():
        await conn.execute("INSERT INTO drv_asyncpg (b, i) VALUES ($1, $2)", 1, 10)
    try:
        async with conn.transaction():
            await conn.execute("INSERT INTO drv_asyncpg (b, i) VALUES ($1, $2)", 2, 20)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    got = await conn.fetch("SELECT b FROM drv_asyncpg WHERE b < 100 ORDER BY b")
    check("committed rows only", [r["b"] for r in got], [1])

    # Errors by SQLSTATE; the connection stays usable.
    try:
        await conn.execute("INSERT INTO drv_asyncpg (b) VALUES ($1)", 1)
        sys.exit("asyncpg: duplicate key was accepted")
    except asyncpg.UniqueViolationError as e:
        check("unique violation sqlstate", e.sqlstate, "23505")
    try:
        await conn.execute("SELEC 1")
        sys.exit("asyncpg: syntax error was accepted")
    except asyncpg.PostgresSyntaxError as e:
        check("syntax error sqlstate", e.sqlstate, "42601")
    check("usable after errors", await conn.fetchval("SELECT count(*) FROM drv_asyncpg"), 2)

    # COPY in and out through the driver, in CSV (binary COPY is refused).
    copied = await conn.copy_to_table(
        "drv_asyncpg", source=io.BytesIO(b"500,copied\n"), columns=["b", "t"], format="csv"
    )
    check("copy_to_table", copied, "COPY 1")
    out = io.BytesIO()
    await conn.copy_from_query("SELECT b, t FROM drv_asyncpg WHERE b = $1", 500, output=out, format="csv")
    check("copy_from_query", out.getvalue(), b"500,copied\n")
    try:
        await conn.copy_records_to_table("drv_asyncpg", records=[(501, "x")], columns=["b", "t"])
        sys.exit("asyncpg: binary COPY was accepted")
    except asyncpg.FeatureNotSupportedError as e:
        check("binary COPY refused", e.sqlstate, "0A000")
    check("usable after COPY error", await conn.fetchval("SELECT count(*) FROM drv_asyncpg"), 3)
    await conn.close()
    print("asyncpg", asyncpg.__version__, "ok")


if __name__ == "__main__":
    asyncio.run(main())
