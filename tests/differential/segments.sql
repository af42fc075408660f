-- Segmentation queries: WHERE clauses over the canonical schema's indexed
-- columns (built-in bitmap indexes), answered from the segments' value
-- bitmaps and bit-sliced indexes; counts and counts per group from the
-- bitmaps alone. The generated rows sit in segments and the hand-made ones
-- in the memtable, so every query reads both.

-- The 5-predicate segment, as a count and as a listing.
SELECT count(*) FROM customers WHERE country IN ('DE', 'AT') AND lifecycle_stage = 'customer' AND email_opt_in AND lifetime_value BETWEEN 500 AND 5000 AND created_at >= '2022-01-01';
SELECT id, lifetime_value FROM customers WHERE country IN ('DE', 'AT') AND lifecycle_stage = 'customer' AND email_opt_in AND lifetime_value BETWEEN 500 AND 5000 ORDER BY lifetime_value DESC, id LIMIT 50;
SELECT id, created_at FROM customers WHERE country = 'US' AND lifecycle_stage <> 'churned' ORDER BY created_at DESC, id LIMIT 50;
-- Equality, inequality, IN, ranges on text, booleans, numerics, dates, timestamps.
SELECT count(*) FROM customers WHERE country = 'DE';
SELECT count(*) FROM customers WHERE country <> 'DE';
SELECT count(*) FROM customers WHERE country IN ('DE', 'FR', 'XX');
SELECT count(*) FROM customers WHERE country NOT IN ('DE', 'FR');
SELECT count(*) FROM customers WHERE country >= 'M' AND country < 'T';
SELECT count(*) FROM customers WHERE lifecycle_stage BETWEEN 'c' AND 'l';
SELECT count(*) FROM customers WHERE email_opt_in;
SELECT count(*) FROM customers WHERE NOT email_opt_in;
SELECT count(*) FROM customers WHERE email_opt_in = false AND sms_opt_in;
SELECT count(*) FROM customers WHERE email_opt_in IS TRUE OR sms_opt_in IS FALSE;
SELECT count(*) FROM customers WHERE lifetime_value > 1000;
SELECT count(*) FROM customers WHERE lifetime_value >= 1000.5;
SELECT count(*) FROM customers WHERE lifetime_value < 0.01;
SELECT count(*) FROM customers WHERE lifetime_value <= 123.455;
SELECT count(*) FROM customers WHERE lifetime_value = 0;
SELECT count(*) FROM customers WHERE lifetime_value = 9999999999.99;
SELECT count(*) FROM customers WHERE lifetime_value BETWEEN -1 AND 1;
SELECT count(*) FROM customers WHERE lifetime_value NOT BETWEEN 100 AND 10000;
SELECT count(*) FROM customers WHERE birth_date < '1970-01-01';
SELECT count(*) FROM customers WHERE birth_date BETWEEN '1980-01-01' AND '1989-12-31';
SELECT count(*) FROM customers WHERE birth_date = '2000-02-29';
SELECT count(*) FROM customers WHERE created_at > '2024-01-01 00:00:00+00';
SELECT count(*) FROM customers WHERE created_at <= '2021-06-30 12:00:00+02';
-- NULLs: IS [NOT] NULL, NOT over comparisons excludes NULLs, NULL constants.
SELECT count(*) FROM customers WHERE lead_source IS NULL;
SELECT count(*) FROM customers WHERE lead_source IS NOT NULL AND preferred_channel IS NULL;
SELECT count(*) FROM customers WHERE NOT (lead_source = 'web');
SELECT count(*) FROM customers WHERE NOT (lead_source = 'web' OR preferred_channel = 'sms');
SELECT count(*) FROM customers WHERE NOT (lead_source = 'web' AND preferred_channel = 'sms');
SELECT count(*) FROM customers WHERE NOT (birth_date > '1990-01-01');
SELECT count(*) FROM customers WHERE lead_source = NULL;
SELECT count(*) FROM customers WHERE lead_source IN ('web', NULL);
SELECT count(*) FROM customers WHERE lead_source NOT IN ('web', NULL);
SELECT count(*) FROM customers WHERE NOT (lead_source IN ('web', NULL));
SELECT count(*) FROM customers WHERE lead_source <> 'ads' OR birth_date IS NULL;
SELECT count(*) FROM customers WHERE (country = 'DE' OR lead_source = 'event') AND NOT (preferred_channel IN ('email', 'phone') OR birth_date < '1975-01-01');
-- Indexed conjuncts with a remainder evaluated on the candidate rows.
SELECT id, city FROM customers WHERE country = 'DE' AND city LIKE 'B%' ORDER BY id;
SELECT count(*) FROM customers WHERE lifecycle_stage = 'lead' AND lower(first_name) < 'm';
SELECT id FROM customers WHERE email_opt_in AND (city IS NULL OR lifetime_value > 9000) ORDER BY id LIMIT 20;
-- Interactions and transactions.
SELECT count(*) FROM interactions WHERE channel = 'email' AND direction = 'inbound' AND occurred_at >= '2024-01-01';
SELECT count(*) FROM interactions WHERE kind = 'support_ticket' AND outcome IS DISTINCT FROM 'resolved';
SELECT count(*) FROM interactions WHERE kind = 'support_ticket' AND NOT (outcome = 'resolved');
SELECT count(*) FROM interactions WHERE customer_id BETWEEN 100 AND 200 AND channel IN ('phone', 'chat');
SELECT id, occurred_at FROM interactions WHERE customer_id = 42 ORDER BY occurred_at DESC, id LIMIT 10;
SELECT count(*) FROM transactions WHERE category = 'shoes' AND status = 'paid' AND amount > 100;
SELECT count(*), sum(amount), min(amount), max(amount) FROM transactions WHERE currency = 'EUR' AND occurred_at < '2023-01-01';
SELECT count(*) FROM transactions WHERE amount <= 0 OR status IN ('refunded', 'failed');
SELECT customer_id, count(*) FROM transactions WHERE category = 'shoes' AND occurred_at >= '2024-06-01' GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 10;
-- Counts per group of an indexed column, with and without a segment filter.
SELECT country, count(*) FROM customers GROUP BY country ORDER BY country;
SELECT lifecycle_stage, count(*) FROM customers WHERE email_opt_in GROUP BY lifecycle_stage ORDER BY 1;
SELECT lead_source, count(*) FROM customers WHERE country IN ('DE', 'AT') GROUP BY lead_source ORDER BY 1 NULLS FIRST;
SELECT email_opt_in, count(*), count(*) FROM customers GROUP BY email_opt_in ORDER BY 1;
SELECT channel, count(*) FROM interactions WHERE occurred_at >= '2024-01-01' GROUP BY channel ORDER BY 2 DESC, 1;
SELECT status, count(*) FROM transactions WHERE category = 'electronics' GROUP BY status HAVING count(*) > 1 ORDER BY 1;
SELECT count(*) FROM customers WHERE country = 'DE' AND country = 'AT';
SELECT count(*) FROM customers WHERE country = 'DE' OR true;
-- SUM, AVG, MIN, MAX and count(col) over fully indexed filters, answered
-- from the bit-sliced indexes, value bitmaps and null bitmaps (EXPLAIN
-- shows a Bitmap Aggregate): PostgreSQL's result types and scales, NULL
-- on empty input, NULLs ignored, memtable rows included.
SELECT count(*), count(lifetime_value), sum(lifetime_value), avg(lifetime_value), min(lifetime_value), max(lifetime_value) FROM customers WHERE country IN ('DE', 'AT') AND email_opt_in;
SELECT min(birth_date), max(birth_date), count(birth_date), min(created_at), max(created_at) FROM customers WHERE lifecycle_stage = 'customer';
SELECT min(country), max(country), min(lead_source), max(lead_source), count(lead_source) FROM customers WHERE lifetime_value > 1000;
SELECT sum(amount), avg(amount), min(amount), max(amount), sum(customer_id), avg(customer_id), min(occurred_at), max(occurred_at) FROM transactions WHERE status = 'paid' AND category IN ('shoes', 'electronics');
SELECT count(*), sum(lifetime_value), avg(lifetime_value), min(lifetime_value), max(country), min(birth_date) FROM customers WHERE country = 'XX';
SELECT count(*), count(lead_source), count(birth_date), sum(lifetime_value), avg(lifetime_value) FROM customers;
SELECT sum(customer_id), avg(customer_id), min(customer_id), max(customer_id), min(occurred_at) FROM interactions WHERE channel = 'email' AND occurred_at >= '2024-01-01';
SELECT country, count(*), sum(lifetime_value), avg(lifetime_value), min(birth_date), max(created_at) FROM customers WHERE email_opt_in GROUP BY country ORDER BY country;
SELECT status, sum(amount), avg(amount), min(amount), max(amount), avg(customer_id) FROM transactions WHERE occurred_at >= '2024-01-01' GROUP BY status ORDER BY 1;
SELECT lead_source, count(lead_source), sum(lifetime_value), max(lifetime_value) FROM customers GROUP BY lead_source ORDER BY 1 NULLS FIRST;
-- Behavioral segments: IN over the customer ids of an index scan, EXISTS and
-- NOT EXISTS correlated on customer_id, answered as sets of ids.
SELECT count(*) FROM customers c WHERE c.id IN (SELECT customer_id FROM transactions WHERE category = 'shoes' AND status = 'paid' AND occurred_at >= '2025-10-03 00:00:00+00');
SELECT count(*) FROM customers c WHERE c.country IN ('DE', 'AT') AND c.lifecycle_stage = 'customer' AND c.email_opt_in AND c.lifetime_value BETWEEN 500 AND 5000 AND c.id IN (SELECT customer_id FROM transactions WHERE category = 'shoes' AND status = 'paid' AND occurred_at >= '2025-10-03 00:00:00+00') AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND i.kind = 'support_ticket' AND i.occurred_at >= '2025-10-03 00:00:00+00');
SELECT count(*) FROM customers c WHERE c.id IN (SELECT customer_id FROM transactions WHERE category = 'shoes' AND occurred_at >= '2025-01-01') AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND i.kind = 'support_ticket' AND i.occurred_at >= '2025-01-01');
SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND i.kind = 'support_ticket' AND i.outcome IS NULL) ORDER BY id LIMIT 20;
SELECT count(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id);
SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM transactions t WHERE c.id = t.customer_id);
SELECT count(*) FROM customers c WHERE c.id NOT IN (SELECT customer_id FROM interactions WHERE channel = 'sms');
SELECT count(*) FROM customers WHERE id IN (SELECT DISTINCT customer_id FROM transactions WHERE amount > 4000);
SELECT count(*) FROM customers WHERE id IN (SELECT customer_id FROM transactions WHERE category = 'no such category');
SELECT country, count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id AND t.category = 'books') GROUP BY country ORDER BY country;
SELECT id, last_name FROM customers c WHERE c.country = 'DE' AND c.id IN (SELECT customer_id FROM interactions WHERE kind = 'meeting' AND outcome = 'positive') ORDER BY lifetime_value DESC, id LIMIT 10;
-- Mixed integer types: INTEGER against BIGINT ids, both ways.
SELECT count(*) FROM transactions WHERE quantity IN (SELECT customer_id FROM interactions WHERE customer_id < 5);
SELECT count(*) FROM customers WHERE id IN (SELECT quantity FROM transactions WHERE category = 'toys');
SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.quantity = c.id AND t.status = 'failed');
