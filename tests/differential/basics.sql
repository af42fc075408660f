-- Smoke: counts and simple projections.
SELECT count(*) FROM customers;
SELECT count(*) FROM interactions;
SELECT count(*) FROM transactions;
SELECT * FROM customers ORDER BY id LIMIT 20;
SELECT * FROM interactions ORDER BY id LIMIT 20;
SELECT * FROM transactions ORDER BY id LIMIT 20;
SELECT * FROM customers WHERE id >= 900000 ORDER BY id;
-- SET, SHOW and RESET
SET statement_timeout = '5s';
SHOW statement_timeout;
RESET statement_timeout;
SHOW statement_timeout;
RESET no_such_setting;
