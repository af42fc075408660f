-- Catalog functions drivers call: type names to OIDs (psycopg's
-- TypeInfo.fetch uses to_regtype), has_table_privilege as the superuser.

SELECT 'integer'::regtype::oid::int, 'pg_catalog.numeric'::regtype::oid::int, 'double precision'::regtype::oid::int, 'timestamptz'::regtype::oid::int, 'VARCHAR'::regtype::oid::int;
SELECT to_regtype('numeric(12,2)')::oid::int, to_regtype('timestamp with time zone')::oid::int, to_regtype('int8')::oid::int, to_regtype('nope') IS NULL;
SELECT typname, typdelim FROM pg_type WHERE oid = to_regtype('interval');
SELECT 'nope'::regtype;
SELECT has_table_privilege('customers', 'SELECT'), has_table_privilege('public.transactions', 'INSERT, DELETE'), has_table_privilege('pg_class', 'UPDATE');
SELECT has_table_privilege('customers', 'fly');
SELECT has_table_privilege('nope', 'SELECT');
