-- ALTER TABLE: custom fields added, renamed and dropped on the loaded CRM
-- tables inside transactions that are rolled back, and on a scratch table;
-- the errors by SQLSTATE.

BEGIN;
ALTER TABLE customers ADD COLUMN loyalty_tier text;
SELECT count(*), count(loyalty_tier) FROM customers;
UPDATE customers SET loyalty_tier = CASE WHEN lifetime_value > 1000 THEN 'gold' ELSE 'basic' END WHERE country = 'DE';
SELECT loyalty_tier, count(*) FROM customers GROUP BY loyalty_tier ORDER BY loyalty_tier NULLS FIRST;
SELECT id, loyalty_tier FROM customers WHERE loyalty_tier IS NOT NULL ORDER BY id LIMIT 5;
ALTER TABLE customers ADD COLUMN score integer NOT NULL DEFAULT 50;
SELECT score, count(*) FROM customers GROUP BY score;
INSERT INTO customers (id, first_name, last_name, country, lifecycle_stage, created_at, updated_at) VALUES (990001, 'New', 'One', 'NL', 'lead', '2026-01-01', '2026-01-01') RETURNING id, loyalty_tier, score;
ALTER TABLE customers RENAME COLUMN loyalty_tier TO tier;
SELECT tier, count(*) FROM customers GROUP BY tier ORDER BY tier NULLS FIRST;
SELECT loyalty_tier FROM customers;
ALTER TABLE customers DROP COLUMN tier;
SELECT * FROM customers WHERE id = 990001;
ROLLBACK;
SELECT * FROM customers WHERE id = 1;

-- a DEFAULT evaluated per existing row, with a CHECK on the new column
BEGIN;
ALTER TABLE transactions ADD COLUMN net numeric(12,2) DEFAULT 0 CHECK (net >= 0);
SELECT count(*), sum(net) FROM transactions;
UPDATE transactions SET net = -1 WHERE id = 1;
ROLLBACK;
BEGIN;
ALTER TABLE transactions ADD COLUMN flag boolean DEFAULT false, ADD COLUMN note text DEFAULT 'none';
SELECT flag, note, count(*) FROM transactions GROUP BY flag, note;
ALTER TABLE transactions ALTER COLUMN note SET DEFAULT 'n/a';
INSERT INTO transactions (id, customer_id, product, category, quantity, amount, currency, status, occurred_at) VALUES (990001, 1, 'p', 'c', 1, 1, 'EUR', 'paid', '2026-01-01') RETURNING id, flag, note;
ALTER TABLE transactions ALTER COLUMN note DROP DEFAULT;
INSERT INTO transactions (id, customer_id, product, category, quantity, amount, currency, status, occurred_at) VALUES (990002, 1, 'p', 'c', 1, 1, 'EUR', 'paid', '2026-01-01') RETURNING id, flag, note;
ROLLBACK;

-- a scratch table through every action
CREATE TABLE custom_fields (id bigint PRIMARY KEY, label text NOT NULL, amount numeric(10,2) CHECK (amount >= 0));
INSERT INTO custom_fields VALUES (1, 'a', 1.5), (2, 'b', NULL), (3, 'c', 7);
ALTER TABLE custom_fields RENAME COLUMN amount TO total;
INSERT INTO custom_fields VALUES (4, 'd', -1);
SELECT * FROM custom_fields ORDER BY id;
ALTER TABLE custom_fields ADD COLUMN IF NOT EXISTS label text;
ALTER TABLE custom_fields ADD COLUMN created date DEFAULT DATE '2024-02-29';
ALTER TABLE custom_fields ALTER COLUMN total SET NOT NULL;
UPDATE custom_fields SET total = 0 WHERE total IS NULL;
ALTER TABLE custom_fields ALTER COLUMN total SET NOT NULL;
INSERT INTO custom_fields (id, label) VALUES (5, 'e');
ALTER TABLE custom_fields ALTER COLUMN total DROP NOT NULL;
INSERT INTO custom_fields (id, label) VALUES (5, 'e');
ALTER TABLE custom_fields DROP COLUMN IF EXISTS nothing_here;
ALTER TABLE custom_fields DROP COLUMN label;
SELECT * FROM custom_fields ORDER BY id;
ALTER TABLE custom_fields RENAME TO custom_values;
SELECT count(*) FROM custom_values;
SELECT count(*) FROM custom_fields;
ALTER TABLE IF EXISTS custom_fields ADD COLUMN x int;
ALTER TABLE custom_values ADD COLUMN code text UNIQUE;
INSERT INTO custom_values (id, code) VALUES (10, 'x'), (11, 'x');
ALTER TABLE custom_values DROP COLUMN code;
INSERT INTO custom_values (id) VALUES (10), (11);
SELECT id, total, created FROM custom_values ORDER BY id;
DROP TABLE custom_values;

-- errors
ALTER TABLE customers ADD COLUMN email text;
ALTER TABLE customers DROP COLUMN no_such_column;
ALTER TABLE customers RENAME COLUMN no_such_column TO x;
ALTER TABLE customers RENAME COLUMN city TO country;
ALTER TABLE customers RENAME TO interactions;
ALTER TABLE no_such_table ADD COLUMN x int;
ALTER TABLE customers ADD COLUMN x no_such_type;
ALTER TABLE customers ADD COLUMN must integer NOT NULL;
ALTER TABLE customers ALTER COLUMN city SET NOT NULL;
ALTER TABLE customers ALTER COLUMN id DROP NOT NULL;
ALTER TABLE customers DROP COLUMN id;
ALTER TABLE customers ADD COLUMN n integer DEFAULT 'abc';
ALTER TABLE customers ADD COLUMN n integer CHECK (n > 0) DEFAULT 0;
SELECT count(*) FROM customers;

-- unquoted names fold to lower case in DDL as in queries
CREATE TABLE MixedCase (Id int PRIMARY KEY, "Quoted" text, Plain text);
INSERT INTO mixedcase VALUES (1, 'q', 'p');
ALTER TABLE MIXEDCASE ADD COLUMN Extra int DEFAULT 3;
SELECT id, "Quoted", plain, EXTRA FROM MixedCase;
SELECT quoted FROM mixedcase;
DROP TABLE mixedcase;
