// pgjdbc against a running crmdb, run with java's single-file source
// launcher and Debian's libpostgresql-jdbc-java on the class path. Connects
// with SCRAM-SHA-256 and checks parameters and results of every column
// type, in text and (after prepareThreshold = 5 executions, with a
// server-prepared statement) binary; prepared statement reuse, commit and
// rollback, errors by SQLSTATE, and the metadata queries tools run
// (getTables, getColumns; getPrimaryKeys needs
// information_schema._pg_expandarray, which crmdb lacks).
//
// Connection details come from CRMDB_HOST, CRMDB_PORT, CRMDB_USER,
// CRMDB_PASSWORD. Exits non-zero with a message on the first mismatch.

import java.math.BigDecimal;
import java.sql.*;
import java.time.*;
import java.util.*;
import org.postgresql.PGStatement;
import org.postgresql.util.PGInterval;

public class JdbcCheck {
    static void check(String what, Object got, Object want) {
        if (!Objects.equals(got, want)) {
            System.err.println("pgjdbc: " + what + ": got " + got + ", want " + want);
            System.exit(1);
        }
    }

    static void expectError(Connection c, String what, String sql, String sqlstate) {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            check(what + " sqlstate", e.getSQLState(), sqlstate);
            return;
        }
        System.err.println("pgjdbc: " + what + " was accepted");
        System.exit(1);
    }

    static final OffsetDateTime TS = OffsetDateTime.of(2024, 3, 1, 12, 30, 15, 250_000_000, ZoneOffset.UTC);

    static void bindRow(PreparedStatement p, long key) throws SQLException {
        p.setLong(1, key);
        p.setInt(2, -42);
        p.setBigDecimal(3, new BigDecimal("1234.50"));
        p.setString(4, "Zoë O'Brien");
        p.setBoolean(5, true);
        p.setObject(6, LocalDate.of(1985, 2, 28));
        p.setObject(7, TS);
        p.setDouble(8, 2.5e-3);
        p.setObject(9, LocalDateTime.of(2023, 12, 31, 23, 59, 59));
        p.setObject(10, new PGInterval(0, 0, 3, 4, 5, 0));
    }

    static void checkRow(ResultSet r, long key, String run) throws SQLException {
        check(run + " bigint", r.getLong(1), key);
        check(run + " integer", r.getInt(2), -42);
        check(run + " numeric", r.getBigDecimal(3), new BigDecimal("1234.50"));
        check(run + " text", r.getString(4), "Zoë O'Brien");
        check(run + " boolean", r.getBoolean(5), true);
        check(run + " date", r.getObject(6, LocalDate.class), LocalDate.of(1985, 2, 28));
        check(run + " timestamptz", r.getObject(7, OffsetDateTime.class).toInstant(), TS.toInstant());
        check(run + " double precision", r.getDouble(8), 2.5e-3);
        check(run + " timestamp", r.getObject(9, LocalDateTime.class), LocalDateTime.of(2023, 12, 31, 23, 59, 59));
        // getObject of an interval looks its type up by name (a query over
        // generate_series and current_schemas).
        check(run + " interval", r.getObject(10), new PGInterval(0, 0, 3, 4, 5, 0));
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + System.getenv("CRMDB_HOST") + ":" + System.getenv("CRMDB_PORT") + "/crmdb";
        Properties props = new Properties();
        props.setProperty("user", System.getenv("CRMDB_USER"));
        props.setProperty("password", System.getenv("CRMDB_PASSWORD"));
        try (Connection c = DriverManager.getConnection(url, props)) {
            DatabaseMetaData meta = c.getMetaData();
            check("server major version", meta.getDatabaseMajorVersion(), 15);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE drv_jdbc (b bigint PRIMARY KEY, i integer, n numeric(12,2), t text,"
                        + " bo boolean, d date, ts timestamptz, f double precision, tsn timestamp, iv interval)");
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO drv_jdbc VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (long key = 1000; key < 1008; key++) {
                    bindRow(ins, key);
                    check("insert count", ins.executeUpdate(), 1);
                }
            }
            // Past prepareThreshold the driver uses a named server-side
            // statement and asks for binary results.
            try (PreparedStatement sel = c.prepareStatement("SELECT * FROM drv_jdbc WHERE b = ?")) {
                for (long key = 1000; key < 1008; key++) {
                    sel.setLong(1, key);
                    try (ResultSet r = sel.executeQuery()) {
                        check("row found", r.next(), true);
                        checkRow(r, key, "run " + (key - 1000));
                    }
                }
                check("server-prepared", sel.unwrap(PGStatement.class).isUseServerPrepare(), true);
            }
            try (PreparedStatement p = c.prepareStatement("SELECT ?::text IS NULL")) {
                p.setNull(1, Types.VARCHAR);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    check("NULL parameter", r.getBoolean(1), true);
                }
            }

            // Transactions: one committed, one rolled back.
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO drv_jdbc (b, i) VALUES (?, ?)")) {
                p.setLong(1, 1);
                p.setInt(2, 10);
                p.executeUpdate();
                c.commit();
                p.setLong(1, 2);
                p.setInt(2, 20);
                p.executeUpdate();
                c.rollback();
            }
            c.setAutoCommit(true);
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT b FROM drv_jdbc WHERE b < 100 ORDER BY b")) {
                List<Long> keys = new ArrayList<>();
                while (r.next()) keys.add(r.getLong(1));
                check("committed rows only", keys, List.of(1L));
            }

            // Errors by SQLSTATE; the connection stays usable.
            expectError(c, "unique violation", "INSERT INTO drv_jdbc (b) VALUES (1)", "23505");
            expectError(c, "syntax error", "SELEC 1", "42601");
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM drv_jdbc")) {
                r.next();
                check("usable after errors", r.getLong(1), 9L);
            }

            // The metadata tools read: tables and columns of the CRM schema.
            try (ResultSet r = meta.getTables(null, "public", "customers", new String[] {"TABLE"})) {
                check("getTables finds customers", r.next(), true);
                check("getTables name", r.getString("TABLE_NAME"), "customers");
            }
            try (ResultSet r = meta.getColumns(null, "public", "customers", "lifetime_value")) {
                check("getColumns finds lifetime_value", r.next(), true);
                check("lifetime_value type", r.getInt("DATA_TYPE"), Types.NUMERIC);
                check("lifetime_value precision", r.getInt("COLUMN_SIZE"), 12);
                check("lifetime_value scale", r.getInt("DECIMAL_DIGITS"), 2);
            }
        }
        System.out.println("pgjdbc " + org.postgresql.Driver.class.getPackage().getImplementationVersion() + " ok");
    }
}
