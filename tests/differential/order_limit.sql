-- ORDER BY (ASC/DESC, NULLS FIRST/LAST, ordinals, aliases, expressions),
-- LIMIT/OFFSET and DISTINCT. Every ordered query has a total order.

SELECT id, city FROM customers ORDER BY city, id LIMIT 30;
SELECT id, city FROM customers ORDER BY city DESC, id LIMIT 30;
SELECT id, city FROM customers ORDER BY city NULLS FIRST, id LIMIT 30;
SELECT id, city FROM customers ORDER BY city DESC NULLS LAST, id DESC LIMIT 30;
SELECT id, city FROM customers ORDER BY city ASC NULLS LAST, id LIMIT 10 OFFSET 1990;
SELECT id, birth_date FROM customers ORDER BY birth_date, id LIMIT 20;
SELECT id, birth_date FROM customers ORDER BY birth_date DESC, id LIMIT 20;
SELECT id, lifetime_value FROM customers ORDER BY lifetime_value DESC, id LIMIT 20;
SELECT id, lifetime_value FROM customers ORDER BY lifetime_value, id LIMIT 20;
SELECT id, last_name, first_name FROM customers ORDER BY 2, 3, 1 LIMIT 40;
SELECT id, last_name AS ln FROM customers ORDER BY ln DESC, id LIMIT 25;
SELECT id, email FROM customers ORDER BY lower(email) NULLS FIRST, id LIMIT 25;
SELECT id, company FROM customers ORDER BY length(company) DESC NULLS LAST, company, id LIMIT 20;
SELECT id FROM customers ORDER BY country, lifetime_value DESC, id LIMIT 30;
SELECT id, occurred_at FROM interactions ORDER BY occurred_at DESC, id DESC LIMIT 30;
SELECT id, occurred_at FROM interactions ORDER BY occurred_at, id LIMIT 30;
SELECT id, amount, quantity FROM transactions ORDER BY amount * quantity DESC, id LIMIT 20;
SELECT id, amount FROM transactions ORDER BY -amount, id LIMIT 10;
SELECT id, email_opt_in FROM customers ORDER BY email_opt_in, id LIMIT 10;
SELECT id, email_opt_in FROM customers ORDER BY email_opt_in DESC, id LIMIT 10;
SELECT id, first_name FROM customers ORDER BY first_name DESC, id LIMIT 5;
SELECT id, notes FROM interactions ORDER BY notes NULLS FIRST, id LIMIT 20;
SELECT id, subject FROM interactions ORDER BY subject DESC NULLS FIRST, id LIMIT 20;
SELECT id, external_id FROM customers ORDER BY external_id, id LIMIT 30;
SELECT id FROM customers ORDER BY id LIMIT 0;
SELECT id FROM customers ORDER BY id LIMIT 5 OFFSET 0;
SELECT id FROM customers ORDER BY id OFFSET 2005;
SELECT id FROM customers ORDER BY id LIMIT NULL OFFSET 2000;
SELECT id FROM customers ORDER BY id DESC LIMIT 3 OFFSET 100000;
SELECT id FROM customers ORDER BY id LIMIT 2 + 3;
SELECT id FROM customers ORDER BY id LIMIT -1;
SELECT id FROM customers ORDER BY id OFFSET -1;
SELECT id FROM customers ORDER BY id LIMIT 'a';
-- TODO(crmdb): FETCH FIRST n ROWS ONLY (0A000).
--   SELECT id FROM customers ORDER BY id FETCH FIRST 3 ROWS ONLY;
-- TODO(crmdb): a reserved word (FULL) is accepted as a bare column alias;
-- PostgreSQL says 42601.
--   SELECT id, first_name || last_name AS full FROM customers ORDER BY full, id LIMIT 15;
SELECT id, country FROM customers WHERE country = 'DE' ORDER BY id DESC LIMIT 15;
SELECT id, amount FROM transactions WHERE amount < 0 ORDER BY amount, id;
SELECT id, amount FROM transactions WHERE amount >= 100000 ORDER BY amount DESC, id;
SELECT 3 AS a, 1 AS b ORDER BY a;
SELECT * FROM (VALUES (2, 'b'), (1, NULL), (3, 'a'), (NULL, 'c')) v(x, y) ORDER BY x;
SELECT * FROM (VALUES (2, 'b'), (1, NULL), (3, 'a'), (NULL, 'c')) v(x, y) ORDER BY x DESC;
SELECT * FROM (VALUES (2, 'b'), (1, NULL), (3, 'a'), (NULL, 'c')) v(x, y) ORDER BY y NULLS FIRST;
SELECT * FROM (VALUES ('a'), ('B'), ('b'), ('A'), (''), (' '), ('é'), ('z'), ('Z'), ('10'), ('9')) v(s) ORDER BY s;
SELECT * FROM (VALUES (1.5), (-0.5), (1.50), (0), (-0.0), (100)) v(n) ORDER BY n, n::text;
SELECT * FROM (VALUES ('NaN'::float8), (1), ('-Infinity'), ('Infinity'), (-0.0), (0)) v(f) ORDER BY f;
-- DISTINCT
SELECT DISTINCT country FROM customers ORDER BY country;
SELECT DISTINCT lifecycle_stage, email_opt_in FROM customers ORDER BY 1, 2;
SELECT DISTINCT lead_source FROM customers ORDER BY lead_source NULLS FIRST;
SELECT DISTINCT city FROM customers WHERE country = 'US';
SELECT DISTINCT status, currency FROM transactions;
SELECT DISTINCT quantity FROM transactions ORDER BY quantity DESC;
SELECT DISTINCT extract(year FROM occurred_at) FROM interactions ORDER BY 1;
SELECT DISTINCT customer_id FROM transactions WHERE amount > 5000 ORDER BY customer_id LIMIT 20;
SELECT DISTINCT outcome, direction FROM interactions ORDER BY outcome NULLS FIRST, direction;
-- TODO(crmdb): SELECT DISTINCT ON (0A000).
--   SELECT DISTINCT ON (country) country, id FROM customers ORDER BY country, id;
SELECT count(*) FROM (SELECT DISTINCT first_name FROM customers) s;
SELECT count(*) FROM (SELECT DISTINCT first_name, last_name FROM customers) s;
SELECT DISTINCT country FROM customers ORDER BY lower(country);
SELECT DISTINCT country FROM customers ORDER BY city;
SELECT id, first_name || last_name AS "full" FROM customers ORDER BY "full", id LIMIT 15;
