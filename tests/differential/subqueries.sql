-- Subqueries in expressions over user tables: IN, NOT IN (NULL rules),
-- EXISTS, NOT EXISTS, scalar subqueries, correlated at one and two levels.

-- uncorrelated IN / NOT IN
SELECT count(*) FROM customers WHERE id IN (SELECT customer_id FROM transactions);
SELECT count(*) FROM customers WHERE id NOT IN (SELECT customer_id FROM interactions WHERE kind = 'support_ticket');
SELECT count(*) FROM customers c WHERE c.id NOT IN (SELECT customer_id FROM interactions WHERE kind = 'support_ticket');
SELECT id FROM customers WHERE id IN (SELECT customer_id FROM transactions WHERE amount > 4000) ORDER BY id LIMIT 20;
SELECT id, id IN (SELECT customer_id FROM transactions WHERE category = 'shoes') AS bought FROM customers ORDER BY id LIMIT 15;
SELECT count(*) FROM customers WHERE city IN (SELECT city FROM customers WHERE country = 'DE');
SELECT count(*) FROM customers WHERE city NOT IN (SELECT city FROM customers WHERE country = 'DE');
SELECT count(*) FROM customers WHERE city NOT IN (SELECT city FROM customers WHERE country = 'DE' AND city IS NOT NULL);
SELECT 1 IN (SELECT NULL::int), 1 NOT IN (SELECT NULL::int), NULL::int IN (SELECT 1), NULL::int IN (SELECT 1 WHERE false);
SELECT 2 IN (SELECT x FROM (VALUES (1), (NULL)) v(x)), 1 IN (SELECT x FROM (VALUES (1), (NULL)) v(x));
SELECT count(*) FROM customers WHERE id IN (SELECT customer_id::int FROM transactions);
SELECT count(*) FROM transactions WHERE quantity IN (SELECT id FROM customers WHERE id < 4);
SELECT count(*) FROM customers WHERE id = ANY (SELECT customer_id FROM transactions WHERE status = 'refunded');
SELECT count(*) FROM customers WHERE id <> ALL (SELECT customer_id FROM transactions WHERE status = 'refunded');
SELECT count(*) FROM customers WHERE country IN (SELECT country FROM customers GROUP BY country HAVING count(*) > 100);
SELECT count(*) FROM customers WHERE id IN (SELECT customer_id FROM transactions UNION SELECT customer_id FROM interactions);
WITH shoppers AS (SELECT customer_id FROM transactions WHERE category = 'shoes') SELECT count(*) FROM customers WHERE id IN (SELECT customer_id FROM shoppers);
DELETE FROM customers WHERE id IN (SELECT customer_id FROM transactions WHERE false);
UPDATE customers SET city = city WHERE id IN (SELECT customer_id FROM interactions WHERE id < 3);
-- EXISTS / NOT EXISTS, correlated (the behavioural segment queries)
SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id AND t.category = 'shoes');
SELECT count(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id);
SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND i.kind = 'support_ticket') AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id AND t.status = 'completed');
SELECT id FROM customers c WHERE EXISTS (SELECT * FROM interactions WHERE customer_id = c.id AND channel = 'phone') ORDER BY id LIMIT 10;
SELECT id, EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id) FROM customers c ORDER BY id LIMIT 10;
SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id AND t.amount > c.lifetime_value);
SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id AND t.occurred_at < c.created_at);
SELECT EXISTS (SELECT 1 FROM customers WHERE id = 1), EXISTS (SELECT 1 FROM customers WHERE id = -1), NOT EXISTS (SELECT 1 FROM transactions);
SELECT count(*) FROM customers c WHERE c.id IN (SELECT t.customer_id FROM transactions t WHERE t.category = c.city);
SELECT count(*) FROM customers c WHERE c.lifecycle_stage IN (SELECT i.kind FROM interactions i WHERE i.customer_id = c.id);
SELECT count(*) FROM customers c WHERE c.city NOT IN (SELECT c2.city FROM customers c2 WHERE c2.country = c.country AND c2.id <> c.id);
SELECT count(*) FROM customers c JOIN interactions i ON i.customer_id = c.id WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = i.customer_id AND t.occurred_at > i.occurred_at);
-- scalar subqueries
SELECT (SELECT count(*) FROM customers);
SELECT (SELECT max(amount) FROM transactions) AS top, (SELECT min(id) FROM customers);
SELECT id, (SELECT count(*) FROM transactions t WHERE t.customer_id = c.id) AS n FROM customers c ORDER BY id LIMIT 10;
SELECT id, (SELECT sum(amount) FROM transactions t WHERE t.customer_id = c.id) AS total FROM customers c ORDER BY total DESC NULLS LAST, id LIMIT 10;
SELECT id, (SELECT max(occurred_at) FROM interactions i WHERE i.customer_id = c.id) FROM customers c WHERE id < 20 ORDER BY 2 NULLS FIRST, 1;
SELECT count(*) FROM transactions t WHERE amount > (SELECT avg(amount) FROM transactions);
SELECT count(*) FROM transactions t WHERE amount > (SELECT avg(amount) FROM transactions t2 WHERE t2.category = t.category);
SELECT country, count(*) FROM customers GROUP BY country HAVING count(*) > (SELECT count(*) / 20 FROM customers) ORDER BY country;
SELECT (SELECT id FROM customers WHERE id = -5);
SELECT (SELECT id FROM customers WHERE id < 3);
SELECT id FROM customers WHERE id = (SELECT customer_id FROM transactions);
SELECT (SELECT id, country FROM customers WHERE id = 1);
SELECT id FROM customers WHERE id IN (SELECT id, country FROM customers);
SELECT (SELECT 1 AS a), (SELECT x FROM (VALUES (2)) v(x));
SELECT id FROM customers c WHERE (SELECT count(*) FROM interactions i WHERE i.customer_id = c.id) > 8 ORDER BY id;
SELECT c.id, (SELECT t.product FROM transactions t WHERE t.customer_id = c.id ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1) AS last_product FROM customers c WHERE c.id < 40 ORDER BY c.id;
-- two levels: the innermost reads the outermost row
SELECT count(*) FROM customers c WHERE c.id < 40 AND EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id AND t.occurred_at > i.occurred_at));
SELECT id, (SELECT count(*) FROM interactions i WHERE i.customer_id = c.id AND i.channel IN (SELECT t.payment_method FROM transactions t WHERE t.customer_id = c.id)) FROM customers c WHERE id < 40 ORDER BY id;
-- subqueries in derived tables and CASE
SELECT s.id, s.n FROM (SELECT id, (SELECT count(*) FROM transactions t WHERE t.customer_id = c.id) AS n FROM customers c) s WHERE s.n > 10 ORDER BY s.n DESC, s.id LIMIT 5;
SELECT id, CASE WHEN EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = c.id AND t.status = 'refunded') THEN 'refunded' ELSE 'clean' END FROM customers c ORDER BY id LIMIT 10;
-- errors
SELECT id FROM customers WHERE id IN (SELECT nope FROM transactions);
SELECT id FROM customers WHERE id IN (SELECT customer_id FROM nope);
SELECT id FROM customers WHERE id IN (SELECT country FROM customers);
-- TODO(crmdb): comparisons other than = ANY and <> ALL with a subquery (0A000).
--   SELECT id FROM customers WHERE id > ANY (SELECT customer_id FROM transactions);
