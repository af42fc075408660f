"""psycopg 3 against a running crmdb: connects with SCRAM-SHA-256 and checks
parameters and results of every column type (text and binary formats),
prepared statement reuse, transactions, errors by SQLSTATE.

Connection details come from CRMDB_HOST, CRMDB_PORT, CRMDB_USER,
CRMDB_PASSWORD. Exits non-zero with a message on the first mismatch.
"""

import datetime as dt
import os
import sys
from decimal import Decimal

import psycopg
from psycopg import errors
from psycopg.types.numeric import Float4, Int2, Oid


def check(what, got, want):
    if got != want:
        sys.exit(f"psycopg: {what}: got {got!r}, want {want!r}")


def conninfo():
    return psycopg.conninfo.make_conninfo(
        host=os.environ["CRMDB_HOST"],
        port=os.environ["CRMDB_PORT"],
        user=os.environ["CRMDB_USER"],
        password=os.environ["CRMDB_PASSWORD"],
        dbname="crmdb",
    )


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


def main():
    # Not a `with` block: its exit would hide a failure behind its COMMIT.
    conn = psycopg.connect(conninfo(), autocommit=True)
    if True:
        check("server_version", conn.info.parameter_status("server_version").startswith("15"), True)
        check("authenticated user", conn.execute("SELECT current_user").fetchone()[0],
              os.environ["CRMDB_USER"])
        # The type registry's lookup by name (to_regtype over pg_type).
        info = psycopg.types.TypeInfo.fetch(conn, "numeric")
        check("TypeInfo numeric", (info.oid, info.array_oid, info.regtype), (1700, 1231, "numeric"))
        check("TypeInfo of a missing type", psycopg.types.TypeInfo.fetch(conn, "hstore"), None)
        conn.execute(
            "CREATE TABLE drv_psycopg (b bigint PRIMARY KEY, i integer, n numeric(12,2),"
            " t text, bo boolean, d date, ts timestamptz, f double precision,"
            " tsn timestamp, iv interval)"
        )
        # Python ints travel as int2/int4/int8/numeric by size, floats as
        # float8; both text (default) and binary formats.
        for binary, key in ((False, ROW[0]), (True, ROW[0] + 1)):
            row = (key,) + ROW[1:]
            with conn.cursor(binary=binary) as cur:
                cur.execute(
                    "INSERT INTO drv_psycopg VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", row
                )
                check(f"insert rowcount (binary={binary})", cur.rowcount, 1)
                cur.execute("SELECT * FROM drv_psycopg WHERE b = %s", (key,))
                check(f"row read back (binary={binary})", cur.fetchone(), row)
        # Parameters typed explicitly as int2, float4 and oid, both formats.
        for binary in (False, True):
            with conn.cursor(binary=binary) as cur:
                cur.execute("SELECT %s + 1, %s * 2, %s + 0", (Int2(7), Float4(1.5), Oid(4000000000)))
                check(f"int2/float4/oid parameters (binary={binary})", cur.fetchone(),
                      (8, 3.0, 4000000000))
        with conn.cursor(binary=True) as cur:
            cur.execute("SELECT i FROM drv_psycopg WHERE i = %s AND b >= %s", (-42, 1))
            check("int2 binary parameters", cur.fetchall(), [(-42,), (-42,)])
        check("NULL read back", conn.execute("SELECT %s::text IS NULL", (None,)).fetchone(), (True,))

        # A prepared statement, reused (prepare=True prepares server-side at once).
        for k in range(5):
            got = conn.execute("SELECT %s::bigint * 2, %s || 'x'", (k, str(k)), prepare=True).fetchone()
            check(f"prepared run {k}", got, (2 * k, f"{k}x"))

        # Transactions: one committed, one rolled back.
        conn.autocommit = False
        with conn.transaction():
            conn.execute("INSERT INTO drv_psycopg (b, i) VALUES (%s, %s)", (1, 10))
        try:
            with conn.transaction():
                conn.execute("INSERT INTO drv_psycopg (b, i) VALUES (%s, %s)", (2, 20))
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        conn.commit()
        conn.autocommit = True
        got = conn.execute("SELECT b FROM drv_psycopg WHERE b < 100 ORDER BY b").fetchall()
        check("committed rows only", got, [(1,)])

        # Errors by SQLSTATE; the connection stays usable.
        try:
            conn.execute("INSERT INTO drv_psycopg (b) VALUES (%s)", (1,))
            sys.exit("psycopg: duplicate key was accepted")
        except errors.UniqueViolation as e:
            check("unique violation sqlstate", e.sqlstate, "23505")
        try:
            conn.execute("SELEC 1")
            sys.exit("psycopg: syntax error was accepted")
        except errors.SyntaxError as e:
            check("syntax error sqlstate", e.sqlstate, "42601")
        check("usable after errors", conn.execute("SELECT count(*) FROM drv_psycopg").fetchone(), (3,))

        # COPY in and out through the driver.
        with conn.cursor().copy("COPY drv_psycopg (b, t) FROM STDIN") as copy:
            copy.write_row((500, "copied"))
        with conn.cursor().copy("COPY (SELECT b, t FROM drv_psycopg WHERE b = 500) TO STDOUT") as copy:
            check("COPY out", bytes(copy.read()), b"500\tcopied\n")
    conn.close()
    print("psycopg", psycopg.__version__, "ok")


if __name__ == "__main__":
    main()
