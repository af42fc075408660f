-- Statements psql 15 sends for \dn (captured with psql -E against PostgreSQL 15.
-- The OID '16385' is PostgreSQL's; crmdb's OIDs differ).

SELECT n.nspname AS "Name",
  pg_catalog.pg_get_userbyid(n.nspowner) AS "Owner"
FROM pg_catalog.pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
ORDER BY 1;
