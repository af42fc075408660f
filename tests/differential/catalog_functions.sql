-- Catalog functions drivers call: type names to OIDs (psycopg's
-- TypeInfo.fetch uses to_regtype), has_table_privilege as the superuser.

SELECT 'integer'::regtype::oid::int, 'pg_catalog.numeric'::regtype::oid::int, 'double precision'::regtype::oid::int, 'timestamptz'::regtype::oid::int, 'VARCHAR'::regtype::oid::int;
SELECT to_regtype('numeric(12,2)')::oid::int, to_regtype('timestamp with time zone')::oid::int, to_regtype('int8')::oid::int, to_regtype('nope') IS NULL;
SELECT typname, typdelim FROM pg_type WHERE oid = to_regtype('interval');
SELECT 'nope'::regtype;
SELECT has_table_privilege('customers', 'SELECT'), has_table_privilege('public.transactions', 'INSERT, DELETE'), has_table_privilege('pg_class', 'UPDATE');
SELECT has_table_privilege('customers', 'fly');
SELECT has_table_privilege('nope', 'SELECT');
-- generate_series over planned-time integers, array_upper and subscripts
-- (pgjdbc's lookup of a type by name).
SELECT s.r FROM generate_series(1, 3) AS s(r);
SELECT g FROM generate_series(10, 1, -4) g;
SELECT * FROM generate_series(1, 2);
SELECT count(*) FROM generate_series(5, 1);
SELECT array_upper(current_schemas(false), 1), array_upper(current_schemas(true), 1), (current_schemas(true))[2] AS second, (current_schemas(true))[3] AS third;
SELECT typinput = 'pg_catalog.array_in'::regproc AS is_array, typtype, typname, pg_type.oid FROM pg_catalog.pg_type LEFT JOIN (SELECT ns.oid AS nspoid, ns.nspname, r.r FROM pg_namespace AS ns JOIN (SELECT s.r, (current_schemas(false))[s.r] AS nspname FROM generate_series(1, array_upper(current_schemas(false), 1)) AS s(r)) AS r USING (nspname)) AS sch ON sch.nspoid = typnamespace WHERE typname = 'interval' ORDER BY sch.r, pg_type.oid DESC LIMIT 1;
SELECT typinput = 'pg_catalog.array_in'::regproc AS is_array, typname FROM pg_type WHERE typname IN ('_int4', 'int4') ORDER BY typname;
SELECT * FROM generate_series(1, 2, 0);
