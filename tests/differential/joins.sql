-- Joins: inner, left, right, full, cross; ON with expressions; USING;
-- self-joins; joins of derived tables.

SELECT c.id, c.last_name, t.id, t.amount FROM customers c JOIN transactions t ON t.customer_id = c.id ORDER BY c.id, t.id LIMIT 50;
SELECT c.id, t.id FROM customers c INNER JOIN transactions t ON t.customer_id = c.id AND t.status = 'refunded' ORDER BY c.id, t.id;
SELECT count(*) FROM customers c JOIN interactions i ON i.customer_id = c.id;
SELECT count(*) FROM customers c LEFT JOIN interactions i ON i.customer_id = c.id;
SELECT count(*) FROM customers c LEFT JOIN interactions i ON i.customer_id = c.id WHERE i.id IS NULL;
SELECT c.id FROM customers c LEFT JOIN transactions t ON t.customer_id = c.id WHERE t.id IS NULL ORDER BY c.id;
SELECT c.id, t.id, t.status FROM customers c LEFT JOIN transactions t ON t.customer_id = c.id AND t.status = 'failed' ORDER BY c.id, t.id LIMIT 60;
SELECT c.id, t.id FROM customers c LEFT JOIN transactions t ON t.customer_id = c.id AND c.lifecycle_stage = 'lead' ORDER BY c.id, t.id NULLS FIRST LIMIT 60;
SELECT t.id, c.id FROM transactions t RIGHT JOIN customers c ON c.id = t.customer_id ORDER BY c.id, t.id LIMIT 60;
SELECT count(*), count(t.id), count(c.id) FROM transactions t RIGHT JOIN customers c ON c.id = t.customer_id;
SELECT count(*), count(a.id), count(b.id) FROM (SELECT * FROM customers WHERE country = 'DE') a FULL JOIN (SELECT * FROM customers WHERE lifecycle_stage = 'churned') b ON a.id = b.id;
SELECT a.id, b.id FROM (SELECT id FROM customers WHERE id % 7 = 0 AND id < 100) a FULL OUTER JOIN (SELECT id FROM customers WHERE id % 5 = 0 AND id < 100) b ON a.id = b.id ORDER BY coalesce(a.id, b.id);
SELECT a.x, b.y FROM (VALUES (1), (2), (NULL)) a(x) FULL JOIN (VALUES (2), (3), (NULL)) b(y) ON a.x = b.y ORDER BY a.x NULLS FIRST, b.y NULLS FIRST;
SELECT a.x, b.y FROM (VALUES (1), (2), (NULL)) a(x) LEFT JOIN (VALUES (2), (3), (NULL)) b(y) ON a.x = b.y ORDER BY 1, 2;
SELECT a.x, b.y FROM (VALUES (1), (2), (2)) a(x) JOIN (VALUES (2), (2), (3)) b(y) ON a.x = b.y;
SELECT a.x, b.y FROM (VALUES (1), (2)) a(x) CROSS JOIN (VALUES ('a'), ('b')) b(y) ORDER BY 1, 2;
SELECT a.x, b.y FROM (VALUES (1), (2)) a(x), (VALUES ('a'), ('b')) b(y) WHERE a.x = 2 ORDER BY 1, 2;
SELECT a.x, b.y FROM (VALUES (1), (5), (9)) a(x) JOIN (VALUES (2), (6)) b(y) ON a.x < b.y ORDER BY 1, 2;
SELECT a.x, b.y FROM (VALUES (1), (5), (9)) a(x) LEFT JOIN (VALUES (2), (6)) b(y) ON a.x > b.y ORDER BY 1, 2;
SELECT a.x, b.y FROM (VALUES (1), (5), (9)) a(x) FULL JOIN (VALUES (2), (6)) b(y) ON a.x + 1 = b.y ORDER BY 1, 2;
SELECT a.x, b.y FROM (VALUES (1), (2)) a(x) JOIN (VALUES (1.0), (2.5)) b(y) ON a.x = b.y;
SELECT a.x, b.y FROM (VALUES (1), (2)) a(x) JOIN (VALUES (1), (2)) b(y) ON true ORDER BY 1, 2;
SELECT a.x, b.y FROM (VALUES (1), (2)) a(x) LEFT JOIN (VALUES (1), (2)) b(y) ON false ORDER BY 1, 2;
SELECT a.x, b.y FROM (VALUES (1), (2)) a(x) FULL JOIN (VALUES (1), (2)) b(y) ON NULL ORDER BY 1, 2;
-- TODO(crmdb): JOIN … USING does not merge the USING columns: SELECT * shows
-- id twice and an unqualified id is ambiguous (42702).
--   SELECT * FROM (VALUES (1, 'a'), (2, 'b')) a(id, v) JOIN (VALUES (1, 'x'), (3, 'y')) b(id, w) USING (id);
-- TODO(crmdb): see above (USING).
--   SELECT id, v, w FROM (VALUES (1, 'a'), (2, 'b')) a(id, v) LEFT JOIN (VALUES (1, 'x'), (3, 'y')) b(id, w) USING (id) ORDER BY 1;
SELECT c1.id, c2.id FROM customers c1 JOIN customers c2 ON c1.email = c2.email AND c1.id < c2.id ORDER BY 1, 2;
SELECT c1.id, c2.id FROM customers c1 JOIN customers c2 ON c1.first_name = c2.first_name AND c1.last_name = c2.last_name AND c1.id < c2.id ORDER BY 1, 2 LIMIT 40;
SELECT count(*) FROM customers c1 JOIN customers c2 ON c1.country = c2.country AND c1.city = c2.city;
SELECT c.id, i.id, t.id FROM customers c JOIN interactions i ON i.customer_id = c.id JOIN transactions t ON t.customer_id = c.id AND t.occurred_at::date = i.occurred_at::date ORDER BY 1, 2, 3 LIMIT 50;
SELECT c.country, count(DISTINCT c.id), count(t.id), sum(t.amount) FROM customers c LEFT JOIN transactions t ON t.customer_id = c.id GROUP BY c.country ORDER BY c.country;
SELECT c.lifecycle_stage, t.status, count(*) FROM customers c JOIN transactions t ON c.id = t.customer_id GROUP BY 1, 2 ORDER BY 1, 2;
SELECT c.id, c.email, i.channel FROM customers c JOIN interactions i ON i.customer_id = c.id AND i.channel = c.preferred_channel ORDER BY c.id, i.id LIMIT 40;
SELECT c.id, count(i.id) AS n FROM customers c LEFT JOIN interactions i ON i.customer_id = c.id GROUP BY c.id HAVING count(i.id) = 0 ORDER BY c.id;
SELECT t.id, c.id FROM transactions t JOIN customers c ON c.id = t.customer_id AND t.occurred_at < c.created_at ORDER BY t.id LIMIT 30;
SELECT count(*) FROM transactions t JOIN customers c ON c.id = t.customer_id WHERE t.currency = 'EUR' AND c.country NOT IN ('DE', 'FR', 'IT', 'ES', 'NL');
SELECT x.id, y.id FROM customers x JOIN customers y ON y.id = x.id + 1 WHERE x.id < 10 ORDER BY x.id;
SELECT * FROM customers c JOIN transactions t ON t.customer_id = c.id WHERE c.id = 900003 ORDER BY t.id;
SELECT c.*, i.id FROM customers c JOIN interactions i ON i.customer_id = c.id WHERE i.id >= 900000 ORDER BY i.id;
SELECT i.*, t.amount FROM interactions i LEFT JOIN transactions t ON t.customer_id = i.customer_id AND t.occurred_at = i.occurred_at WHERE i.id >= 900000 ORDER BY i.id, t.amount;
SELECT id FROM customers c JOIN transactions t ON t.customer_id = c.id LIMIT 1;
SELECT c.id, t.customer_id FROM customers c JOIN transactions t ON c.id = t.customer_id JOIN nope n ON true;
SELECT c.idd FROM customers c;
SELECT z.id FROM customers c;
