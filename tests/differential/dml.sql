-- INSERT, UPDATE and DELETE with RETURNING and their row counts, inside
-- transactions that are rolled back so that the data stays as loaded;
-- constraint violations (SQLSTATE only).

BEGIN;
UPDATE customers SET lifetime_value = lifetime_value * 2 WHERE country = 'DE';
SELECT count(*), sum(lifetime_value) FROM customers WHERE country = 'DE';
UPDATE customers SET city = upper(city), updated_at = '2026-01-01 00:00:00+00' WHERE id % 100 = 0 RETURNING id, city, updated_at;
UPDATE transactions SET amount = amount + 0.005 WHERE id < 5 RETURNING id, amount;
UPDATE transactions SET quantity = quantity + 1 WHERE id = 900004;
ROLLBACK;
SELECT count(*), sum(lifetime_value) FROM customers WHERE country = 'DE';
BEGIN;
DELETE FROM interactions WHERE customer_id = 900003 RETURNING id, subject;
DELETE FROM interactions WHERE occurred_at < '2021-06-01';
SELECT count(*) FROM interactions;
DELETE FROM transactions WHERE status = 'failed' RETURNING id, amount * 2 AS double_amount;
DELETE FROM transactions WHERE false;
ROLLBACK;
BEGIN;
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) VALUES (990001, 'New', 'One', 'NL', 'lead', '2026-01-01', '2026-01-01') RETURNING *;
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) VALUES (990002, 'A', 'B', 'NL', 'lead', now(), now()), (990003, 'C', 'D', 'BE', 'lead', now(), now());
SELECT id, email_opt_in, sms_opt_in, lifetime_value FROM customers WHERE id >= 990000 ORDER BY id;
INSERT INTO transactions (id, customer_id, product, category, quantity, amount, currency, status, occurred_at) VALUES (990001, 990001, 'p', 'c', 1, 12.345, 'EUR', 'paid', '2026-01-01') RETURNING id, amount;
INSERT INTO transactions (id, customer_id, product, category, quantity, amount, currency, status, occurred_at) SELECT id + 990000, customer_id, product, category, quantity, amount, currency, status, occurred_at FROM transactions WHERE id <= 10;
SELECT count(*), sum(amount) FROM transactions WHERE id > 990000;
-- assignment casts: numeric and float to integer, anything to text
INSERT INTO transactions (id, customer_id, product, category, quantity, amount, currency, status, occurred_at) VALUES (990100, 1, 42, true, 2.5, 7::float8 / 3, 'EUR', 'paid', now()) RETURNING id, product, category, quantity, amount;
UPDATE transactions SET quantity = 3.5, amount = 1e2::float8, product = DATE '2024-02-29' WHERE id = 990100 RETURNING quantity, amount, product;
UPDATE transactions SET quantity = 3::bigint * 1000 WHERE id = 990100 RETURNING quantity;
UPDATE customers SET birth_date = TIMESTAMPTZ '2000-01-01 23:00:00+00' WHERE id = 990001 RETURNING birth_date;
UPDATE customers SET lifecycle_stage = 'customer' WHERE id IN (990002, 990003) RETURNING id, lifecycle_stage;
ROLLBACK;
SELECT count(*) FROM customers WHERE id >= 990000;
-- constraint violations
BEGIN;
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) VALUES (1, 'Dup', 'Key', 'NL', 'lead', now(), now());
ROLLBACK;
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) VALUES (990009, NULL, 'x', 'NL', 'lead', now(), now());
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at, lifetime_value) VALUES (990009, 'x', 'x', 'NL', 'lead', now(), now(), 123456789012.5);
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at, email) VALUES (990009, 'x', 'x', 'NL', 'lead', now(), now(), 'tie1@example.test');
INSERT INTO transactions (id, customer_id, product, category, quantity, amount, currency, status, occurred_at) VALUES (990009, 12345678, 'p', 'c', 1, 1, 'EUR', 'paid', now());
INSERT INTO transactions (id, customer_id, product, category, quantity, amount, currency, status, occurred_at) VALUES (990009, 1, 'p', 'c', 2147483648, 1, 'EUR', 'paid', now());
UPDATE customers SET last_name = NULL WHERE id = 1;
UPDATE customers SET email_opt_in = 1 WHERE id = 1;
UPDATE customers SET id = 2 WHERE id = 1;
UPDATE transactions SET quantity = quantity * 2 WHERE id = 900004;
DELETE FROM customers WHERE id = 1;
SELECT count(*) FROM customers;
-- INSERT … ON CONFLICT (the CRM upsert)
BEGIN;
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) VALUES (1, 'Dup', 'Key', 'NL', 'lead', now(), now()) ON CONFLICT DO NOTHING;
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) VALUES (1, 'Dup', 'Key', 'NL', 'lead', now(), now()), (990050, 'New', 'Key', 'NL', 'lead', now(), now()) ON CONFLICT (id) DO NOTHING RETURNING id, first_name;
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) VALUES (2, 'Upd', 'Ated', 'NL', 'customer', '2026-01-01', '2026-01-01') ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, lifecycle_stage = excluded.lifecycle_stage, updated_at = excluded.updated_at RETURNING id, first_name, last_name, lifecycle_stage, updated_at;
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) VALUES (3, 'x', 'y', 'NL', 'lead', now(), now()) ON CONFLICT (id) DO UPDATE SET lifetime_value = customers.lifetime_value + 1 WHERE customers.country = 'nowhere' RETURNING id;
SELECT id, first_name, lifecycle_stage, lifetime_value FROM customers WHERE id IN (1, 2, 3, 990050) ORDER BY id;
ROLLBACK;
-- savepoints
BEGIN;
SAVEPOINT s1;
DELETE FROM transactions WHERE id < 100;
SELECT count(*) FROM transactions WHERE id < 100;
ROLLBACK TO SAVEPOINT s1;
SELECT count(*) FROM transactions WHERE id < 100;
SELECT 1 / 0;
SELECT 1;
ROLLBACK TO s1;
SELECT count(*) FROM transactions WHERE id < 100;
RELEASE SAVEPOINT s1;
ROLLBACK TO s1;
ROLLBACK;
SAVEPOINT s2;
